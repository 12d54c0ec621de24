#include "paymand/schedule/occurrence.hpp"
#include "schedule_test_util.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

namespace paymand::schedule {
namespace {

using namespace std::chrono_literals;
using test::cal;
using test::local;
using test::show;
using test::tz;
using test::utc;

using test::no_match;

std::vector<std::string> locals(const std::vector<occurrence>& v)
{
    std::vector<std::string> out;
    for (const auto& o : v) out.push_back(show(o.local));
    return out;
}

std::vector<std::string> instants(const std::vector<occurrence>& v)
{
    std::vector<std::string> out;
    for (const auto& o : v) out.push_back(show(o.instant));
    return out;
}

// --- next_occurrence -------------------------------------------------------------------------

TEST(next_occurrence, is_strictly_after_the_instant)
{
    const auto c = cal("daily at 09:00");
    const auto z = tz("UTC");
    EXPECT_EQ(next_occurrence(c, z, utc(2026, 5, 4, 8, 59, 59))->instant, utc(2026, 5, 4, 9, 0));
    EXPECT_EQ(next_occurrence(c, z, utc(2026, 5, 4, 9, 0))->instant, utc(2026, 5, 5, 9, 0));
    EXPECT_EQ(next_occurrence(c, z, utc(2026, 5, 4, 9, 0, 1))->instant, utc(2026, 5, 5, 9, 0));
}

TEST(next_occurrence, carries_the_local_identity_in_the_rules_zone)
{
    const auto o = next_occurrence(cal("daily at 09:00"), tz("Asia/Tokyo"), utc(2026, 5, 4, 1, 0));
    ASSERT_TRUE(o);
    EXPECT_EQ(o->local, local(2026, 5, 5, 9, 0));
    EXPECT_EQ(o->instant, utc(2026, 5, 5, 0, 0));
}

TEST(next_occurrence, crosses_month_and_year_ends)
{
    const auto z = tz("UTC");
    EXPECT_EQ(next_occurrence(cal("@yearly"), z, utc(2026, 6, 1))->local, local(2027, 1, 1));
    EXPECT_EQ(next_occurrence(cal("@monthly"), z, utc(2026, 12, 1))->local, local(2027, 1, 1));
    EXPECT_EQ(next_occurrence(cal("0 9 1 * *"), z, utc(2026, 1, 31, 12))->local,
              local(2026, 2, 1, 9, 0));
}

TEST(next_occurrence, the_31st_skips_short_months_with_skip)
{
    const auto c = cal("0 9 31 * *", {no_match, short_month_policy::skip});
    EXPECT_EQ(next_occurrence(c, tz("UTC"), utc(2026, 1, 31, 10))->local, local(2026, 3, 31, 9));
    EXPECT_EQ(next_occurrence(c, tz("UTC"), utc(2026, 3, 31, 10))->local, local(2026, 5, 31, 9));
}

TEST(next_occurrence, the_31st_moves_to_the_last_day_with_last_day)
{
    const auto c = cal("0 9 31 * *", {no_match, short_month_policy::last_day});
    EXPECT_EQ(next_occurrence(c, tz("UTC"), utc(2026, 1, 31, 10))->local, local(2026, 2, 28, 9));
    EXPECT_EQ(next_occurrence(c, tz("UTC"), utc(2028, 1, 31, 10))->local, local(2028, 2, 29, 9));
    EXPECT_EQ(next_occurrence(c, tz("UTC"), utc(2026, 3, 31, 10))->local, local(2026, 4, 30, 9));
}

TEST(next_occurrence, the_29th_of_february_waits_for_a_leap_year)
{
    const auto c = cal("0 12 29 2 *", {no_match, short_month_policy::skip});
    EXPECT_EQ(next_occurrence(c, tz("UTC"), utc(2026, 3, 1))->local, local(2028, 2, 29, 12));
    // 2100 is not a leap year: from 2096 the next is 2104.
    EXPECT_EQ(next_occurrence(c, tz("UTC"), utc(2096, 3, 1))->local, local(2104, 2, 29, 12));
}

TEST(next_occurrence, last_day_of_month)
{
    const auto c = cal("monthly on last day at 09:00");
    const auto z = tz("Europe/Berlin");
    const auto v = occurrences_between(c, z, utc(2028, 1, 1), utc(2028, 7, 1));
    EXPECT_EQ(locals(v), (std::vector<std::string>{"2028-01-31 09:00", "2028-02-29 09:00",
                                                   "2028-03-31 09:00", "2028-04-30 09:00",
                                                   "2028-05-31 09:00", "2028-06-30 09:00"}));
}

TEST(next_occurrence, nth_weekday_of_month)
{
    const auto z = tz("UTC");
    EXPECT_EQ(locals(occurrences_between(cal("monthly on first monday at 09:00"), z,
                                         utc(2026, 1, 1), utc(2026, 5, 1))),
              (std::vector<std::string>{"2026-01-05 09:00", "2026-02-02 09:00", "2026-03-02 09:00",
                                        "2026-04-06 09:00"}));
    EXPECT_EQ(
        locals(occurrences_between(cal("monthly on last friday at 17:00"), z, utc(2026, 1, 1),
                                   utc(2026, 4, 1))),
        (std::vector<std::string>{"2026-01-30 17:00", "2026-02-27 17:00", "2026-03-27 17:00"}));
    EXPECT_EQ(locals(occurrences_between(cal("monthly on fourth thursday at 12:00"), z,
                                         utc(2026, 11, 1), utc(2026, 12, 1))),
              (std::vector<std::string>{"2026-11-26 12:00"}));
}

TEST(next_occurrence, friday_the_13th_with_day_match_all)
{
    const auto c = cal("0 0 13 * fri", {day_match_policy::all, std::nullopt});
    EXPECT_EQ(
        locals(occurrences_between(c, tz("UTC"), utc(2026, 1, 1), utc(2027, 1, 1))),
        (std::vector<std::string>{"2026-02-13 00:00", "2026-03-13 00:00", "2026-11-13 00:00"}));
}

TEST(next_occurrence, a_default_calendar_never_fires)
{
    const calendar empty;
    EXPECT_TRUE(empty.normalised().empty());
    EXPECT_FALSE(next_occurrence(empty, tz("UTC"), utc(2026, 1, 1)));
    EXPECT_TRUE(occurrences_between(empty, tz("UTC"), utc(2026, 1, 1), utc(2027, 1, 1)).empty());
}

TEST(next_occurrence, empty_past_year_9999)
{
    EXPECT_FALSE(next_occurrence(cal("@yearly"), tz("UTC"), utc(9999, 6, 1)));
}

// --- occurrences_between ---------------------------------------------------------------------

TEST(occurrences_between, is_half_open)
{
    const auto v = occurrences_between(cal("daily at 09:00"), tz("UTC"), utc(2026, 5, 4, 9),
                                       utc(2026, 5, 6, 9));
    EXPECT_EQ(instants(v),
              (std::vector<std::string>{"2026-05-04 09:00:00 UTC", "2026-05-05 09:00:00 UTC"}));
}

TEST(occurrences_between, empty_for_an_empty_interval)
{
    EXPECT_TRUE(
        occurrences_between(cal("* * * * *"), tz("UTC"), utc(2026, 1, 1), utc(2026, 1, 1)).empty());
    EXPECT_TRUE(
        occurrences_between(cal("* * * * *"), tz("UTC"), utc(2026, 1, 2), utc(2026, 1, 1)).empty());
}

TEST(occurrences_between, max_count_keeps_the_earliest)
{
    const auto v = occurrences_between(cal("*/15 * * * *"), tz("Europe/Berlin"), utc(2026, 1, 1),
                                       utc(2027, 1, 1), 3);
    EXPECT_EQ(instants(v),
              (std::vector<std::string>{"2026-01-01 00:00:00 UTC", "2026-01-01 00:15:00 UTC",
                                        "2026-01-01 00:30:00 UTC"}));
}

TEST(occurrences_between, a_year_of_every_minute)
{
    const auto v = occurrences_between(cal("* * * * *"), tz("Europe/Berlin"), utc(2026, 1, 1),
                                       utc(2027, 1, 1));
    // One per UTC minute, except the spring gap's 60 minutes that share instants with the hour
    // after it, and the autumn fold's repeated hour that fires once.
    EXPECT_EQ(v.size(), 525600U);
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end(), [](const occurrence& a, const occurrence& b) {
        return a.instant != b.instant ? a.instant < b.instant : a.local < b.local;
    }));
}

