#pragma once

// The typed failure of every ledger operation.

#include "paymand/ledger/ledger_errc.hpp"

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <string>

namespace paymand::ledger {

struct db_error {
    boost::system::error_code code;  // a ledger_errc
    // The five-character SQLSTATE when the server reported the error ("23505", "57014"), else
    // empty.
    std::string sqlstate;
    // What happened, in one line: the server's or libpq's words, control characters replaced and
    // the password of the connection string redacted. Never holds the conninfo itself.
    std::string message;

    // True when a statement may have taken effect although no answer says so: reply_timeout,
    // connection_lost, cancelled. A caller treats its statement as possibly committed.
    bool outcome_unknown() const noexcept;
    // "server_error [40001]: could not serialize access ...".
    std::string what() const;
};

template <class T>
using db_result = boost::system::result<T, db_error>;

// Found by ADL: db_result<T>::value() throws std::runtime_error(what()).
[[noreturn]] void throw_exception_from_error(const db_error& e, const boost::source_location& loc);

}  // namespace paymand::ledger
