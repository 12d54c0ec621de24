// Scheduling across a rule set: next due occurrences with ties, per-rule next, intervals.

#include "paymand/rules/rule_loader.hpp"
#include "paymand/rules/rule_schedule.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paymand::rules {
namespace {

using namespace std::chrono_literals;
using testing::ElementsAre;

std::chrono::sys_seconds utc(int y, unsigned m, unsigned d, int hh, int mm = 0)
{
    return date::sys_days(date::year(y) / m / d) + std::chrono::hours(hh) +
           std::chrono::minutes(mm);
}

rule_set load(const std::string& text)
{
    auto pol = permissive_policy();
    yaml::diagnostics diags;
    auto set = load_rules_text(text, "r.yaml", pol, diags);
    if (!set) throw std::runtime_error(diags.to_string());
    return *set;
}

std::vector<std::string> ids_and_times(const std::vector<scheduled_occurrence>& occs)
{
    std::vector<std::string> out;
    for (const auto& o : occs)
        out.push_back(o.source->id + "@" + date::format("%FT%RZ", o.occ.instant));
    return out;
}

const std::string three_rules = R"(rules:
  - {id: nine-utc, schedule: daily at 09:00, timezone: UTC, report: balance}
  - {id: ten-berlin, schedule: daily at 10:00, timezone: Europe/Berlin, report: balance}
  - {id: seven-ny, schedule: daily at 07:00, timezone: America/New_York, report: balance}
  - {id: off, schedule: daily at 08:00, timezone: UTC, report: balance, enabled: false}
)";

TEST(rule_schedule, next_due_returns_ties_together_in_rule_order)
{
    // In January, 10:00 Berlin is 09:00 UTC: a tie with nine-utc.
    auto set = load(three_rules);
    auto due = next_due(set, utc(2026, 1, 15, 0));
    EXPECT_THAT(ids_and_times(due),
                ElementsAre("nine-utc@2026-01-15T09:00Z", "ten-berlin@2026-01-15T09:00Z"));
}

TEST(rule_schedule, next_occurrences_walks_ties_and_stops_at_the_count)
{
    auto set = load(three_rules);
    EXPECT_THAT(ids_and_times(next_occurrences(set, utc(2026, 1, 15, 0), 4)),
                ElementsAre("nine-utc@2026-01-15T09:00Z", "ten-berlin@2026-01-15T09:00Z",
                            "seven-ny@2026-01-15T12:00Z", "nine-utc@2026-01-16T09:00Z"));
    // The count can cut a tie.
    EXPECT_THAT(ids_and_times(next_occurrences(set, utc(2026, 1, 15, 0), 1)),
                ElementsAre("nine-utc@2026-01-15T09:00Z"));
    EXPECT_TRUE(next_occurrences(set, utc(2026, 1, 15, 0), 0).empty());
}

TEST(rule_schedule, next_due_is_strictly_after_the_instant)
{
    auto set = load(three_rules);
    auto due = next_due(set, utc(2026, 1, 15, 9));
    EXPECT_THAT(ids_and_times(due), ElementsAre("seven-ny@2026-01-15T12:00Z"));
}

TEST(rule_schedule, disabled_rules_never_appear)
{
    auto set = load(three_rules);
    for (const auto& o : occurrences_between(set, utc(2026, 1, 1, 0), utc(2026, 2, 1, 0)))
        EXPECT_NE(o.source->id, "off");
    auto set_off = load("rules:\n  - {id: off, schedule: daily at 08:00, report: balance, "
                        "enabled: false}\n");
    EXPECT_TRUE(next_due(set_off, utc(2026, 1, 1, 0)).empty());
    EXPECT_TRUE(next_per_rule(set_off, utc(2026, 1, 1, 0)).empty());
}

TEST(rule_schedule, next_per_rule_lists_each_enabled_rule_in_set_order)
{
    auto set = load(three_rules);
    EXPECT_THAT(ids_and_times(next_per_rule(set, utc(2026, 7, 1, 0))),
                ElementsAre("nine-utc@2026-07-01T09:00Z", "ten-berlin@2026-07-01T08:00Z",
                            "seven-ny@2026-07-01T11:00Z"));
}

TEST(rule_schedule, occurrences_between_are_ordered_by_time)
{
    auto set = load(three_rules);
    auto occs = occurrences_between(set, utc(2026, 7, 1, 0), utc(2026, 7, 2, 12));
    EXPECT_THAT(ids_and_times(occs),
                ElementsAre("ten-berlin@2026-07-01T08:00Z", "nine-utc@2026-07-01T09:00Z",
                            "seven-ny@2026-07-01T11:00Z", "ten-berlin@2026-07-02T08:00Z",
                            "nine-utc@2026-07-02T09:00Z", "seven-ny@2026-07-02T11:00Z"));
}

TEST(rule_schedule, occurrences_between_is_half_open_and_capped)
{
    auto set = load(three_rules);
    auto occs = occurrences_between(set, utc(2026, 7, 1, 8), utc(2026, 7, 1, 11));
    EXPECT_THAT(ids_and_times(occs),
                ElementsAre("ten-berlin@2026-07-01T08:00Z", "nine-utc@2026-07-01T09:00Z"));
    auto capped = occurrences_between(set, utc(2026, 7, 1, 0), utc(2026, 8, 1, 0), 4);
    EXPECT_THAT(ids_and_times(capped),
                ElementsAre("ten-berlin@2026-07-01T08:00Z", "nine-utc@2026-07-01T09:00Z",
                            "seven-ny@2026-07-01T11:00Z", "ten-berlin@2026-07-02T08:00Z"));
    EXPECT_TRUE(occurrences_between(set, utc(2026, 7, 2, 0), utc(2026, 7, 1, 0)).empty());
}

TEST(rule_schedule, a_spring_gap_gives_one_rule_two_occurrences_at_one_instant)
{
    // 02:00 does not exist in Berlin on 2026-03-29: it fires at 01:00 UTC, like 03:00 CEST.
    auto set = load("rules:\n  - {id: gap, schedule: '0 2,3 * * *', timezone: Europe/Berlin, "
                    "report: balance}\n");
    auto due = next_due(set, utc(2026, 3, 29, 0));
    ASSERT_EQ(due.size(), 2u);
    EXPECT_THAT(ids_and_times(due), ElementsAre("gap@2026-03-29T01:00Z", "gap@2026-03-29T01:00Z"));
    EXPECT_LT(due[0].occ.local, due[1].occ.local);
}

TEST(rule_schedule, a_year_of_a_monthly_rule_has_twelve_occurrences)
{
    auto set = load("rules:\n  - {id: m, schedule: monthly on last day at 18:00, report: "
                    "balance}\n");
    EXPECT_EQ(occurrences_between(set, utc(2026, 1, 1, 0), utc(2027, 1, 1, 0)).size(), 12u);
}

TEST(rule_schedule, an_empty_set_has_nothing_due)
{
    rule_set empty;
    EXPECT_TRUE(next_due(empty, utc(2026, 1, 1, 0)).empty());
    EXPECT_TRUE(occurrences_between(empty, utc(2026, 1, 1, 0), utc(2027, 1, 1, 0)).empty());
}

}  // namespace
}  // namespace paymand::rules