TEST(occurrences_between, a_monthly_rule_over_fourteen_months_fires_fourteen_times)
{
    const auto v = occurrences_between(cal("monthly on day 1 at 09:00"), tz("Europe/Berlin"),
                                       utc(2026, 1, 1), utc(2027, 3, 1));
    EXPECT_EQ(v.size(), 14U);
    EXPECT_EQ(show(v.front().instant), "2026-01-01 08:00:00 UTC");
    EXPECT_EQ(show(v[6].instant), "2026-07-01 07:00:00 UTC");  // CEST
}

// --- DST, zone by zone -----------------------------------------------------------------------

TEST(dst_berlin, spring_gap_time_fires_with_the_offset_before_the_gap)
{
    const auto v = occurrences_between(cal("30 2 * * *"), tz("Europe/Berlin"), utc(2026, 3, 28),
                                       utc(2026, 3, 31));
    EXPECT_EQ(locals(v), (std::vector<std::string>{"2026-03-28 02:30", "2026-03-29 02:30",
                                                   "2026-03-30 02:30"}));
    EXPECT_EQ(instants(v),
              (std::vector<std::string>{"2026-03-28 01:30:00 UTC", "2026-03-29 01:30:00 UTC",
                                        "2026-03-30 00:30:00 UTC"}));
}

