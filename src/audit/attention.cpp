#include "paymand/audit/attention.hpp"

namespace paymand::audit {

attention attention_of(occurrence_state s) noexcept
{
    if (needs_operator(s)) return attention::error;
    switch (s) {
    case occurrence_state::failed:
    case occurrence_state::denied:
    case occurrence_state::missed:
        return attention::error;
    case occurrence_state::skipped:
        return attention::warning;
    default:
        return attention::none;
    }
}

std::string_view to_string(attention a) noexcept
{
    switch (a) {
    case attention::none:
        return "none";
    case attention::warning:
        return "warning";
    case attention::error:
        return "error";
    }
    return "none";
}

}  // namespace paymand::audit
