// Conditions: each comparison at its boundary, unknown and foreign-currency balances.

#include "paymand/money/parse.hpp"
#include "paymand/rules/condition.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paymand::rules {
namespace {

using op = balance_condition::comparison;

money::amount tsd(std::int64_t minor)
{
    return money::amount(*money::currency::find("TSD"), minor);
}
money::amount usd(std::int64_t minor)
{
    return money::amount(*money::currency::find("USD"), minor);
}

condition balance(op o, std::int64_t threshold)
{
    return balance_condition{"Main", o, tsd(threshold)};
}

condition_result eval(const condition& c, money::amount bal,
                      std::optional<money::amount> payment = std::nullopt)
{
    condition_facts facts;
    facts.balances.emplace("Main", bal);
    facts.payment = payment;
    return evaluate(c, facts);
}

TEST(condition, above_is_strictly_greater)
{
    EXPECT_TRUE(eval(balance(op::above, 100000), tsd(100001)).met);
    EXPECT_FALSE(eval(balance(op::above, 100000), tsd(100000)).met);
}

TEST(condition, at_least_includes_the_threshold)
{
    EXPECT_TRUE(eval(balance(op::at_least, 100000), tsd(100000)).met);
    EXPECT_FALSE(eval(balance(op::at_least, 100000), tsd(99999)).met);
}

TEST(condition, below_is_strictly_less)
{
    EXPECT_TRUE(eval(balance(op::below, 100000), tsd(99999)).met);
    EXPECT_FALSE(eval(balance(op::below, 100000), tsd(100000)).met);
}

TEST(condition, min_remaining_subtracts_the_payment)
{
    auto c = balance(op::min_remaining, 20000);
    auto r = eval(c, tsd(140000), tsd(120000));
    EXPECT_TRUE(r.met);
    EXPECT_EQ(r.explanation, "balance of Main is 1,400.00 TSD, 200.00 TSD would remain after "
                             "paying 1,200.00 TSD, required at least 200.00 TSD");
    EXPECT_FALSE(eval(c, tsd(139999), tsd(120000)).met);
    EXPECT_FALSE(eval(c, tsd(140000)).met);  // no payment amount: not met
}

TEST(condition, explains_with_the_figures)
{
    auto r = eval(balance(op::above, 100000), tsd(123456789));
    EXPECT_TRUE(r.met);
    EXPECT_EQ(r.explanation, "balance of Main is 1,234,567.89 TSD, required above 1,000.00 TSD");
}

TEST(condition, an_unknown_balance_is_not_met)
{
    auto r = evaluate(balance(op::below, 100), condition_facts{});
    EXPECT_FALSE(r.met);
    EXPECT_EQ(r.explanation, "balance of Main is unknown");
}

TEST(condition, a_balance_in_another_currency_is_not_met)
{
    auto r = eval(balance(op::below, 100000), usd(1));
    EXPECT_FALSE(r.met);
    EXPECT_EQ(r.explanation, "balance of Main is in USD, the condition is in TSD");
}

TEST(condition, describes_itself_and_names_its_wallets)
{
    auto c = balance(op::at_least, 150050);
    EXPECT_EQ(describe(c), "balance of Main at_least 1500.50 TSD");
    EXPECT_THAT(wallets_needed(c), testing::ElementsAre("Main"));
}

}  // namespace
}  // namespace paymand::rules
