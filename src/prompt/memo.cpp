#include "paymand/prompt/memo.hpp"

#include "paymand/text/safe_text.hpp"

#include <fmt/format.h>

#include <array>

namespace paymand::prompt {
namespace {

constexpr std::array<std::string_view, 12> month_names{
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

}  // namespace

core::result<std::string> expand_memo(const prompt_template& memo, const memo_context& context)
{
    if (memo.kind() != template_kind::memo)
        return core::error{make_error_code(prompt_errc::bad_value), 0,
                           fmt::format("template '{}' is not a memo", template_name(memo.kind()))};
    if (!context.date.ok())
        return core::error{make_error_code(prompt_errc::bad_value), 0,
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
    const auto as_expanded = [&](std::size_t offset, std::string_view message) {
        return core::error{
            make_error_code(prompt_errc::unsafe_value), offset,
            fmt::format("{} (memo as expanded for {:04}-{:02}-{:02})", message, year, month, day)};
    };
    if (auto r = text::check_text(text::text_field::memo, out); !r)
        return as_expanded(r.error().offset, r.error().message);
    // The memo grammar lets paymand's own tag end a memo; the rule's memo comes before it and
    // may hold none: paymand appends the occurrence's tag itself.
    for (std::size_t start = 0; start < out.size();) {
        std::size_t end = out.find(' ', start);
        if (end == std::string::npos) end = out.size();
        const std::string_view word = std::string_view(out).substr(start, end - start);
        if (word.size() > 3 && (word[0] == 'p' || word[0] == 'P') &&
            (word[1] == 'm' || word[1] == 'M') && word[2] == ':')
            return as_expanded(start, "memo: tag-shaped text: a reconciliation tag "
                                      "(pm:rule:date) is paymand's own; it appends the "
                                      "occurrence's tag itself");
        start = end + 1;
    }
    return out;
}

core::result<prompt_template> check_memo(std::string_view memo_text, std::string_view rule_id)
{
    auto memo = prompt_template::parse(template_kind::memo, memo_text);
    if (!memo) return memo;
    // The memo tag is paymand's own: reconciliation matches a listed transaction by its tag, so
    // a tag written into a rule's memo could make another occurrence's payment look like this
    // one's. Checked on the text as expanded, for every shape a date can give it: each month
    // (its name and number) of a common and a leap year, on its first and last day.
    using namespace std::chrono;
    for (const year y : {year{2027}, year{2028}}) {
        for (unsigned m = 1; m <= 12; ++m) {
            const year_month ym = y / month{m};
            for (const year_month_day d : {ym / day{1}, year_month_day{ym / last}}) {
                auto expanded = expand_memo(*memo, {d, rule_id});
                if (!expanded) return expanded.error();
            }
        }
    }
    return memo;
}

}  // namespace paymand::prompt