TEST(dst_berlin, autumn_repeated_time_fires_once_at_the_earlier_instant)
{
    const auto v = occurrences_between(cal("30 2 * * *"), tz("Europe/Berlin"), utc(2026, 10, 24),
                                       utc(2026, 10, 27));
    EXPECT_EQ(instants(v),
              (std::vector<std::string>{"2026-10-24 00:30:00 UTC", "2026-10-25 00:30:00 UTC",
                                        "2026-10-26 01:30:00 UTC"}));
}

TEST(dst_berlin, hourly_keeps_one_identity_per_local_hour_on_the_short_day)
{
    const auto v = occurrences_between(cal("@hourly"), tz("Europe/Berlin"), utc(2026, 3, 28, 23),
                                       utc(2026, 3, 29, 22));
    ASSERT_EQ(v.size(), 24U);  // 00:00 .. 23:00 local
    EXPECT_EQ(show(v[2].local), "2026-03-29 02:00");
    EXPECT_EQ(show(v[2].instant), "2026-03-29 01:00:00 UTC");
    EXPECT_EQ(show(v[3].local), "2026-03-29 03:00");
    EXPECT_EQ(show(v[3].instant), "2026-03-29 01:00:00 UTC");
}

TEST(dst_berlin, hourly_fires_the_repeated_hour_once_on_the_long_day)
{
    const auto v = occurrences_between(cal("@hourly"), tz("Europe/Berlin"), utc(2026, 10, 24, 22),
                                       utc(2026, 10, 25, 23));
    ASSERT_EQ(v.size(), 24U);  // 25 real hours, 24 local hours
    EXPECT_EQ(show(v[2].local), "2026-10-25 02:00");
    EXPECT_EQ(show(v[2].instant), "2026-10-25 00:00:00 UTC");
    EXPECT_EQ(show(v[3].local), "2026-10-25 03:00");
    EXPECT_EQ(show(v[3].instant), "2026-10-25 02:00:00 UTC");
}

TEST(dst_berlin, next_occurrence_from_inside_the_gap)
{
    const auto z = tz("Europe/Berlin");
    // 01:10 UTC is 03:10 CEST; the 02:30 occurrence moved to 01:30 UTC is still ahead.
    const auto o = next_occurrence(cal("30 2 * * *"), z, utc(2026, 3, 29, 1, 10));
    ASSERT_TRUE(o);
    EXPECT_EQ(show(o->local), "2026-03-29 02:30");
    EXPECT_EQ(show(o->instant), "2026-03-29 01:30:00 UTC");
}

TEST(dst_berlin, next_occurrence_does_not_fire_the_repeated_hour_again)
{
    const auto z = tz("Europe/Berlin");
    // After the first 02:30 (CEST) has fired, the next is the following day.
    const auto o = next_occurrence(cal("30 2 * * *"), z, utc(2026, 10, 25, 0, 30));
    ASSERT_TRUE(o);
    EXPECT_EQ(show(o->local), "2026-10-26 02:30");
}

