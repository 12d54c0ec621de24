#pragma once

// The nodes of one ledger (schema v2, table paymand_node): each node publishes the rule set and
// policy it runs, alive until a time of the database's clock that it moves on as long as it
// runs. A node campaigns only when every other live node runs the same rule set and policy (a
// leader with other rules would let occurrences vanish or appear), its clock agrees with the
// database's, and the ledger is not an older copy than it knew (continuity.hpp).

#include "paymand/ledger/connection.hpp"
#include "paymand/ledger/continuity.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace paymand::ledger {

struct node_identity {
    std::string node;
    std::string rules_hash;   // of the rule set the node runs
    std::string policy_hash;  // of its policy (limits, payees, time zone)
};

struct node_report {
    // The database's clock_timestamp() when the row was written, in ms since the Unix epoch.
    std::chrono::milliseconds database_time{0};
    // The other live nodes whose rule set or policy differ from this node's, by name.
    std::vector<std::string> differing;
};

// Publishes `self` alive for `alive_for` by the database clock and, in the same statement, reads
// the database's clock and the other live nodes that run something else.
boost::asio::awaitable<core::result<node_report, db_error>>
async_publish_node(connection& conn, node_identity self, std::chrono::milliseconds alive_for);

// A graceful stop: the node is no longer alive (its row stays, for operators).
boost::asio::awaitable<core::result<void, db_error>> async_retire_node(connection& conn,
                                                                       std::string node);

// The node's clock against the database's: `database` read between `sent` and `answered` on the
// node's wall clock. The skew is the database's time minus the midpoint; it is within `bound`
// when the database's time lies in [sent - bound, answered + bound] (the round trip is not
// counted against the node).
struct clock_reading {
    std::chrono::system_clock::time_point sent;
    std::chrono::system_clock::time_point answered;
    std::chrono::milliseconds database{0};  // since the Unix epoch
};
std::chrono::milliseconds clock_skew(const clock_reading& r) noexcept;
bool skew_within(const clock_reading& r, std::chrono::milliseconds bound) noexcept;

// What a node knows before it campaigns.
struct eligibility_facts {
    boost::system::error_code schema;  // judge_schema_version's verdict (none: current)
    continuity history = continuity::intact;
    std::optional<clock_reading> clock;  // none: not read
    std::chrono::milliseconds max_clock_skew{1000};
    std::vector<std::string> differing;  // live nodes with another rule set or policy
};

// Pure: why the node must not campaign, in one line for the log and for operators; nullopt when
// it may.
std::optional<std::string> judge_eligibility(const eligibility_facts& facts);

}  // namespace paymand::ledger
