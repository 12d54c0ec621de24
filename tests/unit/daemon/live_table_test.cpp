// The per-rule table of `paymand status` and `paymand next` (issue 18, item 2), like
// `systemctl list-timers`: a catch-up occurrence already due is "due now", never a time left.

#include "paymand/daemon/live_table.hpp"
#include "support/engine_run.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paymand::daemon {
namespace {

using namespace std::chrono;

const sys_seconds view_now = date::sys_days(date::year(2026) / 12 / 3) + hours(9);

TEST(live_rules_table, shows_next_left_last_passed_and_outcome_with_catch_up_due_now)
{
    daemon::live_view view;
    view.rules.push_back({.id = "rent",
                          .sha256 = "a",
                          .next_occurrence = "rent@2026-12-03T08:00",
                          .next = view_now - hours(1),  // a catch-up occurrence not yet run
                          .last_occurrence = "rent@2026-11-03T08:00",
                          .last = view_now - days(30) - hours(1),
                          .last_outcome = "confirmed"});
    view.rules.push_back({.id = "weekly-report",
                          .sha256 = "b",
                          .next_occurrence = "weekly-report@2026-12-04T11:30",
                          .next = view_now + hours(2) + minutes(30)});  // not in the files: UTC
    view.rules.push_back({.id = "off", .sha256 = "c", .enabled = false});
    auto rules = test::load_rules(R"(rules:
  - id: rent
    schedule: monthly on day 3 at 09:00
    timezone: Europe/Berlin
    report: balance
)",
                                  rules::permissive_policy());
    EXPECT_EQ(
        live_rules_table(view, rules.get(), view_now),
        "RULE           NEXT                  LEFT        LAST                  PASSED        "
        "OUTCOME\n"
        "rent           2026-12-03 09:00 CET  due now     2026-11-03 09:00 CET  30 d 1 h ago  "
        "confirmed\n"
        "weekly-report  2026-12-03T11:30:00Z  2 h 30 min  -                     -             "
        "-\n"
        "off            disabled              -           -                     -             "
        "-\n");
    auto json = live_rules_json(view, view_now);
    EXPECT_EQ(json.at(0).at("due_now").as_bool(), true);
    EXPECT_EQ(json.at(0).at("left_seconds").as_int64(), 0);
    EXPECT_EQ(json.at(1).at("left_seconds").as_int64(), 9000);
    EXPECT_TRUE(json.at(2).at("next").is_null());
}

}  // namespace
}  // namespace paymand::daemon
