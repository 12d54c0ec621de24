#pragma once

// The ledger's schema: versioned migrations compiled into the binary, a version row in the
// database, and the check every node and command makes before using it (a schema newer than
// this paymand knows is refused: its meaning may have changed under the statements here).

#include "paymand/ledger/connection.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <span>
#include <string_view>

namespace paymand::ledger {

struct migration {
    int version;            // 1, 2, ...: migration n takes the schema from n - 1 to n
    std::string_view name;  // what it does, for people
    std::string_view sql;   // constant SQL run in one transaction
};

// Every migration, in order of version.
std::span<const migration> migrations() noexcept;

// The version this paymand's statements are written for (the last migration's).
int known_schema_version() noexcept;

// Pure: what a database at `database_version` (0: no schema) means to a paymand that knows
// `known`: nothing (equal), schema_missing, schema_outdated or schema_newer.
boost::system::error_code judge_schema_version(int database_version, int known) noexcept;

// The database's schema version, 0 when it holds none.
boost::asio::awaitable<core::result<int, db_error>> async_schema_version(connection& conn);

// Succeeds only when the database's schema is exactly the known version.
boost::asio::awaitable<core::result<void, db_error>> async_check_schema(connection& conn);

struct migrate_report {
    int from = 0;  // the version found
    int to = 0;    // the version now
};

enum class migrate_mode {
    init,     // the database must hold no schema yet (guards against a wrong conninfo)
    migrate,  // the database must hold one (created by init)
};

// Applies the missing migrations, each in one transaction under an advisory lock (two nodes
// migrating at once apply each migration once). Refuses a newer schema and changes nothing.
boost::asio::awaitable<core::result<migrate_report, db_error>> async_migrate(connection& conn,
                                                                             migrate_mode mode);

}  // namespace paymand::ledger
