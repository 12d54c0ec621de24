#pragma once

// How loudly an occurrence's state must reach the operator: the log priority of the line that
// reports it and whether `paymand status` lists it. Derived from the projection's own
// classification (needs_operator), so a state added there is loud without a change here.

#include "paymand/audit/projection.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace paymand::audit {

enum class attention {
    none,     // a clean outcome: paid, reported, resolved, a dry run's would-pay
    warning,  // not run, by design (skipped: condition not met, overlap, ...)
    error,    // not paid when it should have been, or needs an operator
};

// error for every state an operator must look at (needs_operator: in doubt, mismatch, ...)
// and for failed, denied, missed and unconfirmed; warning for skipped; none otherwise.
attention attention_of(occurrence_state s) noexcept;

std::string_view to_string(attention a) noexcept;

// The state an outcome record puts its occurrence in, by the projection's own transitions;
// nothing for records that are no outcome (intent, condition, resolved, reconciled, records
// about the daemon).
std::optional<occurrence_state> outcome_state(const record& r);

// Our reason for an outcome that is not a clean success (its record's reason); nothing for a
// clean one or a record without one.
const std::string* unclean_reason(const record_body& body) noexcept;

// The agent's reply excerpt of an outcome that is not a clean success; nothing otherwise.
const std::string* unclean_excerpt(const record_body& body) noexcept;

// An excerpt for one line of a terminal or the journal: escaped (text::escape_for_display),
// quoted, at most `code_points` of it, "..." marking a cut.
std::string quote_excerpt(std::string_view excerpt, std::size_t code_points = 200);

// One line for an outcome record, or nothing when it is no outcome: "rent@2026-12-01T09:00:
// FAILED: <reason>; reply: \"<excerpt>\"" (the state upper-cased for attention::error, an
// operator's next step for the states that need one), "...: would pay 10.00 TSD to John Doe"
// for a dry run. Reasons and replies escaped.
struct outcome_line {
    occurrence_state state = occurrence_state::in_flight;
    audit::attention attention = attention::none;
    std::string text;
};
std::optional<outcome_line> describe_outcome(const record& r);

}  // namespace paymand::audit
