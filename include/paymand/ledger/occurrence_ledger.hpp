#pragma once

// The occurrence ledger: one row per occurrence identity. A node may send a payment only after
// async_open_gate committed `claimed -> sending` on its row, in one statement that also checks,
// under the database clock, that the node's epoch is the current unexpired lease. Each function
// is one statement.

#include "paymand/ledger/connection.hpp"
#include "paymand/ledger/occurrence_state.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::ledger {

// Who asks: the node and the epoch of the lease it holds (or held).
struct fence {
    std::string node;
    std::int64_t epoch = 0;
};

enum class claim_outcome {
    claimed,     // the row is ours now (new, released, or claimed by an older epoch)
    taken,       // the identity is owned already (any node, any state but released)
    not_leader,  // our epoch is not the current unexpired lease: nothing changed
};

// Claims `identity` (of `rule`) for the fence's epoch. The unique key decides: a second claim of
// the same identity fails whatever the node. Fenced like the gate: a node that lost its lease
// cannot leave a claimed row behind that nobody would release.
boost::asio::awaitable<core::result<claim_outcome, db_error>>
async_claim(connection& conn, const fence& who, std::string identity, std::string rule);

// What a payment's row pays (schema version 3), written at its gate: the other nodes' limits
// count it exactly, whatever their rules say now.
struct row_payment {
    std::string payee;
    std::int64_t amount_minor = 0;
    std::string currency;          // its code, e.g. "TSD"
    std::chrono::sys_seconds due;  // the occurrence's instant (UTC)
    friend bool operator==(const row_payment&, const row_payment&) = default;
};

// The gate: `claimed -> sending` for the fence's own row, only while its epoch is the current
// unexpired lease by the database clock, in one UPDATE that also writes what it pays. True:
// committed, the request may be written. False: refused and nothing changed; the request must
// not be written. An error with outcome_unknown(): the gate may have committed; the occurrence
// is in doubt.
boost::asio::awaitable<core::result<bool, db_error>>
async_open_gate(connection& conn, const fence& who, std::string identity, row_payment payment);

// Ends a claim without a send (`claimed -> skipped|failed`), fenced like the gate.
// False: refused (not our claim any more, or our lease is not current).
boost::asio::awaitable<core::result<bool, db_error>>
async_settle_unsent(connection& conn, const fence& who, std::string identity, occurrence_state end);

// Records the result of a request the node sent: `sending -> paid|failed|in_doubt`, or
// `in_doubt -> paid|failed` when it learns more. Allowed to a node that lost its lease, for its
// own row only (node and epoch of the gate). Repeating the same result is accepted.
// False: not this fence's row, or not a move allowed from its state.
boost::asio::awaitable<core::result<bool, db_error>> async_record_result(connection& conn,
                                                                         const fence& who,
                                                                         std::string identity,
                                                                         occurrence_state result);

// The identities of `node`'s rows in state `in_doubt` (any epoch), in identity order.
boost::asio::awaitable<core::result<std::vector<std::string>, db_error>>
async_read_in_doubt(connection& conn, std::string node);

// `in_doubt -> paid|failed` for a row of `node` (any epoch) that its audit log settled since:
// an operator's verdict, a listing that showed it paid, or a result the node could not record
// here. Not fenced: the request is long out, and only what became known is written. False: the
// row is not in doubt (any more), or not `node`'s.
boost::asio::awaitable<core::result<bool, db_error>> async_settle_in_doubt(connection& conn,
                                                                           std::string node,
                                                                           std::string identity,
                                                                           occurrence_state to);

struct occurrence_row {
    std::string identity;
    std::string rule;
    occurrence_state state = occurrence_state::claimed;
    std::int64_t epoch = 0;
    std::string node;
};

// The row of `identity`, nullopt when nobody claimed it yet.
boost::asio::awaitable<core::result<std::optional<occurrence_row>, db_error>>
async_read_occurrence(connection& conn, std::string identity);

// A payment another node made or may have made: its identity and what it pays (nullopt for a
// row gated before schema version 3).
struct others_payment {
    std::string identity;
    std::optional<row_payment> payment;
    friend bool operator==(const others_payment&, const others_payment&) = default;
};

// What the ledger holds of one rule's occurrences: where a node that starts to lead resumes.
struct rule_progress {
    std::string rule;
    // The latest identity (by its text: a rule's identities sort by local time) in any state but
    // `released`, whoever settled it; nullopt when there is none.
    std::optional<std::string> latest;
    // Identities in state `released`: claimed by an older term and never sent (run them again).
    std::vector<std::string> released;
    // Payments of nodes other than the reader that may have moved money, claimed within the
    // last 32 days (limits look back at most a calendar month): `paid` ones, and `sending` or
    // `in_doubt` ones. The reader's own are in its audit log.
    std::vector<others_payment> others_paid;
    std::vector<others_payment> others_in_doubt;
};

// Every rule's progress, ordered by rule, its identities in order, in one statement.
// Identities ending in `not_latest_suffix` (manual runs) are never the latest; they may be
// released. `reader`: the node reading, whose own payments are left out of the others'. Reads
// the whole table once: meant for a takeover, not for every occurrence.
boost::asio::awaitable<core::result<std::vector<rule_progress>, db_error>>
async_read_progress(connection& conn, std::string not_latest_suffix, std::string reader);

}  // namespace paymand::ledger
