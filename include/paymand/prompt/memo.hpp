#pragma once

#include "paymand/prompt/prompt_errc.hpp"
#include "paymand/prompt/prompt_template.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace paymand::prompt {

// What a memo's placeholders expand from: the occurrence's local date in the rule's zone and
// the rule id.
struct memo_context {
    std::chrono::year_month_day date;  // {{date}} 2026-12-01, {{month}} December, {{year}} 2026
    std::string_view rule_id;          // {{rule}}
};

// Expands a memo template and checks the result against the safe-text memo grammar; the
// result may hold no tag-shaped word at all (paymand appends the occurrence's tag after it).
core::result<std::string> expand_memo(const prompt_template& memo, const memo_context& context);

// For the rule loader: parses a rule's memo and expands it for `rule_id` on the first and last
// day of every month of a common and a leap year (every shape a date gives it), so a memo that
// passes here cannot fail for length, grammar, a tag shape or a role marker at render time.
core::result<prompt_template> check_memo(std::string_view memo_text, std::string_view rule_id);

}  // namespace paymand::prompt
