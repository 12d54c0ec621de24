#pragma once

// The state the engine rebuilds from the audit log: what happened to each occurrence, the
// last occurrence each rule handled, the in-doubt set and the payments that count against
// limits. Fed record by record, from replay or from the engine's own appends, so there is one
// set of state transitions for both.

#include "paymand/audit/record.hpp"
#include "paymand/money/amount.hpp"

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace paymand::audit {

enum class occurrence_state {
    in_flight,          // intent durable, no result yet (while the daemon runs)
    completed,          // the agent confirmed the payment
    failed,             // not paid: the agent refused, or it was never sent
    in_doubt,           // may have been paid; needs reconciliation or an operator
    mismatch,           // the reply contradicts the intent; needs an operator
    resolved_paid,      // an operator said it was paid
    resolved_not_paid,  // an operator said it was not paid
    reconciled_paid,    // a transaction listing showed it was paid
    skipped,
    denied,
    missed,
    reported,     // a read-only report was answered
    dry_run,      // a dry run's payment: would have been asked for, never sent
    confirmed,    // completed, and the transaction listing shows exactly that payment
    unconfirmed,  // completed by the agent's word, not found in the transaction listings
    reopened,     // HA: closed here without a request, released by the shared ledger: runs again
};

std::string_view to_string(occurrence_state s) noexcept;

// True for states in which money may have moved: these count against limits.
bool counts_as_spending(occurrence_state s) noexcept;
// True for states an operator must look at (`paymand status`, `audit resolve`).
bool needs_operator(occurrence_state s) noexcept;
// True for states `audit resolve` accepts a verdict on: those needing an operator, and
// unconfirmed payments (an operator who checked Payman's dashboard may settle them).
bool resolvable(occurrence_state s) noexcept;

// The payment an intent asked for.
struct intended_payment {
    std::string payee;
    money::amount amount;

    friend bool operator==(const intended_payment&, const intended_payment&) = default;
};

struct occurrence_status {
    occurrence_ref ref;
    occurrence_state state = occurrence_state::in_flight;
    std::optional<intended_payment> payment;  // set once an intent was recorded
    std::string reason;                       // why in doubt / mismatch
    std::uint64_t last_seq = 0;               // the last record about this occurrence
    bool not_found_recorded = false;          // reconciliation recorded it not listed
};

// One payment that counts against limits (completed or possibly completed).
struct spending_entry {
    std::string occurrence;
    std::string payee;
    money::amount amount;
    utc_seconds utc;
    bool in_doubt = false;  // not confirmed paid
};

// Something in the log that the state transitions did not expect (a second intent for one
// occurrence, a result without an intent, ...). Not corruption, but worth a loud log line.
struct projection_warning {
    std::uint64_t seq = 0;
    std::string message;
};

// The fields of a record the projection needs; views into the record or the line.
struct record_summary {
    std::uint64_t seq = 0;
    record_type type = record_type::started;
    std::string_view rule;
    std::string_view occurrence;
    utc_seconds utc{};
    std::string_view payee;                         // intent
    std::optional<money::amount> amount;            // intent
    std::optional<audit::outcome> outcome;          // result
    std::optional<audit::resolution> resolution;    // resolved
    std::optional<reconcile_outcome> reconciled;    // reconciled
    std::string_view reason;                        // in_doubt, mismatch
    std::string_view through;                       // missed: the last of a run
    utc_micros ts{};                                // rules_loaded
    const std::vector<rule_hash>* rules = nullptr;  // rules_loaded
    std::uint32_t part = 1;                         // rules_loaded: part of parts
    std::uint32_t parts = 1;
};

record_summary summarize(const record& r);

// What one record does to its occurrence: the projection's transitions, as a table
// (src/audit/transitions.cpp; docs/engine.md shows it).
struct transition {
    std::optional<occurrence_state> next;  // nothing: the state stays
    std::optional<std::string> reason;     // the occurrence's new reason; nothing: unchanged
    bool expected = true;                  // false: the projection warns about the record
};

// `current`: the occurrence's state before the record, nothing when the record is the first
// about it; `paid`: an intent of it was recorded. Records about no occurrence (started,
// rules_loaded, condition, ...) change nothing.
transition next_state(std::optional<occurrence_state> current, bool paid, const record_summary& s);

class audit_projection {
public:
    // Movable, not copyable: indexes point into the occurrence map's nodes.
    audit_projection() = default;
    audit_projection(audit_projection&& other) noexcept;
    audit_projection& operator=(audit_projection&& other) noexcept;
    audit_projection(const audit_projection&) = delete;
    audit_projection& operator=(const audit_projection&) = delete;

    // Applies one record. Records must come in seq order.
    void apply(const record& r) { apply(summarize(r)); }
    void apply(const record_summary& s);

    // Called once at the end of a replay: every intent without a result belongs to a daemon
    // that stopped or crashed mid-payment and becomes in_doubt (never re-sent). Returns them.
    std::vector<occurrence_ref> finish_replay();

    const occurrence_status* find(std::string_view occurrence) const;
    // True once the occurrence has an intent or an outcome: it must never run again. A
    // reopened one (reopened_record) is to run again.
    bool handled(std::string_view occurrence) const
    {
        const auto* o = find(occurrence);
        return o != nullptr && o->state != occurrence_state::reopened;
    }
    // The latest (by UTC instant) scheduled occurrence the rule handled; manual runs
    // (identities with "~manual") are not part of the schedule's progress.
    const occurrence_ref* last_handled(std::string_view rule) const;

    // The last occurrence of the rule that a missed record standing for a run of occurrences
    // covered (its `through`); nothing when there is none. Occurrences up to it that have no
    // record of their own are accounted for.
    std::optional<std::string_view> missed_through(std::string_view rule) const;

    // The scheduled (not manual) occurrence of the rule with the latest instant among its
    // recent ones that count as spending: what "already paid this period" and the rule's
    // min_pay_interval are checked against, whatever the rule's definition was then.
    const occurrence_status* last_paid(std::string_view rule) const;

    // Since when the rule `id` has had definition `content_hash` without interruption: the
    // time stamp (whole seconds, rounded down) of the first rules_loaded record in the
    // unbroken run of rules_loaded records listing it with that hash. Nothing when the last
    // rules_loaded did not list it with that hash.
    std::optional<utc_seconds> rule_active_since(std::string_view id,
                                                 std::string_view content_hash) const;

    // Occurrences needing an operator, oldest first.
    std::vector<const occurrence_status*> in_doubt() const;
    // Payments reported completed and not yet confirmed or unconfirmed from a transaction
    // listing, with an instant at or after `since`, oldest first.
    std::vector<const occurrence_status*> awaiting_confirmation(utc_seconds since) const;
    // Payments the transaction listings did not confirm, oldest first.
    std::vector<const occurrence_status*> unconfirmed() const;
    std::size_t unconfirmed_count() const noexcept { return unconfirmed_count_; }
    // Payments that count against limits with an instant at or after `since`, oldest first.
    std::vector<spending_entry> spending(utc_seconds since = utc_seconds::min()) const;

    std::uint64_t last_seq() const noexcept { return last_seq_; }
    std::uint64_t count(record_type t) const noexcept
    {
        return counts_[static_cast<std::size_t>(t)];
    }
    std::size_t occurrence_count() const noexcept { return statuses_.size(); }
    const std::vector<projection_warning>& warnings() const noexcept { return warnings_; }
    std::uint64_t warning_count() const noexcept { return warning_count_; }

private:
    // Deliberately not noexcept: libstdc++ then caches each key's hash in its node, so a
    // lookup does not re-hash every string along a bucket chain (2x faster replay).
    struct string_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const
        {
            return std::hash<std::string_view>{}(s);
        }
    };

    // A rules_loaded record (or one of its parts): the rules' active definitions.
    void apply_rules_loaded(const record_summary& s);
    // The occurrence's entry, created if new (then `created` is set).
    occurrence_status& entry(const record_summary& s, bool& created);
    void set_state(occurrence_status& o, occurrence_state next);
    void warn(std::uint64_t seq, std::string message);
    static std::string unexpected(const record_summary& s, std::optional<occurrence_state> before,
                                  bool paid);
    void record_intent(occurrence_status& o, const record_summary& s);

    // Occurrences in order of first appearance (a deque: entries never move), indexed by an
    // open-addressing table of (hash tag << 32 | position + 1). Replay is memory-bound: a
    // compact table costs one cache miss per new occurrence where node-based maps cost four.
    std::deque<occurrence_status> statuses_;
    std::vector<std::uint64_t> slots_;
    const occurrence_status* lookup(std::string_view occurrence, std::size_t hash) const;
    void grow();
    std::unordered_map<std::string, occurrence_ref, string_hash, std::equal_to<>> last_per_rule_;
    std::unordered_map<std::string, std::string, string_hash, std::equal_to<>> missed_through_;
    // Per rule, its scheduled occurrences that count as spending, in the order they came to.
    std::unordered_map<std::string, std::vector<const occurrence_status*>, string_hash,
                       std::equal_to<>>
        paid_by_rule_;
    void index_paid(const occurrence_status& o, bool paid);
    struct rule_version {
        std::string hash;
        utc_seconds since;
    };
    std::unordered_map<std::string, rule_version, string_hash, std::equal_to<>> rule_versions_;
    // The parts of a split rules_loaded read so far (the set applies with its last part).
    std::vector<rule_hash> pending_rules_;
    // Spending index by instant; the pointers are stable (unordered_map nodes never move).
    std::multimap<utc_seconds, const occurrence_status*> spending_;
    // Occurrences in state in_flight, so finish_replay() need not scan every occurrence.
    std::unordered_set<occurrence_status*> in_flight_;
    occurrence_status* recent_ = nullptr;  // the entry the previous record was about
    std::array<std::uint64_t, record_type_count> counts_{};
    std::uint64_t last_seq_ = 0;
    std::size_t unconfirmed_count_ = 0;
    std::vector<projection_warning> warnings_;
    std::uint64_t warning_count_ = 0;
};

}  // namespace paymand::audit
