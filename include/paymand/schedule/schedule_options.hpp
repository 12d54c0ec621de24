#pragma once

#include "paymand/text/word_table.hpp"

#include <optional>
#include <string_view>

namespace paymand::schedule {

// How the day-of-month and day-of-week fields combine when both are restricted (YAML key
// `day_match`): `any` fires on a day matching either (classic cron), `all` only on a day
// matching both ("Friday the 13th").
enum class day_match_policy { any, all };

// What a day of month 29-31 means in a month that is shorter (YAML key `short_month`):
// `last_day` fires on the month's last day instead, `skip` does not fire that month.
enum class short_month_policy { last_day, skip };

// The words of the rule keys `day_match` and `short_month`, in the order errors list them.
inline constexpr auto day_match_words = text::make_word_table<day_match_policy>({
    {day_match_policy::any, "any"},
    {day_match_policy::all, "all"},
});
inline constexpr auto short_month_words = text::make_word_table<short_month_policy>({
    {short_month_policy::last_day, "last_day"},
    {short_month_policy::skip, "skip"},
});

// The rule keys that qualify a schedule. Each must be given exactly when it matters: parsing
// fails when one is required and missing, and also when one is given but has no effect, so
// that nobody believes a key does something it does not.
struct schedule_options {
    std::optional<day_match_policy> day_match;
    std::optional<short_month_policy> short_month;
};

// The YAML words: "any"/"all", "last_day"/"skip".
std::string_view to_string(day_match_policy p) noexcept;
std::string_view to_string(short_month_policy p) noexcept;

}  // namespace paymand::schedule
