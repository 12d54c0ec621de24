// The limits engine: each limit kind, boundaries, in-doubt payments, calendar days and months
// in the policy's time zone.

#include "paymand/limits/check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

namespace paymand::limits {
namespace {

using namespace std::chrono_literals;
using testing::HasSubstr;

std::chrono::sys_seconds utc(int y, unsigned m, unsigned d, int hh, int mm = 0)
{
    return date::sys_days(date::year(y) / m / d) + std::chrono::hours(hh) +
           std::chrono::minutes(mm);
}

class limits_test : public testing::Test {
protected:
    limits_test()
    {
        config.currencies["TSD"] = {.per_transaction = 50000,
                                    .daily = 80000,
                                    .monthly = 100000,
                                    .payee_daily = 60000,
                                    .payee_monthly = 90000};
    }

    void paid(std::int64_t minor, std::chrono::sys_seconds at, std::string payee = "John Doe",
              payment_status status = payment_status::completed, std::string currency = "TSD")
    {
        ledger.add({minor, std::move(currency), std::move(payee), at, status});
    }

    decision check(std::int64_t minor, std::chrono::sys_seconds at, std::string payee = "John Doe",
                   std::optional<std::int64_t> max_amount = std::nullopt)
    {
        return check_payment(config, ledger, {minor, "TSD", std::move(payee), at, max_amount});
    }

    const date::time_zone* berlin = date::locate_zone("Europe/Berlin");
    limits_config config;
    spending_ledger ledger{berlin};
};

TEST_F(limits_test, allows_a_payment_within_every_limit)
{
    auto d = check(10000, utc(2026, 5, 10, 9));
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.limit, limit_kind::none);
    EXPECT_EQ(d.reason, "");
}

TEST_F(limits_test, per_transaction_limit_allows_exactly_the_limit)
{
    EXPECT_TRUE(check(50000, utc(2026, 5, 10, 9)).allowed);
    auto d = check(50001, utc(2026, 5, 10, 9));
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.limit, limit_kind::per_transaction);
    EXPECT_EQ(d.reason, "amount 500.01 TSD is above the per-transaction limit 500.00 TSD");
}

TEST_F(limits_test, rule_max_amount_narrows_the_policy)
{
    auto d = check(30000, utc(2026, 5, 10, 9), "John Doe", 25000);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.limit, limit_kind::rule_max_amount);
    EXPECT_EQ(d.reason, "amount 300.00 TSD is above the rule's max_amount 250.00 TSD");
    EXPECT_TRUE(check(25000, utc(2026, 5, 10, 9), "John Doe", 25000).allowed);
}

TEST_F(limits_test, rule_max_amount_cannot_widen_the_policy)
{
    auto d = check(60000, utc(2026, 5, 10, 9), "John Doe", 100000);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.limit, limit_kind::per_transaction);
}

TEST_F(limits_test, daily_total_counts_all_payees_and_allows_reaching_the_limit)
{
    config.currencies["TSD"].payee_daily.reset();
    paid(40000, utc(2026, 5, 10, 7), "John Doe");
    paid(30000, utc(2026, 5, 10, 8), "Maria Garcia");
    EXPECT_TRUE(check(10000, utc(2026, 5, 10, 9), "Acme").allowed);
    auto d = check(10001, utc(2026, 5, 10, 9), "Acme");
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.limit, limit_kind::daily_total);
    EXPECT_EQ(d.reason, "daily total for TSD would be 800.01, limit 800.00 (already 700.00 today)");
}

TEST_F(limits_test, monthly_total_reason_names_the_figures)
{
    config.currencies["TSD"] = {.monthly = 100000};
    paid(50000, utc(2026, 5, 2, 9));
    paid(65000, utc(2026, 5, 20, 9), "Maria Garcia");
    auto d = check(10000, utc(2026, 5, 28, 9));
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.limit, limit_kind::monthly_total);
    EXPECT_EQ(d.reason,
              "monthly total for TSD would be 1,250.00, limit 1,000.00 (already 1,150.00 this "
              "month)");
}

TEST_F(limits_test, in_doubt_payments_count_like_completed_ones)
{
    config.currencies["TSD"] = {.daily = 10000};
    paid(9000, utc(2026, 5, 10, 7), "John Doe", payment_status::in_doubt);
    auto d = check(1001, utc(2026, 5, 10, 9));
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.limit, limit_kind::daily_total);
    EXPECT_TRUE(check(1000, utc(2026, 5, 10, 9)).allowed);
}

