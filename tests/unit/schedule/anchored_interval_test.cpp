// Anchored intervals: `every N weeks on ... from DATE`, `biweekly on ... from DATE`,
// `every N days at ... from DATE`.
#include "paymand/schedule/calendar.hpp"
#include "paymand/schedule/catchup.hpp"
#include "paymand/schedule/interval.hpp"
#include "paymand/schedule/occurrence.hpp"
#include "schedule_test_util.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace paymand::schedule {
namespace {

using namespace std::chrono_literals;
using test::cal;
using test::local;
using test::show;
using test::tz;
using test::utc;

std::vector<std::string> locals_between(const calendar& c, const zone& z,
                                        std::chrono::sys_seconds from, std::chrono::sys_seconds to)
{
    std::vector<std::string> out;
    for (const auto& o : occurrences_between(c, z, from, to)) out.push_back(show(o.local));
    return out;
}

std::string error_of(std::string_view text)
{
    auto r = parse_schedule(text);
    if (r) return "accepted as " + r->normalised();
    return r.error().message;
}

TEST(anchored_interval, normalised_forms)
{
    EXPECT_EQ(cal("every 2 weeks on fri at 09:00 from 2026-12-04").normalised(),
              "0 9 * * FRI every=2w from=2026-12-04");
    EXPECT_EQ(cal("biweekly on fri at 09:00 from 2026-12-04").normalised(),
              "0 9 * * FRI every=2w from=2026-12-04");
    EXPECT_EQ(cal("Every 3 Weeks on mon,thu at 17:30 from 2026-12-03").normalised(),
              "30 17 * * MON,THU every=3w from=2026-12-03");
    EXPECT_EQ(cal("every 10 days at 08:30 from 2026-12-04").normalised(),
              "30 8 * * * every=10d from=2026-12-04");
    EXPECT_EQ(cal("every 1 day at 08:30 from 2026-12-04").normalised(),
              "30 8 * * * every=1d from=2026-12-04");
    EXPECT_EQ(cal("every 1 week on mon at 08:30 from 2026-11-30").normalised(),
              "30 8 * * MON every=1w from=2026-11-30");
}

TEST(anchored_interval, fortnightly_fires_26_or_27_times_a_year_from_the_anchor_on)
{
    const auto c = cal("biweekly on fri at 09:00 from 2026-12-04");
    const auto z = tz("UTC");
    const auto first = locals_between(c, z, utc(2026, 1, 1), utc(2027, 1, 1));
    EXPECT_EQ(first, (std::vector<std::string>{"2026-12-04 09:00", "2026-12-18 09:00"}));
    const auto y2027 = locals_between(c, z, utc(2027, 1, 1), utc(2028, 1, 1));
    // 2027 has 27: its first and last Fridays are both paydays.
    ASSERT_EQ(y2027.size(), 27U);
    EXPECT_EQ(y2027.front(), "2027-01-01 09:00");
    EXPECT_EQ(y2027.back(), "2027-12-31 09:00");
    const auto y2028 = locals_between(c, z, utc(2028, 1, 1), utc(2029, 1, 1));
    ASSERT_EQ(y2028.size(), 26U);
    EXPECT_EQ(y2028.front(), "2028-01-14 09:00");
    // 2028-01-07 is a Friday of the off week.
    EXPECT_EQ(locals_between(c, z, utc(2028, 1, 2), utc(2028, 1, 13)), std::vector<std::string>{});
}

TEST(anchored_interval, several_weekdays_fire_in_the_anchors_week_blocks)
{
    // Blocks of 7 days from Thursday 2026-12-03, every third one: Thu 3, Mon 7; then Thu 24,
    // Mon 28.
    const auto c = cal("every 3 weeks on mon,thu at 17:30 from 2026-12-03");
    EXPECT_EQ(locals_between(c, tz("UTC"), utc(2026, 11, 1), utc(2027, 1, 1)),
              (std::vector<std::string>{"2026-12-03 17:30", "2026-12-07 17:30", "2026-12-24 17:30",
                                        "2026-12-28 17:30"}));
    EXPECT_EQ(shortest_interval(c), std::chrono::days{4});
}

TEST(anchored_interval, every_n_days_counts_days_across_months_and_years)
{
    const auto c = cal("every 10 days at 08:30 from 2026-12-04");
    EXPECT_EQ(
        locals_between(c, tz("UTC"), utc(2026, 12, 1), utc(2027, 2, 1)),
        (std::vector<std::string>{"2026-12-04 08:30", "2026-12-14 08:30", "2026-12-24 08:30",
                                  "2027-01-03 08:30", "2027-01-13 08:30", "2027-01-23 08:30"}));
    // Across a leap day: 2028-02-29 counts.
    const auto leap = cal("every 2 days at 00:00 from 2028-02-27");
    EXPECT_EQ(locals_between(leap, tz("UTC"), utc(2028, 2, 27), utc(2028, 3, 5)),
              (std::vector<std::string>{"2028-02-27 00:00", "2028-02-29 00:00", "2028-03-02 00:00",
                                        "2028-03-04 00:00"}));
}

TEST(anchored_interval, identities_do_not_depend_on_where_the_walk_starts)
{
    const auto c = cal("biweekly on fri at 09:00 from 2026-12-04");
    const auto z = tz("Europe/Berlin");
    // Whatever instant next_occurrence starts from, the same local dates come out.
    const auto a = next_occurrence(c, z, utc(2030, 6, 1));
    const auto b = next_occurrence(c, z, utc(2030, 6, 5, 12));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(show(a->local), "2030-06-14 09:00");  // 2030-06-07 is in an off week
    EXPECT_EQ(a->local, b->local);
    const auto since_anchor =
        date::local_days{date::year{2030} / 6 / 14} - date::local_days{date::year{2026} / 12 / 4};
    EXPECT_EQ(since_anchor.count() % 14, 0);
}

TEST(anchored_interval, nothing_fires_before_the_anchor)
{
    const auto c = cal("every 2 weeks on fri at 09:00 from 2026-12-04");
    EXPECT_EQ(next_occurrence(c, tz("UTC"), utc(2020, 1, 1))->local, local(2026, 12, 4, 9, 0));
}

TEST(anchored_interval, spring_gap_and_autumn_fold_follow_the_dst_rules)
{
    // Sundays every 2 weeks in Berlin landing on the 2027 spring gap (2027-03-28: 02:00-03:00
    // does not exist) and, from another anchor, on the fold (2027-10-31).
    const auto c = cal("every 2 weeks on sun at 02:30 from 2027-03-14");
    const auto z = tz("Europe/Berlin");
    const auto gap = next_occurrence(c, z, utc(2027, 3, 15));
    ASSERT_TRUE(gap);
    EXPECT_EQ(show(gap->local), "2027-03-28 02:30");
    EXPECT_EQ(show(gap->instant), "2027-03-28 01:30:00 UTC");  // 03:30 CEST
    // Fires once in the fold, at the earlier instant (CEST).
    const auto autumn = cal("every 2 weeks on sun at 02:30 from 2027-10-17");
    const auto fold = occurrences_between(autumn, z, utc(2027, 10, 30), utc(2027, 11, 2));
    ASSERT_EQ(fold.size(), 1U);
    EXPECT_EQ(show(fold[0].local), "2027-10-31 02:30");
    EXPECT_EQ(show(fold[0].instant), "2027-10-31 00:30:00 UTC");
    // Every 14 days in New York across its gap (2027-03-14) and fold (2027-11-07).
    const auto ny = cal("every 14 days at 02:30 from 2027-03-14");
    const auto nz = tz("America/New_York");
    EXPECT_EQ(show(next_occurrence(ny, nz, utc(2027, 3, 1))->instant), "2027-03-14 07:30:00 UTC");
    const auto ny_fold = cal("every 14 days at 01:30 from 2027-03-14");
    const auto o = occurrences_between(ny_fold, nz, utc(2027, 11, 6), utc(2027, 11, 9));
    ASSERT_EQ(o.size(), 1U);
    EXPECT_EQ(show(o[0].instant), "2027-11-07 05:30:00 UTC");  // 01:30 EDT, the earlier
}

TEST(anchored_interval, after_2037_in_a_zone_whose_listed_transitions_end_early)
{
    const auto c = cal("biweekly on fri at 09:00 from 2026-12-04");
    const auto z = tz("America/Nuuk");
    const auto o = occurrences_between(c, z, utc(2040, 1, 1), utc(2041, 1, 1));
    EXPECT_EQ(o.size(), 26U);
    // 2040-07-13 09:00 local, -01 in summer (footer rule <-02>2<-01>,M3.5.0/-1,M10.5.0/0).
    const auto summer = next_occurrence(c, z, utc(2040, 7, 1));
    ASSERT_TRUE(summer);
    EXPECT_EQ(show(summer->local), "2040-07-13 09:00");
    EXPECT_EQ(show(summer->instant), "2040-07-13 10:00:00 UTC");
}

TEST(anchored_interval, catchup_plans_the_anchored_occurrences)
{
    const auto c = cal("biweekly on fri at 09:00 from 2026-12-04");
    catchup_params params;
    params.window = std::chrono::days{30};
    // Handled through 4 December; back on 2 January 2027 at noon: 18 December and 1 January
    // are due, both inside the window.
    const auto plan =
        plan_catchup(c, tz("UTC"), local(2026, 12, 4, 9, 0), utc(2027, 1, 2, 12), params);
    ASSERT_EQ(plan.run.size(), 2U);
    EXPECT_EQ(show(plan.run[0].local), "2026-12-18 09:00");
    EXPECT_EQ(show(plan.run[1].local), "2027-01-01 09:00");
    EXPECT_TRUE(plan.missed.empty());
}

TEST(anchored_interval, shortest_interval_is_the_period)
{
    EXPECT_EQ(shortest_interval(cal("biweekly on fri at 09:00 from 2026-12-04")),
              std::chrono::days{14});
    EXPECT_EQ(shortest_interval(cal("every 10 days at 09:00 from 2026-12-04")),
              std::chrono::days{10});
    EXPECT_EQ(shortest_interval(
                  cal("every 2 weeks on mon,tue,wed,thu,fri,sat,sun at 09:00 from 2026-12-04")),
              std::chrono::days{1});
}

TEST(anchored_interval, refused_forms_point_to_the_anchored_form)
{
    const auto code = [](std::string_view text) { return parse_schedule(text).error().code; };
    EXPECT_EQ(code("biweekly on fri at 09:00"), make_error_code(schedule_errc::anchor_required));
    EXPECT_NE(
        error_of("biweekly on fri at 09:00").find("`biweekly on fri at 09:00 from 2026-12-04`"),
        std::string::npos)
        << error_of("biweekly on fri at 09:00");
    EXPECT_EQ(code("every 2 weeks on fri at 09:00"),
              make_error_code(schedule_errc::anchor_required));
    EXPECT_NE(error_of("every 2 weeks on fri at 09:00").find("from YYYY-MM-DD"), std::string::npos);
    EXPECT_EQ(code("every 14d"), make_error_code(schedule_errc::bad_interval));
    EXPECT_NE(error_of("every 14d").find("`every 14 days at 09:00 from 2026-12-04`"),
              std::string::npos)
        << error_of("every 14d");
    EXPECT_EQ(code("every 2w"), make_error_code(schedule_errc::bad_interval));
    EXPECT_NE(error_of("every 2w").find("`every 2 weeks on fri at 09:00 from 2026-12-04`"),
              std::string::npos)
        << error_of("every 2w");
    EXPECT_EQ(code("every 3 days at 09:00"), make_error_code(schedule_errc::anchor_required));
    EXPECT_EQ(parse_schedule("biweekly on fri at 09:00").error().offset, 0U);
}

TEST(anchored_interval, the_anchor_must_be_a_listed_weekday_and_a_real_date)
{
    auto r = parse_schedule("biweekly on fri at 09:00 from 2026-12-05");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, make_error_code(schedule_errc::bad_anchor));
    EXPECT_EQ(r.error().offset, 30U);
    EXPECT_EQ(r.error().message,
              "the anchor 2026-12-05 is a saturday, not one of the listed weekdays: the anchor is "
              "the first occurrence; write from 2026-12-04 or from 2026-12-11");
    for (const char* text :
         {"biweekly on fri at 09:00 from 2026-02-30", "biweekly on fri at 09:00 from 2026-1-2",
          "biweekly on fri at 09:00 from 0000-01-07"}) {
        auto bad = parse_schedule(text);
        ASSERT_FALSE(bad) << text;
        EXPECT_EQ(bad.error().code, make_error_code(schedule_errc::bad_anchor)) << text;
    }
}

