#pragma once

// The typed failure of every ledger operation.

#include "paymand/core/error.hpp"
#include "paymand/ledger/ledger_errc.hpp"

#include <boost/assert/source_location.hpp>

#include <string>

namespace paymand::ledger {

// A core::error (`code`: a ledger_errc; `message`: what happened, in one line: the server's or
// libpq's words, control characters replaced and the password of the connection string
// redacted, never the conninfo itself; offset, line and column stay 0) plus the SQLSTATE.
struct db_error : core::error {
    // The five-character SQLSTATE when the server reported the error ("23505", "57014"), else
    // empty.
    std::string sqlstate;

    // True when a statement may have taken effect although no answer says so: reply_timeout,
    // connection_lost, cancelled. A caller treats its statement as possibly committed.
    bool outcome_unknown() const noexcept;
    // "server_error [40001]: could not serialize access ...".
    std::string what() const;
};

// Found by ADL: core::result<T, db_error>::value() throws std::runtime_error(what()).
[[noreturn]] void throw_exception_from_error(const db_error& e, const boost::source_location& loc);

}  // namespace paymand::ledger
