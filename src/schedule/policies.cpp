#include "paymand/schedule/catchup.hpp"
#include "paymand/schedule/overlap.hpp"
#include "paymand/schedule/schedule_options.hpp"
#include "paymand/text/word_table.hpp"

namespace paymand::schedule {
namespace {

// The words of the audit log's `missed` reasons.
constexpr auto missed_words = text::make_word_table<missed_reason>({
    {missed_reason::outside_window, "outside_window"},
    {missed_reason::superseded, "superseded"},
    {missed_reason::catchup_none, "catchup_none"},
    {missed_reason::run_cap, "run_cap"},
});

}  // namespace

std::optional<day_match_policy> parse_day_match(std::string_view text) noexcept
{
    return day_match_words.parse(text);
}

std::optional<short_month_policy> parse_short_month(std::string_view text) noexcept
{
    return short_month_words.parse(text);
}

std::string_view to_string(day_match_policy p) noexcept
{
    return day_match_words.word(p, "all");
}

std::string_view to_string(short_month_policy p) noexcept
{
    return short_month_words.word(p, "skip");
}

std::optional<overlap_policy> parse_overlap(std::string_view text) noexcept
{
    return overlap_words.parse(text);
}

std::string_view to_string(overlap_policy p) noexcept
{
    return overlap_words.word(p, "skip");
}

std::optional<catchup_policy> parse_catchup(std::string_view text) noexcept
{
    return catchup_words.parse(text);
}

std::string_view to_string(catchup_policy p) noexcept
{
    return catchup_words.word(p, "each");
}

std::string_view to_string(missed_reason r) noexcept
{
    return missed_words.word(r, "outside_window");
}

}  // namespace paymand::schedule