TEST_F(limits_test, payments_in_other_currencies_do_not_count)
{
    config.currencies["TSD"] = {.daily = 10000};
    paid(9000, utc(2026, 5, 10, 7), "John Doe", payment_status::completed, "USD");
    EXPECT_TRUE(check(10000, utc(2026, 5, 10, 9)).allowed);
}

TEST_F(limits_test, general_per_payee_daily_and_monthly_totals)
{
    paid(50000, utc(2026, 5, 10, 7), "John Doe");
    auto d = check(10001, utc(2026, 5, 10, 9), "John Doe");
    EXPECT_EQ(d.limit, limit_kind::payee_daily_total);
    EXPECT_EQ(d.reason, "daily total to John Doe in TSD would be 600.01, limit 600.00 (already "
                        "500.00 today)");
    EXPECT_TRUE(check(10001, utc(2026, 5, 10, 9), "Maria Garcia").allowed);

    paid(30000, utc(2026, 5, 11, 7), "John Doe");
    auto m = check(10001, utc(2026, 5, 12, 9), "John Doe");
    EXPECT_EQ(m.limit, limit_kind::payee_monthly_total);
    EXPECT_THAT(m.reason, HasSubstr("monthly total to John Doe in TSD would be 900.01, limit "
                                    "900.00 (already 800.00 this month)"));
}

TEST_F(limits_test, a_payee_specific_limit_applies_when_tighter)
{
    config.payees["Acme"]["TSD"] = {.daily = 5000, .monthly = 200000};
    paid(4000, utc(2026, 5, 10, 7), "Acme");
    auto d = check(1001, utc(2026, 5, 10, 9), "Acme");
    EXPECT_EQ(d.limit, limit_kind::payee_daily_total);
    EXPECT_THAT(d.reason, HasSubstr("limit 50.00"));
    // The payee's looser monthly limit does not widen the general per-payee one.
    config.payees["Acme"]["TSD"].daily.reset();
    paid(85000, utc(2026, 5, 11, 7), "Acme");
    EXPECT_EQ(check(1001, utc(2026, 5, 12, 9), "Acme").limit, limit_kind::payee_monthly_total);
}

TEST_F(limits_test, maximum_number_of_payments_per_day)
{
    config.currencies["TSD"] = {};
    config.max_payments_per_day = 2;
    paid(100, utc(2026, 5, 10, 7));
    paid(100, utc(2026, 5, 10, 8), "Other", payment_status::completed, "USD");
    auto d = check(100, utc(2026, 5, 10, 9));
    EXPECT_EQ(d.limit, limit_kind::payments_per_day);
    EXPECT_EQ(d.reason, "payment count today would be 3, limit 2 per day");
    EXPECT_TRUE(check(100, utc(2026, 5, 11, 9)).allowed);
}

TEST_F(limits_test, calendar_day_follows_the_policy_zone)
{
    config.currencies["TSD"] = {.daily = 10000};
    // 22:30 UTC on 1 March is 23:30 in Berlin (still 1 March); 23:30 UTC is 00:30 on 2 March.
    paid(10000, utc(2026, 3, 1, 22, 30));
    EXPECT_FALSE(check(1, utc(2026, 3, 1, 22, 59)).allowed);
    EXPECT_TRUE(check(1, utc(2026, 3, 1, 23, 0)).allowed);
}

TEST_F(limits_test, calendar_day_across_a_dst_change)
{
    config.currencies["TSD"] = {.daily = 10000};
    // Berlin switches to CEST on 29 March 2026: local midnight of 30 March is 22:00 UTC.
    paid(10000, utc(2026, 3, 29, 21, 59));
    EXPECT_FALSE(check(1, utc(2026, 3, 29, 21, 59)).allowed);
    EXPECT_TRUE(check(1, utc(2026, 3, 29, 22, 0)).allowed);
}

TEST_F(limits_test, calendar_month_follows_the_policy_zone)
{
    config.currencies["TSD"] = {.monthly = 10000};
    // 23:30 UTC on 31 January is already 1 February in Berlin.
    paid(10000, utc(2026, 1, 31, 23, 30));
    EXPECT_TRUE(check(10000, utc(2026, 1, 31, 22, 59)).allowed);
    EXPECT_FALSE(check(1, utc(2026, 2, 27, 12)).allowed);
}

