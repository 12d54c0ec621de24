// The audit projection's state transitions as one table: for each record type (and a
// result's outcome, a resolution's verdict, a reconciliation's result) the state it leads to,
// the states it is expected in, and what happens when it comes unexpected.

#include "paymand/audit/projection.hpp"

#include <fmt/format.h>

#include <array>

namespace paymand::audit {
namespace {

// The states a record is expected to find its occurrence in.
enum class expects {
    any,                       // whatever came before
    known,                     // an earlier record about the occurrence
    payment,                   // an intent was recorded
    no_payment,                // no intent was recorded
    first_intent,              // no intent yet, and nothing, in flight or reopened
    closed_unsent,             // failed, skipped, denied or missed: see reopened_record
    completed,                 // the agent reported it paid
    completed_or_unconfirmed,  // a listing may confirm an unconfirmed payment later
    resolvable,                // see resolvable()
};

// What an unexpected record does (it is always warned about).
enum class otherwise {
    apply,               // the transition happens anyway
    keep,                // the state stays
    keep_unless_unpaid,  // the transition happens when no intent was recorded
    doubt_if_first,      // a first record about an occurrence makes it in doubt
};

// Where the occurrence's reason comes from.
enum class reason_from { unchanged, cleared, record, record_or_default, fixed };

struct row {
    record_type type;
    std::optional<outcome> result;            // result records: the outcome
    std::optional<resolution> verdict;        // resolved records: the verdict
    std::optional<reconcile_outcome> listed;  // reconciled records: the result
    std::optional<occurrence_state> to;       // nothing: the state stays
    expects guard;
    otherwise fallback;
    reason_from reason;
    const char* fixed_reason = nullptr;  // reason_from::fixed, or the default
};

using s = occurrence_state;
constexpr auto none = std::nullopt;

// clang-format off
constexpr std::array<row, 21> table = {{
    // record                     result/verdict/listing            to                    expected in                        otherwise                     reason
    {record_type::intent,         none, none, none,                 s::in_flight,         expects::first_intent,             otherwise::keep_unless_unpaid, reason_from::unchanged},
    {record_type::result,         outcome::completed, none, none,   s::completed,         expects::payment,                  otherwise::apply,             reason_from::unchanged},
    {record_type::result,         outcome::failed, none, none,      s::failed,            expects::payment,                  otherwise::apply,             reason_from::unchanged},
    {record_type::result,         outcome::dry_run, none, none,     s::dry_run,           expects::payment,                  otherwise::apply,             reason_from::unchanged},
    {record_type::result,         outcome::needs_input, none, none, s::in_doubt,          expects::payment,                  otherwise::apply,             reason_from::fixed,
     "the agent asked for input (e.g. an approval) instead of paying"},
    {record_type::result,         outcome::unclear, none, none,     s::in_doubt,          expects::payment,                  otherwise::apply,             reason_from::record_or_default,
     "the agent's reply was unclear"},
    {record_type::skipped,        none, none, none,                 s::skipped,           expects::no_payment,               otherwise::keep,              reason_from::unchanged},
    {record_type::denied,         none, none, none,                 s::denied,            expects::no_payment,               otherwise::keep,              reason_from::unchanged},
    {record_type::missed,         none, none, none,                 s::missed,            expects::no_payment,               otherwise::keep,              reason_from::unchanged},
    {record_type::failed,         none, none, none,                 s::failed,            expects::any,                      otherwise::apply,             reason_from::unchanged},
    {record_type::in_doubt,       none, none, none,                 s::in_doubt,          expects::any,                      otherwise::apply,             reason_from::record},
    {record_type::mismatch,       none, none, none,                 s::mismatch,          expects::any,                      otherwise::apply,             reason_from::record},
    {record_type::confirmed,      none, none, none,                 s::confirmed,         expects::completed_or_unconfirmed, otherwise::doubt_if_first,    reason_from::cleared,
     "confirmed without a recorded payment"},
    {record_type::unconfirmed,    none, none, none,                 s::unconfirmed,       expects::completed,                otherwise::doubt_if_first,    reason_from::record,
     "unconfirmed without a recorded payment"},
    {record_type::resolved,       none, resolution::paid, none,     s::resolved_paid,     expects::resolvable,               otherwise::apply,             reason_from::cleared},
    {record_type::resolved,       none, resolution::not_paid, none, s::resolved_not_paid, expects::resolvable,               otherwise::apply,             reason_from::cleared},
    {record_type::reconciled,     none, none, reconcile_outcome::paid,      s::reconciled_paid, expects::any,                otherwise::apply,             reason_from::cleared},
    {record_type::reconciled,     none, none, reconcile_outcome::not_found, none,             expects::known,              otherwise::doubt_if_first,    reason_from::unchanged,
     "reconciled without a recorded intent"},
    {record_type::reopened,       none, none, none,                 s::reopened,          expects::closed_unsent,            otherwise::keep,              reason_from::cleared},
    {record_type::report,         none, none, none,                 s::reported,          expects::any,                      otherwise::apply,             reason_from::unchanged},
    // A result that names no outcome reads as unclear.
    {record_type::result,         none, none, none,                 s::in_doubt,          expects::payment,                  otherwise::apply,             reason_from::record_or_default,
     "the agent's reply was unclear"},
}};
// clang-format on

const row* find_row(const record_summary& r)
{
    for (const auto& candidate : table)
        if (candidate.type == r.type && candidate.result == r.outcome &&
            candidate.verdict == r.resolution && candidate.listed == r.reconciled)
            return &candidate;
    // A result, resolution or reconciliation with an unlisted detail: the row without it.
    for (const auto& candidate : table)
        if (candidate.type == r.type && !candidate.result && !candidate.verdict &&
            !candidate.listed)
            return &candidate;
    return nullptr;
}

bool meets(expects guard, std::optional<occurrence_state> current, bool paid)
{
    switch (guard) {
    case expects::any:
        return true;
    case expects::known:
        return current.has_value();
    case expects::payment:
        return paid;
    case expects::no_payment:
        return !paid;
    case expects::first_intent:
        return !paid && (!current || *current == s::in_flight || *current == s::reopened);
    case expects::closed_unsent:
        return current == s::failed || current == s::skipped || current == s::denied ||
               current == s::missed;
    case expects::completed:
        return current == s::completed;
    case expects::completed_or_unconfirmed:
        return current == s::completed || current == s::unconfirmed;
    case expects::resolvable:
        return current && resolvable(*current);
    }
    return false;
}

std::optional<std::string> reason_of(const row& r, const record_summary& rec)
{
    switch (r.reason) {
    case reason_from::unchanged:
        return std::nullopt;
    case reason_from::cleared:
        return std::string();
    case reason_from::record:
        return std::string(rec.reason);
    case reason_from::record_or_default:
        return rec.reason.empty() ? std::string(r.fixed_reason) : std::string(rec.reason);
    case reason_from::fixed:
        return std::string(r.fixed_reason);
    }
    return std::nullopt;
}

}  // namespace

transition next_state(std::optional<occurrence_state> current, bool paid, const record_summary& rec)
{
    const row* r = find_row(rec);
    if (r == nullptr) return {};
    if (meets(r->guard, current, paid)) return {r->to, reason_of(*r, rec), true};
    switch (r->fallback) {
    case otherwise::apply:
        return {r->to, reason_of(*r, rec), false};
    case otherwise::keep:
        return {std::nullopt, std::nullopt, false};
    case otherwise::keep_unless_unpaid:
        if (paid) return {std::nullopt, std::nullopt, false};
        return {r->to, reason_of(*r, rec), false};
    case otherwise::doubt_if_first:
        if (current) return {std::nullopt, std::nullopt, false};
        return {s::in_doubt, std::string(r->fixed_reason), false};
    }
    return {};
}

}  // namespace paymand::audit
