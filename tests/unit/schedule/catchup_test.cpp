#include "paymand/schedule/catchup.hpp"
#include "schedule_test_util.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace paymand::schedule {
namespace {

using namespace std::chrono_literals;
using test::cal;
using test::local;
using test::show;
using test::tz;
using test::utc;

std::vector<std::string> run_locals(const catchup_plan& p)
{
    std::vector<std::string> out;
    for (const auto& o : p.run) out.push_back(show(o.local));
    return out;
}

std::vector<std::string> missed_locals(const catchup_plan& p)
{
    std::vector<std::string> out;
    for (const auto& m : p.missed)
        out.push_back(show(m.occ.local) + " " + std::string(to_string(m.reason)));
    return out;
}

catchup_params with_policy(catchup_policy policy)
{
    catchup_params p;
    p.policy = policy;
    return p;
}

// A daily 09:00 UTC rule handled through 4 June, planned at 12:00 on 10 June with a 72h window:
// 5-7 June are older than the window, 8-10 June are late but inside it.
class five_days_down : public ::testing::Test {
protected:
    calendar daily = cal("daily at 09:00");
    zone utc_zone = tz("UTC");
    local_minutes handled = local(2026, 6, 4, 9, 0);
    std::chrono::sys_seconds now = utc(2026, 6, 10, 12, 0);
};

TEST_F(five_days_down, each_runs_every_late_occurrence_oldest_first)
{
    const auto p = plan_catchup(daily, utc_zone, handled, now, with_policy(catchup_policy::each));
    EXPECT_EQ(run_locals(p), (std::vector<std::string>{"2026-06-08 09:00", "2026-06-09 09:00",
                                                       "2026-06-10 09:00"}));
    EXPECT_EQ(missed_locals(p), (std::vector<std::string>{"2026-06-05 09:00 outside_window",
                                                          "2026-06-06 09:00 outside_window",
                                                          "2026-06-07 09:00 outside_window"}));
    EXPECT_EQ(p.handled_through, local(2026, 6, 10, 9, 0));
    EXPECT_EQ(p.unlisted_missed, 0U);
}

TEST_F(five_days_down, latest_runs_only_the_newest)
{
    const auto p = plan_catchup(daily, utc_zone, handled, now, with_policy(catchup_policy::latest));
    EXPECT_EQ(run_locals(p), (std::vector<std::string>{"2026-06-10 09:00"}));
    EXPECT_EQ(missed_locals(p), (std::vector<std::string>{"2026-06-05 09:00 outside_window",
                                                          "2026-06-06 09:00 outside_window",
                                                          "2026-06-07 09:00 outside_window",
                                                          "2026-06-08 09:00 superseded",
                                                          "2026-06-09 09:00 superseded"}));
}

TEST_F(five_days_down, none_runs_nothing_late_and_records_it_all)
{
    const auto p = plan_catchup(daily, utc_zone, handled, now, with_policy(catchup_policy::none));
    EXPECT_TRUE(p.run.empty());
    EXPECT_EQ(missed_locals(p),
              (std::vector<std::string>{
                  "2026-06-05 09:00 outside_window", "2026-06-06 09:00 outside_window",
                  "2026-06-07 09:00 outside_window", "2026-06-08 09:00 catchup_none",
                  "2026-06-09 09:00 catchup_none", "2026-06-10 09:00 catchup_none"}));
    EXPECT_EQ(p.handled_through, local(2026, 6, 10, 9, 0));
}

TEST_F(five_days_down, a_shorter_window_misses_more)
{
    catchup_params params;
    params.window = 4h;
    const auto p = plan_catchup(daily, utc_zone, handled, now, params);
    EXPECT_EQ(run_locals(p), (std::vector<std::string>{"2026-06-10 09:00"}));
    EXPECT_EQ(p.missed_total(), 5U);
}

TEST(catchup, an_on_time_occurrence_runs_under_every_policy)
{
    for (auto policy : {catchup_policy::each, catchup_policy::latest, catchup_policy::none}) {
        const auto p = plan_catchup(cal("daily at 09:00"), tz("UTC"), local(2026, 6, 9, 9, 0),
                                    utc(2026, 6, 10, 9, 0, 30), with_policy(policy));
        EXPECT_EQ(run_locals(p), (std::vector<std::string>{"2026-06-10 09:00"}))
            << to_string(policy);
        EXPECT_TRUE(p.missed.empty());
    }
}

TEST(catchup, grace_is_inclusive)
{
    const auto c = cal("daily at 09:00");
    const auto at = [&](std::chrono::seconds late) {
        return plan_catchup(c, tz("UTC"), local(2026, 6, 9, 9, 0), utc(2026, 6, 10, 9) + late,
                            with_policy(catchup_policy::none));
    };
    EXPECT_EQ(at(60s).run.size(), 1U);
    EXPECT_EQ(at(61s).run.size(), 0U);
    EXPECT_EQ(at(61s).missed.at(0).reason, missed_reason::catchup_none);
}

TEST(catchup, window_boundary_is_inside_the_window)
{
    catchup_params params;
    params.window = 24h;
    const auto c = cal("daily at 09:00");
    const auto exactly =
        plan_catchup(c, tz("UTC"), local(2026, 6, 8, 9, 0), utc(2026, 6, 10, 9), params);
    EXPECT_EQ(run_locals(exactly),
              (std::vector<std::string>{"2026-06-09 09:00", "2026-06-10 09:00"}));
    const auto later =
        plan_catchup(c, tz("UTC"), local(2026, 6, 8, 9, 0), utc(2026, 6, 10, 9, 0, 1), params);
    EXPECT_EQ(missed_locals(later), (std::vector<std::string>{"2026-06-09 09:00 outside_window"}));
}

TEST(catchup, latest_with_an_on_time_occurrence_supersedes_all_late_ones)
{
    const auto p = plan_catchup(cal("@hourly"), tz("UTC"), local(2026, 6, 10, 6, 0),
                                utc(2026, 6, 10, 9, 0, 10), with_policy(catchup_policy::latest));
    EXPECT_EQ(run_locals(p), (std::vector<std::string>{"2026-06-10 09:00"}));
    EXPECT_EQ(missed_locals(p), (std::vector<std::string>{"2026-06-10 07:00 superseded",
                                                          "2026-06-10 08:00 superseded"}));
}

TEST(catchup, nothing_due_gives_an_empty_plan)
{
    const auto p = plan_catchup(cal("daily at 09:00"), tz("UTC"), local(2026, 6, 10, 9, 0),
                                utc(2026, 6, 10, 12, 0));
    EXPECT_TRUE(p.run.empty());
    EXPECT_TRUE(p.missed.empty());
    EXPECT_EQ(p.missed_total(), 0U);
    EXPECT_FALSE(p.handled_through);
}

TEST(catchup, a_handled_identity_is_never_planned_again)
{
    // The clock went back an hour after 09:00 was handled: nothing is due twice.
    const auto p = plan_catchup(cal("daily at 09:00"), tz("UTC"), local(2026, 6, 10, 9, 0),
                                utc(2026, 6, 10, 9, 0, 30));
    EXPECT_TRUE(p.run.empty());
    EXPECT_FALSE(p.handled_through);
}

TEST(catchup, max_runs_keeps_the_newest_and_records_the_rest)
{
    catchup_params params;
    params.max_runs = 5;
    const auto p = plan_catchup(cal("every 15m"), tz("UTC"), local(2026, 6, 10, 0, 0),
                                utc(2026, 6, 10, 10, 0), params);
    EXPECT_EQ(run_locals(p),
              (std::vector<std::string>{"2026-06-10 09:00", "2026-06-10 09:15", "2026-06-10 09:30",
                                        "2026-06-10 09:45", "2026-06-10 10:00"}));
    ASSERT_EQ(p.missed.size(), 35U);
    for (const auto& m : p.missed) EXPECT_EQ(m.reason, missed_reason::run_cap);
    EXPECT_EQ(show(p.missed.front().occ.local), "2026-06-10 00:15");
}

TEST(catchup, a_year_of_every_minute_is_bounded_and_fully_counted)
{
    const auto p =
        plan_catchup(cal("* * * * *"), tz("UTC"), local(2025, 1, 1, 0, 0), utc(2026, 6, 1, 0, 0));
    const std::uint64_t due = 516ULL * 1440;  // minutes in (2025-01-01T00:00, 2026-06-01T00:00]
    EXPECT_EQ(p.run.size(), 1000U);
    EXPECT_EQ(p.missed.size(), 1000U);
    EXPECT_EQ(p.run.size() + p.missed_total(), due);
    ASSERT_TRUE(p.first_unlisted && p.last_unlisted);
    EXPECT_EQ(show(*p.first_unlisted), "2025-01-01 00:01");
    EXPECT_LT(*p.last_unlisted, p.missed.front().occ.local);
    EXPECT_EQ(p.missed.back().occ.local + 1min, p.run.front().local);
    EXPECT_EQ(show(p.run.back().local), "2026-06-01 00:00");
    EXPECT_EQ(p.handled_through, local(2026, 6, 1, 0, 0));
}

TEST(catchup, since_counts_only_occurrences_after_activation)
{
    const auto p = plan_catchup_since(cal("daily at 09:00"), tz("UTC"), utc(2026, 6, 8, 10, 0),
                                      utc(2026, 6, 10, 12, 0));
    EXPECT_EQ(run_locals(p), (std::vector<std::string>{"2026-06-09 09:00", "2026-06-10 09:00"}));
    EXPECT_TRUE(p.missed.empty());
}

TEST(catchup, since_exactly_at_an_occurrence_excludes_it)
{
    const auto p = plan_catchup_since(cal("daily at 09:00"), tz("UTC"), utc(2026, 6, 9, 9, 0),
                                      utc(2026, 6, 10, 12, 0));
    EXPECT_EQ(run_locals(p), (std::vector<std::string>{"2026-06-10 09:00"}));
}

TEST(catchup, since_long_ago_is_bounded_and_fully_counted)
{
    const auto p = plan_catchup_since(cal("*/5 * * * *"), tz("Europe/Berlin"),
                                      utc(2024, 6, 1, 0, 0), utc(2026, 6, 1, 0, 0));
    // Two years of 5-minute slots by instant: 730 days (2024-06-01 .. 2026-06-01) * 288.
    // Identities follow local time: the spring gaps add 12 and the autumn folds remove 12 per
    // year, and the interval starts and ends in summer time, so the count is exact.
    EXPECT_EQ(p.run.size() + p.missed_total(), 730ULL * 288);
    EXPECT_LE(p.missed.size(), 1000U);
}

TEST(catchup, dst_gap_runs_both_identities_that_share_an_instant)
{
    const auto p = plan_catchup(cal("@hourly"), tz("Europe/Berlin"), local(2026, 3, 29, 1, 0),
                                utc(2026, 3, 29, 1, 0, 30));
    EXPECT_EQ(run_locals(p), (std::vector<std::string>{"2026-03-29 02:00", "2026-03-29 03:00"}));
    EXPECT_EQ(p.handled_through, local(2026, 3, 29, 3, 0));
}

TEST(catchup, never_accounts_past_an_identity_that_is_not_due_yet)
{
    // In the Berlin gap, 02:30 moves to 01:30 UTC while 03:00 is at 01:00 UTC.
    const auto c = cal("0,30 2,3 * * *");
    const auto z = tz("Europe/Berlin");
    const auto first = plan_catchup(c, z, local(2026, 3, 28, 3, 30), utc(2026, 3, 29, 1, 10));
    EXPECT_EQ(run_locals(first), (std::vector<std::string>{"2026-03-29 02:00"}));
    EXPECT_EQ(first.handled_through, local(2026, 3, 29, 2, 0));
    // 03:00 was due at 01:00 UTC but comes after 02:30 in identity order: it runs with it.
    const auto second = plan_catchup(c, z, *first.handled_through, utc(2026, 3, 29, 1, 30));
    EXPECT_EQ(run_locals(second), (std::vector<std::string>{"2026-03-29 02:30", "2026-03-29 03:00",
                                                            "2026-03-29 03:30"}));
}

TEST(catchup, listed_missed_are_distinct_and_in_identity_order)
{
    catchup_params params;
    params.max_listed_missed = 50;
    params.policy = catchup_policy::none;
    const auto p = plan_catchup(cal("*/10 * * * *"), tz("America/New_York"),
                                local(2026, 10, 20, 0, 0), utc(2026, 11, 5, 0, 0), params);
    ASSERT_EQ(p.missed.size(), 50U);
    std::set<local_minutes> seen;
    for (std::size_t i = 0; i < p.missed.size(); ++i) {
        EXPECT_TRUE(seen.insert(p.missed[i].occ.local).second);
        if (i > 0) {
            EXPECT_LT(p.missed[i - 1].occ.local, p.missed[i].occ.local);
        }
    }
    // 20 Oct 00:10 .. 4 Nov 19:00 local (New York) in 10-minute steps, fold counted once.
    const auto expected = (local(2026, 11, 4, 19, 0) - local(2026, 10, 20, 0, 0)) / 10min;
    EXPECT_EQ(p.run.size() + p.missed_total(), static_cast<std::uint64_t>(expected));
}

TEST(catchup_words, parse_and_print)
{
    EXPECT_EQ(catchup_words.parse("each"), catchup_policy::each);
    EXPECT_EQ(catchup_words.parse("latest"), catchup_policy::latest);
    EXPECT_EQ(catchup_words.parse("none"), catchup_policy::none);
    EXPECT_EQ(catchup_words.parse("Each"), std::nullopt);
    EXPECT_EQ(catchup_words.parse("all"), std::nullopt);
    EXPECT_EQ(to_string(catchup_policy::latest), "latest");
    EXPECT_EQ(default_catchup, catchup_policy::each);
    EXPECT_EQ(default_catchup_window, std::chrono::seconds{72h});
    EXPECT_EQ(to_string(missed_reason::outside_window), "outside_window");
    EXPECT_EQ(to_string(missed_reason::run_cap), "run_cap");
}

}  // namespace
}  // namespace paymand::schedule
