#include "money_test_util.hpp"
#include "paymand/money/amount.hpp"
#include "paymand/money/arithmetic.hpp"
#include "paymand/money/parse.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace paymand::money {
namespace {

using test::tsd;
using test::usd;

TEST(money_format, whole_amount_shows_all_decimals)
{
    EXPECT_EQ(format_decimal(*parse_amount("100", tsd())), "100.00");
}

TEST(money_format, small_and_negative_values)
{
    EXPECT_EQ(format_decimal(amount(tsd(), 5)), "0.05");
    EXPECT_EQ(format_decimal(amount(tsd(), -5)), "-0.05");
    EXPECT_EQ(format_decimal(amount(tsd(), 0)), "0.00");
    EXPECT_EQ(format_with_code(amount(usd(), 123456)), "1234.56 USD");
}

TEST(money_format, extreme_values_format_exactly)
{
    EXPECT_EQ(format_decimal(amount(tsd(), std::numeric_limits<std::int64_t>::min())),
              "-92233720368547758.08");
    EXPECT_EQ(format_decimal(amount(tsd(), std::numeric_limits<std::int64_t>::max())),
              "92233720368547758.07");
}

TEST(money_format, round_trips_through_parse)
{
    for (auto text : {"0.01", "1.10", "999999999.99", "12.34"})
        EXPECT_EQ(format_decimal(*parse_amount(text, tsd())), text);
}

TEST(money_currency, table_lists_tsd_and_usd_with_two_decimals)
{
    ASSERT_EQ(known_currencies().size(), 2u);
    EXPECT_EQ(tsd().decimals(), 2);
    EXPECT_EQ(usd().decimals(), 2);
    EXPECT_FALSE(currency::find("EUR"));
    EXPECT_FALSE(tsd() == usd());
}

TEST(money_arith, add_and_subtract_same_currency)
{
    EXPECT_EQ(checked_add(amount(tsd(), 150), amount(tsd(), 250))->minor_units(), 400);
    EXPECT_EQ(checked_subtract(amount(tsd(), 150), amount(tsd(), 250))->minor_units(), -100);
}

TEST(money_arith, currency_mix_refused)
{
    auto r = checked_add(amount(tsd(), 1), amount(usd(), 1));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, money_errc::currency_mismatch);
    EXPECT_FALSE(compare(amount(tsd(), 1), amount(usd(), 1)));
    EXPECT_FALSE(checked_subtract(amount(tsd(), 1), amount(usd(), 1)));
}

TEST(money_arith, overflow_refused)
{
    const auto max = std::numeric_limits<std::int64_t>::max();
    const auto min = std::numeric_limits<std::int64_t>::min();
    EXPECT_EQ(checked_add(amount(tsd(), max), amount(tsd(), 1)).error().code, money_errc::overflow);
    EXPECT_EQ(checked_subtract(amount(tsd(), min), amount(tsd(), 1)).error().code,
              money_errc::overflow);
}

TEST(money_arith, sum_of_many_and_of_none)
{
    std::vector<amount> values(1000, amount(tsd(), 1999));
    EXPECT_EQ(checked_sum(values, tsd())->minor_units(), 1999000);
    EXPECT_EQ(checked_sum({}, tsd())->minor_units(), 0);
    values.push_back(amount(usd(), 1));
    EXPECT_EQ(checked_sum(values, tsd()).error().code, money_errc::currency_mismatch);
}

TEST(money_arith, compare_orders_values)
{
    EXPECT_EQ(*compare(amount(tsd(), 1), amount(tsd(), 2)), std::strong_ordering::less);
    EXPECT_EQ(*compare(amount(tsd(), 2), amount(tsd(), 2)), std::strong_ordering::equal);
}

TEST(money_error, category_names_itself)
{
    boost::system::error_code ec = money_errc::too_large;
    EXPECT_STREQ(ec.category().name(), "paymand.money");
    EXPECT_EQ(ec.message(), "amount above the maximum");
}

}  // namespace
}  // namespace paymand::money
