#pragma once

// The lease decides who schedules: one row, timed by the database clock only
// (clock_timestamp()), its epoch increased by one on every acquisition. The epoch is the fencing
// token every claim and every gate checks in the same statement (occurrence_ledger.hpp). Each
// function is one statement or one short transaction; a node keeps its lease on a connection of
// its own so that work never starves renewal.

#include "paymand/ledger/connection.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::ledger {

// The channel a graceful release notifies (payload: the released epoch), for standbys to LISTEN.
inline constexpr std::string_view lease_channel = "paymand_lease";

struct lease_grant {
    std::int64_t epoch = 0;
    // Until expiry by the database clock, as seen at the acquisition. A node trusts its lease for
    // less: from before it sent the statement, on its monotonic clock, minus a safety margin.
    std::chrono::milliseconds remaining{0};
    std::uint64_t released = 0;  // rows only claimed by older epochs, now released (run again)
    std::uint64_t in_doubt = 0;  // rows that had reached sending under older epochs, now in doubt
};

// Takes the lease when it is free or expired by the database clock, with epoch + 1, and in the
// same transaction releases the rows only claimed by older epochs and puts those in sending in
// doubt. nullopt: another node holds an unexpired lease (nothing changed).
boost::asio::awaitable<core::result<std::optional<lease_grant>, db_error>>
async_acquire_lease(connection& conn, std::string node, std::chrono::milliseconds duration);

// Extends the lease to `duration` from now. nullopt: refused, because it expired (an expired
// term is never revived, even when nobody took over) or another epoch holds it now.
boost::asio::awaitable<core::result<std::optional<std::chrono::milliseconds>, db_error>>
async_renew_lease(connection& conn, std::string node, std::int64_t epoch,
                  std::chrono::milliseconds duration);

// Graceful stop: ends the lease now and notifies lease_channel, so a standby takes over at once.
// False when this node and epoch did not hold an unexpired lease (nothing changed).
boost::asio::awaitable<core::result<bool, db_error>>
async_release_lease(connection& conn, std::string node, std::int64_t epoch);

struct lease_view {
    std::optional<std::string> holder;  // nullopt: never held
    std::int64_t epoch = 0;
    std::chrono::milliseconds remaining{0};  // <= 0: expired (free to take)
};

boost::asio::awaitable<core::result<lease_view, db_error>> async_read_lease(connection& conn);

}  // namespace paymand::ledger
