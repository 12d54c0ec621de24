#pragma once

// The engine's port to a ledger shared by several nodes (docs/ha.md): one row per occurrence,
// claimed before anything is decided about it, and a fenced gate `claimed -> sending` that must
// have committed before a payment's request is written. The engine knows only this interface;
// the adapter to PostgreSQL and the lease keeper lives outside the engine module. A single node
// has no gate (nullptr) and never asks for one of these steps.
//
// Every answer is a value: the occurrence machine decides what it means (occurrence_machine.hpp).

#include "paymand/core/error.hpp"
#include "paymand/limits/spending_ledger.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

namespace paymand::engine {

enum class claim_verdict {
    claimed,     // the row is this node's now: it runs the occurrence
    taken,       // another claim holds the identity, or it was settled: skipped here
    not_leader,  // this node does not hold the lease: nothing changed, the leader runs it
    failed,      // an error; the claim may have committed (the row may be ours): not sent
};

enum class gate_verdict {
    passed,     // `claimed -> sending` committed, inside the trusted window: send now
    refused,    // not opened, nothing changed (lease lost, trusted window over, row not ours)
    withdrawn,  // committed, but the trusted window ran out right after: not sent
    failed,     // an error that changed nothing: not sent
    unknown,    // an error whose outcome is unknown: the row may be `sending`: in doubt
};

// How an occurrence's row ends: after a send (paid, failed, in_doubt) or without one
// (skipped, failed).
enum class ledger_end { paid, failed, in_doubt, skipped };

struct claim_answer {
    claim_verdict verdict = claim_verdict::failed;
    std::string why;  // for the journal and the audit log; empty when claimed
};

struct gate_answer {
    gate_verdict verdict = gate_verdict::failed;
    std::string why;  // empty when passed
};

struct ledger_answer {
    bool done = false;  // the row shows the end now
    std::string why;    // why not: refused (not this node's row) or the error
};

// A payment another node made or may have made: its identity, and what it pays as written at
// its gate (nullopt for a row gated before the ledger's schema version 3: the rule's amount
// stands in for it).
struct other_payment {
    std::string identity;
    std::optional<limits::payment_record> payment;
};

// What the shared ledger holds of one rule's occurrences, read when this node starts to lead.
struct rule_progress {
    std::string rule;
    // The latest scheduled identity settled or in flight there (any state but released), by
    // any node: nothing up to it is this node's to run. nullopt: none.
    std::optional<std::string> latest;
    // Identities claimed by an older term and never sent (the takeover released them), oldest
    // first: to be run again; manual ones ("~manual") included.
    std::vector<std::string> released;
    // Payments other nodes may have made, claimed within the last 32 days: `paid`, and those
    // whose outcome is unknown there (`sending`, `in_doubt`). This node's limits count them
    // (its own payments are in its audit log).
    std::vector<other_payment> others_paid;
    std::vector<other_payment> others_in_doubt;
};

class occurrence_gate {
public:
    virtual ~occurrence_gate() = default;

    // Claims the row of `identity` (of rule `rule`) for this node's current lease.
    virtual boost::asio::awaitable<claim_answer> claim(std::string identity, std::string rule) = 0;
    // Just before the payment's request is written: the local trusted window first, then the
    // committed, fenced `claimed -> sending` update, which also writes what it pays (`payment`:
    // amount, currency, payee, the occurrence's instant; its status means nothing here), then
    // the window again.
    virtual boost::asio::awaitable<gate_answer> open(std::string identity,
                                                     limits::payment_record payment) = 0;
    // The result of a request this node may have written (also after losing the lease).
    virtual boost::asio::awaitable<ledger_answer> record(std::string identity, ledger_end end) = 0;
    // Ends this node's claim without a send (skipped or failed), fenced like the gate.
    virtual boost::asio::awaitable<ledger_answer> settle_unsent(std::string identity,
                                                                ledger_end end) = 0;
    // The identities of this node's rows the ledger holds in doubt, whatever the lease.
    virtual boost::asio::awaitable<core::result<std::vector<std::string>>> own_in_doubt() = 0;
    // A row of this node in doubt there that its audit log settled since (an operator's
    // verdict, a listing, a result it could not record): `in_doubt -> paid|failed`, whatever
    // the lease (the request is long out; only what became known is written).
    virtual boost::asio::awaitable<ledger_answer> settle_in_doubt(std::string identity,
                                                                  ledger_end end) = 0;
    // Every rule's progress in the ledger (rules without a row are absent). An error: nothing
    // is known, and the caller must not schedule as if it were.
    virtual boost::asio::awaitable<core::result<std::vector<rule_progress>>> progress() = 0;
};

}  // namespace paymand::engine
