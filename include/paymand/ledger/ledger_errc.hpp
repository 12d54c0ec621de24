#pragma once

// Errors of the PostgreSQL ledger: the client's own and the schema's. What the server said is
// carried beside the code, in db_error.

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace paymand::ledger {

enum class ledger_errc {
    bad_conninfo = 1,  // the connection string does not parse
    connect_failed,    // libpq could not connect (the server's or libpq's words in the message)
    connect_timeout,   // no usable connection within connect_timeout
    not_connected,     // no connection is open (never opened, or closed after a failure)
    server_error,      // the server refused the statement; nothing of it took effect
    // The outcome of the statement is unknown (it may have committed); the connection is closed.
    reply_timeout,    // no complete answer within reply_timeout
    connection_lost,  // the connection broke while a statement was in flight
    cancelled,        // the caller cancelled the operation
    // The schema.
    schema_missing,   // the database holds no paymand schema: `paymand db init`
    schema_outdated,  // older than this paymand: `paymand db migrate`
    schema_newer,     // newer than this paymand knows: upgrade paymand, never downgrade the schema
    already_initialised,  // `db init` on a database that already holds the schema
    unexpected_answer,    // the server's answer had a shape the statement cannot produce
    invalid_state,        // a state the operation never writes (a caller's mistake)
    audit_diverged,       // the ledger's copy of a node's audit chain is not the node's log
};

const boost::system::error_category& ledger_category() noexcept;

inline boost::system::error_code make_error_code(ledger_errc e) noexcept
{
    return {static_cast<int>(e), ledger_category()};
}

}  // namespace paymand::ledger

template <>
struct boost::system::is_error_code_enum<paymand::ledger::ledger_errc> : std::true_type {
};
