#pragma once

// How loudly an occurrence's state must reach the operator: the log priority of the line that
// reports it and whether `paymand status` lists it. Derived from the projection's own
// classification (needs_operator), so a state added there is loud without a change here.

#include "paymand/audit/projection.hpp"

#include <string_view>

namespace paymand::audit {

enum class attention {
    none,     // a clean outcome: paid, reported, resolved, a dry run's would-pay
    warning,  // not run, by design (skipped: condition not met, overlap, ...)
    error,    // not paid when it should have been, or needs an operator
};

// error for every state an operator must look at (needs_operator: in doubt, mismatch, ...)
// and for failed, denied and missed; warning for skipped; none otherwise.
attention attention_of(occurrence_state s) noexcept;

std::string_view to_string(attention a) noexcept;

}  // namespace paymand::audit
