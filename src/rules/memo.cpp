#include "rules/memo.hpp"

#include "paymand/prompt/memo.hpp"

namespace paymand::rules::detail {

core::result<void> check_memo_template(std::string_view memo, std::string_view rule_id)
{
    // The prompt module owns memo templates: it parses the placeholders and expands them with
    // their longest values for this rule, so a memo accepted here renders on every date.
    auto checked = prompt::check_memo(memo, rule_id);
    if (checked) return {};
    const auto& e = checked.error();
    // An unsafe expanded value has its offset in the expanded text, which is the template's
    // own text only when there were no placeholders to fill in.
    bool in_template =
        e.code != prompt::prompt_errc::unsafe_value || memo.find("{{") == std::string_view::npos;
    return core::error{e.code, in_template ? e.offset : 0, e.message};
}

}  // namespace paymand::rules::detail
