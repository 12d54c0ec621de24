#pragma once

// What an operator needs to know of the whole cluster, read-only from the shared ledger
// (docs/ha.md, "Reading status and metrics"): who leads by the database's clock, which nodes
// live, and every occurrence row of any node that is `in_doubt` or `sending`. Reads nothing but
// the lease, the nodes and the identity, rule, state, node, epoch and age of those rows.

#include "paymand/ledger/connection.hpp"
#include "paymand/ledger/lease.hpp"
#include "paymand/ledger/occurrence_state.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace paymand::ledger {

struct cluster_node {
    std::string node;
    bool alive = false;  // alive_until is later than the database's clock_timestamp()
    std::chrono::milliseconds since_seen{0};  // since seen_at, by the database's clock
};

// A row that may have moved money and is not settled: `in_doubt` or `sending`.
struct open_occurrence {
    std::string identity;
    std::string rule;
    occurrence_state state = occurrence_state::in_doubt;
    std::string node;
    std::int64_t epoch = 0;
    std::chrono::milliseconds since_update{0};  // since updated_at, by the database's clock
};

struct cluster_view {
    // The lease: its holder (nullopt: never held), epoch, and time left by the database's
    // clock (<= 0: expired, nobody leads).
    lease_view lease;
    std::vector<cluster_node> nodes;    // by name
    std::vector<open_occurrence> open;  // oldest update first
};

// Reads the cluster in two statements: the open rows first, then the lease and the nodes, so a
// `sending` row the lease read shows current was current when the row was read (epochs only
// grow). Nothing is locked or written.
boost::asio::awaitable<core::result<cluster_view, db_error>> async_read_cluster(connection& conn);

// Pure: whether `row` is a payment in flight: `sending` under the lease that is current in
// `view` (same node and epoch, time left). Any other open row needs an operator, or will once
// a node takes over (a takeover turns an older term's `sending` into `in_doubt`).
bool in_flight(const cluster_view& view, const open_occurrence& row) noexcept;

}  // namespace paymand::ledger
