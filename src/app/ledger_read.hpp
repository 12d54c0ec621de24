#pragma once

// What `paymand status` and `paymand audit report --cluster` share on a node with an `ha:`
// section: one read of the shared ledger with the node's own connection string, bounded, the
// schema checked first (docs/ha.md). The error is fit for a user: never the connection string
// or a password (ledger::db_error redacts them).

#include "paymand/config/ha_config.hpp"
#include "paymand/core/error.hpp"
#include "paymand/ledger/connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace paymand::app {

struct ledger_bounds {
    std::string application_name;
    std::chrono::milliseconds connect{3000};    // the whole connect, every host tried
    std::chrono::milliseconds reply{3000};      // one statement's answer, client side
    std::chrono::milliseconds statement{2000};  // one statement, server side
};

// Reads what it needs on the connection; its results go where it captured them.
using ledger_reader = std::function<boost::asio::awaitable<core::result<void, ledger::db_error>>(
    ledger::connection&)>;

// Connects with `ha`'s connection string, checks the schema, runs `read`, closes.
core::result<void> read_ledger(const config::ha_config& ha, const config::env_lookup& getenv,
                               const ledger_bounds& bounds, const ledger_reader& read);

}  // namespace paymand::app