TEST_F(limits_test, a_currency_without_limits_is_refused)
{
    auto d = check_payment(config, ledger, {100, "USD", "John Doe", utc(2026, 5, 10, 9), {}});
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.limit, limit_kind::no_limits_for_currency);
    EXPECT_EQ(d.reason, "no limits are configured for USD; payments in it are refused");
}

TEST_F(limits_test, limits_none_allows_any_amount_but_keeps_the_rule_cap)
{
    config.enabled = false;
    EXPECT_TRUE(
        check_payment(config, ledger, {99999999, "USD", "X", utc(2026, 5, 10, 9), {}}).allowed);
    EXPECT_EQ(check(200, utc(2026, 5, 10, 9), "John Doe", 100).limit, limit_kind::rule_max_amount);
}

TEST_F(limits_test, history_form_matches_the_ledger_form)
{
    config.currencies["TSD"] = {.daily = 10000};
    std::vector<payment_record> history{
        {6000, "TSD", "John Doe", utc(2026, 5, 10, 7), payment_status::completed},
        {4000, "TSD", "Maria Garcia", utc(2026, 5, 10, 8), payment_status::in_doubt},
    };
    auto d =
        check_payment(config, berlin, history, {1, "TSD", "John Doe", utc(2026, 5, 10, 9), {}});
    EXPECT_EQ(d.limit, limit_kind::daily_total);
}

TEST_F(limits_test, thousands_of_history_entries_accumulate_exactly)
{
    config.currencies["TSD"] = {.monthly = 5'000'000};
    const std::vector<std::string> payees{"Ann", "Bob", "Cid", "Dan", "Eve", "Fay", "Gus"};
    for (int i = 0; i < 5000; ++i)
        paid(1000, utc(2026, 5, 1, 0) + std::chrono::minutes(i * 8), payees[i % 7]);
    // 5000 payments over ~27.8 days, all in May (Berlin).
    EXPECT_EQ(ledger.currency_totals("TSD", utc(2026, 5, 20, 12)).month, 5'000'000);
    EXPECT_EQ(check(1, utc(2026, 5, 30, 12)).limit, limit_kind::monthly_total);
}

TEST(spending_ledger, without_a_zone_counts_utc_days)
{
    spending_ledger ledger;
    ledger.add({500, "TSD", "John Doe", utc(2026, 3, 1, 23, 59), payment_status::completed});
    EXPECT_EQ(ledger.currency_totals("TSD", utc(2026, 3, 1, 0)).day, 500);
    EXPECT_EQ(ledger.currency_totals("TSD", utc(2026, 3, 2, 0)).day, 0);
    EXPECT_EQ(ledger.currency_totals("TSD", utc(2026, 3, 31, 0)).month, 500);
    EXPECT_EQ(ledger.payments_on_day(utc(2026, 3, 1, 12)), 1);
}

TEST(spending_ledger, a_removed_reservation_counts_no_more)
{
    spending_ledger ledger;
    const payment_record kept{500, "TSD", "John Doe", utc(2026, 3, 1, 9),
                              payment_status::completed};
    const payment_record taken{300, "TSD", "John Doe", utc(2026, 3, 1, 10),
                               payment_status::in_doubt};
    ledger.add(kept);
    ledger.add(taken);
    EXPECT_EQ(ledger.currency_totals("TSD", utc(2026, 3, 1, 12)).day, 800);
    ledger.remove(taken);
    EXPECT_EQ(ledger.currency_totals("TSD", utc(2026, 3, 1, 12)).day, 500);
    EXPECT_EQ(ledger.currency_totals("TSD", utc(2026, 3, 1, 12)).month, 500);
    EXPECT_EQ(ledger.payee_totals("John Doe", "TSD", utc(2026, 3, 1, 12)).day, 500);
    EXPECT_EQ(ledger.payments_on_day(utc(2026, 3, 1, 12)), 1);
    ledger.remove(kept);
    EXPECT_EQ(ledger.payments_on_day(utc(2026, 3, 1, 12)), 0);
    EXPECT_EQ(ledger.currency_totals("TSD", utc(2026, 3, 1, 12)).month, 0);
}

TEST(limit_kind_names, are_stable_words)
{
    EXPECT_STREQ(to_string(limit_kind::monthly_total), "monthly_total");
    EXPECT_STREQ(to_string(limit_kind::payee_daily_total), "payee_daily_total");
    EXPECT_STREQ(to_string(limit_kind::payments_per_day), "payments_per_day");
}

}  // namespace
}  // namespace paymand::limits