TEST(dst_berlin, transitions_after_2037_follow_the_same_rules)
{
    const auto z = tz("Europe/Berlin");
    const auto spring =
        occurrences_between(cal("30 2 * * *"), z, utc(2040, 3, 24), utc(2040, 3, 27));
    EXPECT_EQ(instants(spring),
              (std::vector<std::string>{"2040-03-24 01:30:00 UTC", "2040-03-25 01:30:00 UTC",
                                        "2040-03-26 00:30:00 UTC"}));
    // A year of hourly occurrences walked with the cached offset: summer time in July.
    const auto year = occurrences_between(cal("0 12 * * *"), z, utc(2038, 1, 1), utc(2039, 1, 1));
    ASSERT_EQ(year.size(), 365U);
    EXPECT_EQ(show(year[181].local), "2038-07-01 12:00");
    EXPECT_EQ(show(year[181].instant), "2038-07-01 10:00:00 UTC");
    EXPECT_EQ(show(year[0].instant), "2038-01-01 11:00:00 UTC");
}

TEST(dst_new_york, spring_gap_and_autumn_fold)
{
    const auto z = tz("America/New_York");
    const auto spring =
        occurrences_between(cal("30 2 * * *"), z, utc(2026, 3, 7), utc(2026, 3, 10));
    EXPECT_EQ(instants(spring),
              (std::vector<std::string>{"2026-03-07 07:30:00 UTC", "2026-03-08 07:30:00 UTC",
                                        "2026-03-09 06:30:00 UTC"}));
    const auto autumn =
        occurrences_between(cal("30 1 * * *"), z, utc(2026, 10, 31), utc(2026, 11, 3));
    EXPECT_EQ(instants(autumn),
              (std::vector<std::string>{"2026-10-31 05:30:00 UTC", "2026-11-01 05:30:00 UTC",
                                        "2026-11-02 06:30:00 UTC"}));
}

TEST(dst_lord_howe, half_hour_gap)
{
    const auto z = tz("Australia/Lord_Howe");
    const auto v = occurrences_between(cal("15 2 * * *"), z, utc(2026, 10, 2), utc(2026, 10, 5));
    EXPECT_EQ(instants(v),
              (std::vector<std::string>{"2026-10-02 15:45:00 UTC", "2026-10-03 15:45:00 UTC",
                                        "2026-10-04 15:15:00 UTC"}));
}

TEST(dst_lord_howe, half_hour_fold)
{
    const auto z = tz("Australia/Lord_Howe");
    const auto v = occurrences_between(cal("45 1 * * *"), z, utc(2026, 4, 3), utc(2026, 4, 6));
    EXPECT_EQ(instants(v),
              (std::vector<std::string>{"2026-04-03 14:45:00 UTC", "2026-04-04 14:45:00 UTC",
                                        "2026-04-05 15:15:00 UTC"}));
}

TEST(dst_lord_howe, every_15m_keeps_96_identities_on_both_transition_days)
{
    const auto z = tz("Australia/Lord_Howe");
    const auto c = cal("every 15m");
    for (auto day : {local(2026, 4, 5), local(2026, 10, 4)}) {
        occurrence_cursor cursor(c, z, day - 1min);
        int count = 0;
        while (auto o = cursor.next()) {
            if (o->local >= day + 24h) break;
            ++count;
        }
        EXPECT_EQ(count, 96) << show(day);
    }
}

TEST(no_dst, tokyo_and_utc_are_uniform_across_european_transitions)
{
    for (const char* name : {"Asia/Tokyo", "UTC"}) {
        const auto z = tz(name);
        for (auto from : {utc(2026, 3, 27), utc(2026, 10, 23)}) {
            const auto v = occurrences_between(cal("30 2 * * *"), z, from, from + 96h);
            ASSERT_EQ(v.size(), 4U) << name;
            for (std::size_t i = 1; i < v.size(); ++i)
                EXPECT_EQ(v[i].instant - v[i - 1].instant, 24h) << name;
        }
    }
}

// --- occurrence_cursor -----------------------------------------------------------------------

TEST(occurrence_cursor, starts_strictly_after_and_walks_in_identity_order)
{
    const auto c = cal("0 9,17 * * *");
    occurrence_cursor cursor(c, tz("UTC"), local(2026, 5, 4, 9, 0));
    EXPECT_EQ(cursor.next()->local, local(2026, 5, 4, 17, 0));
    EXPECT_EQ(cursor.next()->local, local(2026, 5, 5, 9, 0));
    EXPECT_EQ(cursor.next()->local, local(2026, 5, 5, 17, 0));
}

