#include "sandbox/money.hpp"

#include <gtest/gtest.h>

namespace paymand::sandbox {
namespace {

TEST(SandboxMoney, ParsesWholeAndDecimalAmounts)
{
    EXPECT_EQ(parse_amount("100"), 10000);
    EXPECT_EQ(parse_amount("100.5"), 10050);
    EXPECT_EQ(parse_amount("100.05"), 10005);
    EXPECT_EQ(parse_amount("0.01"), 1);
    EXPECT_EQ(parse_amount("1,000.00"), 100000);
    EXPECT_EQ(parse_amount("1,234,567.89"), 123456789);
}

TEST(SandboxMoney, RejectsMalformedAmounts)
{
    for (const char* bad : {"", "-1", "+1", "1e3", "1.", ".5", "1.234", "01", "1,00", "1,0000",
                            ",100", "abc", "10 0", "0", "0.00", "100000000000.01"})
        EXPECT_FALSE(parse_amount(bad)) << bad;
}

TEST(SandboxMoney, ZeroOnlyWhenAllowed)
{
    EXPECT_EQ(parse_amount("0", true), 0);
    EXPECT_EQ(parse_amount("0.00", true), 0);
    EXPECT_FALSE(parse_amount("0"));
}

TEST(SandboxMoney, FormatsExactly)
{
    EXPECT_EQ(format_plain(100000), "1000.00");
    EXPECT_EQ(format_plain(5), "0.05");
    EXPECT_EQ(format_grouped(100000), "1,000.00");
    EXPECT_EQ(format_grouped(123456789), "1,234,567.89");
    EXPECT_EQ(format_grouped(99), "0.99");
    EXPECT_EQ(format_grouped(-150), "-1.50");
}

TEST(SandboxMoney, CurrencyCodes)
{
    EXPECT_TRUE(valid_currency("TSD"));
    EXPECT_FALSE(valid_currency("tsd"));
    EXPECT_FALSE(valid_currency("TS"));
    EXPECT_FALSE(valid_currency("TSDX"));
}

}  // namespace
}  // namespace paymand::sandbox