TEST(anchored_interval, other_refusals)
{
    EXPECT_EQ(error_of("every 0 weeks on fri at 09:00 from 2026-12-04"),
              "every 0 weeks: the interval must be 1-52 weeks");
    EXPECT_EQ(error_of("every 53 weeks on fri at 09:00 from 2026-12-04"),
              "every 53 weeks: the interval must be 1-52 weeks");
    EXPECT_EQ(error_of("every 366 days at 09:00 from 2026-12-04"),
              "every 366 days: the interval must be 1-365 days");
    EXPECT_EQ(error_of("every 2 fortnights at 09:00 from 2026-12-04"),
              "expected 'days' or 'weeks' after 'every 2', found 'fortnights'");
    EXPECT_NE(error_of("every 3 days on fri at 09:00 from 2026-12-04").find("every N weeks on"),
              std::string::npos);
    EXPECT_EQ(error_of("biweekly on fri at 09:00 from 2026-12-04 and more"),
              "unexpected 'and' after the end of the schedule");
    EXPECT_EQ(error_of("biweekly on fri at 09:00 since 2026-12-04"),
              "expected 'from YYYY-MM-DD', found 'since'");
    // The day_match and short_month keys do not apply.
    auto r = parse_schedule("biweekly on fri at 09:00 from 2026-12-04",
                            {day_match_policy::all, std::nullopt});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, make_error_code(schedule_errc::day_match_not_applicable));
}

}  // namespace
}  // namespace paymand::schedule