TEST(occurrence_cursor, ends_after_year_9999)
{
    const auto c = cal("0 0 31 12 *");
    occurrence_cursor cursor(c, tz("UTC"), local(9999, 12, 30));
    EXPECT_EQ(cursor.next()->local, local(9999, 12, 31));
    EXPECT_FALSE(cursor.next());
    EXPECT_FALSE(cursor.next());
}

// --- against a brute-force reference ----------------------------------------------------------

// Every local minute in a window, matched field by field and resolved one by one.
std::vector<occurrence> brute_force(const calendar& c, const zone& z, std::chrono::sys_seconds from,
                                    std::chrono::sys_seconds to)
{
    std::vector<occurrence> out;
    const auto first = z.to_local(from) - 72h;
    const auto last = z.to_local(to) + 72h;
    for (auto t = first; t <= last; t += 1min) {
        const auto day = date::floor<date::days>(t);
        const auto minute = (t - day).count();
        if (!c.hours()[static_cast<std::size_t>(minute / 60)] ||
            !c.minutes()[static_cast<std::size_t>(minute % 60)])
            continue;
        if (!c.fires_on(date::year_month_day{day})) continue;
        const auto instant = z.resolve(t);
        if (instant >= from && instant < to) out.push_back({t, instant});
    }
    std::sort(out.begin(), out.end(), [](const occurrence& a, const occurrence& b) {
        return a.instant != b.instant ? a.instant < b.instant : a.local < b.local;
    });
    return out;
}

struct brute_case {
    const char* schedule;
    schedule_options options;
};

class against_brute_force : public ::testing::TestWithParam<std::tuple<brute_case, const char*>> {};

TEST_P(against_brute_force, around_both_transitions)
{
    const auto& [bc, zone_name] = GetParam();
    const auto c = cal(bc.schedule, bc.options);
    const auto z = tz(zone_name);
    // Windows around the 2026 transitions of the zones used here (and plain days for the rest).
    for (auto centre : {utc(2026, 3, 8, 7), utc(2026, 3, 29, 1), utc(2026, 4, 4, 15),
                        utc(2026, 10, 3, 15), utc(2026, 10, 25, 1), utc(2026, 11, 1, 6),
                        utc(2040, 3, 25, 1), utc(2045, 9, 30, 15), utc(2050, 11, 6, 6)}) {
        const auto from = centre - 30h;
        const auto to = centre + 30h;
        const auto expected = brute_force(c, z, from, to);
        const auto actual = occurrences_between(c, z, from, to);
        ASSERT_EQ(locals(actual), locals(expected)) << show(centre);
        ASSERT_EQ(instants(actual), instants(expected)) << show(centre);
        // next_occurrence agrees with the reference from many starting points (a quarter of them
        // under the sanitizers, where this suite took four minutes of CI: the Release run
        // checks them all).
        const auto step = (paymand::test::sanitized_build ? 4 : 1) * (17min + 13s);
        for (auto after = from; after < centre + 6h; after += step) {
            const auto it =
                std::find_if(expected.begin(), expected.end(),
                             [after](const occurrence& o) { return o.instant > after; });
            if (it == expected.end() || it->instant >= to - 26h) continue;
            const auto next = next_occurrence(c, z, after);
            ASSERT_TRUE(next) << show(after);
            ASSERT_EQ(show(next->local), show(it->local)) << "after " << show(after);
            ASSERT_EQ(show(next->instant), show(it->instant)) << "after " << show(after);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    schedules, against_brute_force,
    ::testing::Combine(
        ::testing::Values(brute_case{"* * * * *", {}}, brute_case{"*/15 * * * *", {}},
                          brute_case{"0 * * * *", {}}, brute_case{"30 2 * * *", {}},
                          brute_case{"15 2 * * *", {}}, brute_case{"45 1 * * *", {}},
                          brute_case{"0,30 1-3 * * *", {}}, brute_case{"59 23 * * *", {}},
                          brute_case{"0 0 * * SUN", {}},
                          brute_case{"7 2 29 * *", {std::nullopt, short_month_policy::last_day}}),
        ::testing::Values("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Tokyo",
                          "UTC")));

}  // namespace
}  // namespace paymand::schedule
