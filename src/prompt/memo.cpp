#include "paymand/prompt/memo.hpp"

#include "paymand/prompt/memo_tag.hpp"
#include "paymand/text/safe_text.hpp"

#include <fmt/format.h>

#include <array>

namespace paymand::prompt {
namespace {

constexpr std::array<std::string_view, 12> month_names{
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

}  // namespace

boost::system::result<std::string, prompt_error> expand_memo(const prompt_template& memo,
                                                             const memo_context& context)
{
    if (memo.kind() != template_kind::memo)
        return prompt_error{make_error_code(prompt_errc::bad_value), 0,
                            fmt::format("template '{}' is not a memo", template_name(memo.kind()))};
    if (!context.date.ok())
        return prompt_error{make_error_code(prompt_errc::bad_value), 0,
                            "memo: the occurrence date is not a valid date"};
    const int year = static_cast<int>(context.date.year());
    const unsigned month = static_cast<unsigned>(context.date.month());
    const unsigned day = static_cast<unsigned>(context.date.day());
    std::string out;
    for (const auto& part : memo.parts()) {
        if (!part.is_placeholder)
            out += part.text;
        else if (part.text == "date")
            out += fmt::format("{:04}-{:02}-{:02}", year, month, day);
        else if (part.text == "month")
            out += month_names[month - 1];
        else if (part.text == "year")
            out += fmt::format("{:04}", year);
        else if (part.text == "rule")
            out += context.rule_id;
    }
    if (auto r = text::check_text(text::text_field::memo, out); !r)
        return prompt_error{
            make_error_code(prompt_errc::unsafe_value), r.error().offset,
            fmt::format("{} (memo as expanded for this occurrence)", r.error().message)};
    return out;
}

boost::system::result<prompt_template, prompt_error> check_memo(std::string_view memo_text,
                                                                std::string_view rule_id)
{
    auto memo = prompt_template::parse(template_kind::memo, memo_text);
    if (!memo) return memo;
    auto expanded =
        expand_memo(*memo, {std::chrono::year{2026} / std::chrono::September / 30, rule_id});
    if (!expanded) return expanded.error();
    // The memo tag is paymand's own: reconciliation matches a listed transaction by the first
    // tag in its memo, so a tag written into a rule's memo could make another occurrence's
    // payment look like this one's.
    if (const auto pos = memo_text.find("pm:");
        pos != std::string_view::npos && find_memo_tag(memo_text.substr(pos)))
        return prompt_error{.code = make_error_code(prompt_errc::unsafe_literal),
                            .offset = pos,
                            .message = fmt::format("memo: a reconciliation tag (pm:rule:date) at "
                                                   "offset {} is paymand's own; it appends the "
                                                   "occurrence's tag itself",
                                                   pos)};
    return memo;
}

}  // namespace paymand::prompt
