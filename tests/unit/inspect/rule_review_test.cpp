// What `check`, `next` and `status` say about a rule set: scopes, limits a rule hits on its
// own, one-line descriptions and local times.

#include "paymand/inspect/rule_review.hpp"
#include "paymand/schedule/zone.hpp"
#include "support/engine_run.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paymand::inspect {
namespace {

using namespace std::chrono;

sys_seconds utc(int y, unsigned m, unsigned d, int h = 0, int min = 0)
{
    return date::sys_days(date::year(y) / m / d) + hours(h) + minutes(min);
}

const char* mixed_rules = R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    when: {balance: {wallet: Main, above: 100}}
    pay: {payee: John Doe, amount: 300.00, wallet: Main}
  - id: payees
    schedule: monthly on day 2 at 09:00
    report: payees
  - id: history
    schedule: monthly on day 3 at 09:00
    report: transactions
  - id: off
    enabled: false
    schedule: daily at 10:00
    report: balance
)";

TEST(required_scopes, names_each_scope_with_the_rules_that_need_it)
{
    auto rules = test::load_rules(mixed_rules, rules::permissive_policy());
    auto scopes = required_scopes(*rules);
    ASSERT_EQ(scopes.size(), 4u);
    EXPECT_EQ(scopes[0].scope, "write_send_payment");
    EXPECT_EQ(scopes[0].why, "pay rules: rent");
    EXPECT_EQ(scopes[1].scope, "read_balance");
    EXPECT_EQ(scopes[1].why, "balance conditions and reports: rent");  // `off` is disabled
    EXPECT_EQ(scopes[2].scope, "read_list_payees");
    EXPECT_EQ(scopes[3].scope, "read_list_transactions");
    EXPECT_EQ(scopes[3].why, "transaction reports: history; confirming payments and reconciling "
                             "in-doubt ones of pay rules");
}

TEST(required_scopes, a_set_of_reports_needs_no_payment_scope)
{
    auto rules = test::load_rules(R"(rules:
  - id: b
    schedule: daily at 06:00
    report: balance
)",
                                  rules::permissive_policy());
    auto scopes = required_scopes(*rules);
    ASSERT_EQ(scopes.size(), 1u);
    EXPECT_EQ(scopes[0].scope, "read_balance");
}

class solo_limits : public testing::Test {
protected:
    rules::policy policy = rules::permissive_policy();
    void SetUp() override { policy.limits.enabled = true; }
};

TEST_F(solo_limits, a_daily_payment_meets_the_monthly_total_on_the_right_day)
{
    policy.limits.currencies["TSD"].monthly = 1000'00;
    auto rules = test::load_rules(R"(rules:
  - id: daily
    schedule: daily at 09:00
    pay: {payee: John Doe, amount: 300.00}
)",
                                  policy);
    auto hit = first_limit_alone(rules->rules()[0], policy, utc(2027, 1, 15), utc(2028, 1, 1));
    ASSERT_TRUE(hit);
    // From the 15th: 15th, 16th, 17th paid (900.00); the 18th would make 1,200.00.
    EXPECT_EQ(hit->identity, "daily@2027-01-18T09:00");
    EXPECT_EQ(hit->instant, utc(2027, 1, 18, 9));
    EXPECT_EQ(hit->limit, "monthly_total.TSD");
    EXPECT_EQ(hit->paid_before, 3u);
    EXPECT_THAT(hit->reason, testing::HasSubstr("1,000.00"));
}

TEST_F(solo_limits, two_payments_a_day_meet_the_daily_total_the_first_day)
{
    policy.limits.currencies["TSD"].daily = 500'00;
    auto rules = test::load_rules(R"(rules:
  - id: twice
    schedule: "0 9,15 * * *"
    pay: {payee: John Doe, amount: 300.00}
)",
                                  policy);
    auto hit = first_limit_alone(rules->rules()[0], policy, utc(2027, 1, 15), utc(2028, 1, 1));
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->identity, "twice@2027-01-15T15:00");
    EXPECT_EQ(hit->limit, "daily_total.TSD");
    EXPECT_EQ(hit->paid_before, 1u);
}

TEST_F(solo_limits, a_rule_within_its_limits_and_a_report_rule_hit_nothing)
{
    policy.limits.currencies["TSD"].monthly = 1000'00;
    auto rules = test::load_rules(R"(rules:
  - id: monthly
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 1000.00}
  - id: report
    schedule: daily at 09:00
    report: balance
)",
                                  policy);
    EXPECT_FALSE(first_limit_alone(rules->rules()[0], policy, utc(2027, 1, 1), utc(2028, 1, 1)));
    EXPECT_FALSE(first_limit_alone(rules->rules()[1], policy, utc(2027, 1, 1), utc(2028, 1, 1)));
}

TEST_F(solo_limits, a_currency_without_limits_is_denied_outright)
{
    auto rules = test::load_rules(R"(rules:
  - id: any
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 1.00}
)",
                                  rules::permissive_policy());
    auto hit = first_limit_alone(rules->rules()[0], policy, utc(2027, 1, 1), utc(2028, 1, 1));
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->limit, "no_limits_for_currency.TSD");
}

TEST(describe_action, says_what_the_rule_does_in_one_line)
{
    auto rules = test::load_rules(mixed_rules, rules::permissive_policy());
    EXPECT_EQ(describe_action(rules->rules()[0]),
              "pay 300.00 TSD to John Doe from Main when balance of Main above 100.00 TSD");
    EXPECT_EQ(describe_action(rules->rules()[1]), "report payees");
}

TEST(format_local, uses_the_zone_offset_and_abbreviation_of_the_instant)
{
    auto berlin = schedule::find_zone("Europe/Berlin").value();
    EXPECT_EQ(format_local(berlin, utc(2027, 1, 1, 8)), "2027-01-01 09:00 CET");
    EXPECT_EQ(format_local(berlin, utc(2027, 7, 1, 7)), "2027-07-01 09:00 CEST");
    // Past 2037 the zone is continued by the schedule module's rule.
    EXPECT_EQ(format_local(berlin, utc(2040, 7, 1, 7)), "2040-07-01 09:00 CEST");
}

}  // namespace
}  // namespace paymand::inspect
