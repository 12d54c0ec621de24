#pragma once

// What the ledger's statements share: ending a failed transaction, reading numbers from the
// server's text answers, and the parameter form of a duration.

#include "paymand/ledger/connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace paymand::ledger::detail {

// Ends a transaction after a failure; a connection that cannot is closed (state unknown).
boost::asio::awaitable<void> roll_back(connection& conn);

db_error unexpected_answer(std::string what);

// The integer in row r, column c of `result`; nullopt when it is not one.
std::optional<std::int64_t> integer_at(const query_result& result, std::size_t r, std::size_t c);

// A duration as the text of a bigint number of milliseconds ($n::bigint * interval '1 ms').
inline std::string milliseconds_param(std::chrono::milliseconds d)
{
    return std::to_string(d.count());
}

}  // namespace paymand::ledger::detail
