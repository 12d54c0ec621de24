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

std::string_view to_string(day_match_policy p) noexcept
{
    return day_match_words.word(p, "all");
}

std::string_view to_string(short_month_policy p) noexcept
{
    return short_month_words.word(p, "skip");
}

std::string_view to_string(overlap_policy p) noexcept
{
    return overlap_words.word(p, "skip");
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
