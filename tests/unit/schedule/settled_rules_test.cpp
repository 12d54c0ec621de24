// The cases docs/schedules.md settles (issue 19): day-of-week steps, a day-of-month field that
// selects every day, day_match: all with short_month, and --after being exclusive.
#include "paymand/schedule/calendar.hpp"
#include "paymand/schedule/occurrence.hpp"
#include "schedule_test_util.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace paymand::schedule {
namespace {

using test::cal;
using test::show;
using test::tz;
using test::utc;

TEST(day_of_week_steps, a_range_with_a_step_is_standard_cron)
{
    // 1-7/2 is 1, 3, 5, 7, and 7 is Sunday (cronie and Vixie cron agree).
    EXPECT_EQ(cal("0 9 * * 1-7/2").normalised(), "0 9 * * SUN,MON,WED,FRI");
    EXPECT_EQ(cal("0 9 * * 1-6/2").normalised(), "0 9 * * MON,WED,FRI");
    EXPECT_EQ(cal("0 9 * * mon-sat/2").normalised(), "0 9 * * MON,WED,FRI");
    // */n steps from Sunday (0): 0, 2, 4, 6.
    EXPECT_EQ(cal("0 9 * * */2").normalised(), "0 9 * * SUN,TUE,THU,SAT");
}

TEST(day_of_week_steps, a_start_with_a_step_is_refused_as_crons_disagree)
{
    auto r = parse_schedule("0 9 * * 1/2");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, make_error_code(schedule_errc::syntax));
    EXPECT_EQ(r.error().offset, 8U);
    EXPECT_EQ(r.error().message,
              "'1/2' in the day of week field is read differently by different crons; write the "
              "range: `1-7/2` (up to Sunday as 7) or `1-6/2` (up to Saturday)");
    EXPECT_FALSE(parse_schedule("0 9 * * mon/2"));
    EXPECT_FALSE(parse_schedule("0 9 * * 1,3/2"));
    // Other fields keep a/n = a-max/n.
    EXPECT_EQ(cal("5/20 * * * *").normalised(), "5,25,45 * * * *");
}

TEST(every_day_of_month, is_folded_before_short_month_is_decided)
{
    // 1-31 selects every day of every month whichever short_month policy applied, so it
    // needs none, and giving one is refused as having no effect.
    EXPECT_EQ(cal("0 0 1-31 * mon", {day_match_policy::all, std::nullopt}).normalised(),
              "0 0 * * MON");
    EXPECT_EQ(cal("0 0 1-31 * mon", {day_match_policy::any, std::nullopt}).normalised(),
              "0 0 * * *");
    auto r = parse_schedule("0 0 1-31 * mon", {day_match_policy::all, short_month_policy::skip});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, make_error_code(schedule_errc::short_month_not_applicable));
    // Still "restricted" as written: day_match is required.
    EXPECT_EQ(parse_schedule("0 0 1-31 * mon").error().code,
              make_error_code(schedule_errc::day_match_required));
    // 2-31 does not select every day: short_month is required.
    EXPECT_EQ(parse_schedule("0 0 2-31 * mon", {day_match_policy::all, std::nullopt}).error().code,
              make_error_code(schedule_errc::short_month_required));
}

std::vector<std::string> days_2025(const calendar& c)
{
    std::vector<std::string> out;
    for (const auto& o : occurrences_between(c, tz("UTC"), utc(2025, 1, 1), utc(2026, 1, 1)))
        out.push_back(show(o.local).substr(0, 10));
    return out;
}

TEST(day_match_all_with_short_month, moves_the_day_first_then_requires_the_weekday)
{
    // last_day: the 31st, or the last day of a shorter month, when that day is a Friday.
    // 2025-02-28 is a Friday; 2025-01-31 and 2025-10-31 are Fridays.
    EXPECT_EQ(days_2025(cal("0 9 31 * fri", {day_match_policy::all, short_month_policy::last_day})),
              (std::vector<std::string>{"2025-01-31", "2025-02-28", "2025-10-31"}));
    // skip: only a real 31st that is a Friday.
    EXPECT_EQ(days_2025(cal("0 9 31 * fri", {day_match_policy::all, short_month_policy::skip})),
              (std::vector<std::string>{"2025-01-31", "2025-10-31"}));
}

TEST(after_is_exclusive, an_occurrence_at_exactly_the_instant_is_not_next)
{
    const auto c = cal("daily at 09:00");
    const auto o = next_occurrence(c, tz("UTC"), utc(2026, 5, 4, 9, 0));
    ASSERT_TRUE(o);
    EXPECT_EQ(show(o->instant), "2026-05-05 09:00:00 UTC");
}

}  // namespace
}  // namespace paymand::schedule
