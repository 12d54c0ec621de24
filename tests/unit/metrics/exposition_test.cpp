// The text pieces of the exposition format: escaping and exact decimals.

#include "paymand/metrics/exposition.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace paymand::metrics {
namespace {

TEST(exposition, escapes_backslash_quote_and_newline_in_label_values)
{
    EXPECT_EQ(escape_label_value(R"(a\b"c)"
                                 "\nd"),
              R"(a\\b\"c\nd)");
    EXPECT_EQ(escape_label_value("plain 0.1.0"), "plain 0.1.0");
}

TEST(exposition, escapes_backslash_and_newline_in_help_but_not_quotes)
{
    EXPECT_EQ(escape_help("say \"hi\"\\\nbye"), "say \"hi\"\\\\\\nbye");
}

TEST(exposition, formats_decimals_exactly_without_trailing_zeros)
{
    EXPECT_EQ(format_decimal(1'500'000, 6), "1.5");
    EXPECT_EQ(format_decimal(5'000, 6), "0.005");
    EXPECT_EQ(format_decimal(30'000'000, 6), "30");
    EXPECT_EQ(format_decimal(0, 9), "0");
    EXPECT_EQ(format_decimal(30, 0), "30");
    EXPECT_EQ(format_decimal(1, 9), "0.000000001");
    EXPECT_EQ(format_decimal(123'456'789'012, 9), "123.456789012");
}

TEST(exposition, keeps_every_digit_of_the_largest_values)
{
    EXPECT_EQ(format_decimal(std::numeric_limits<std::uint64_t>::max(), 9),
              "18446744073.709551615");
    EXPECT_EQ(format_signed_decimal(std::numeric_limits<std::int64_t>::min(), 6),
              "-9223372036854.775808");
}

TEST(exposition, writes_negative_values_with_a_sign_and_zero_without)
{
    EXPECT_EQ(format_signed_decimal(-1'500'000, 6), "-1.5");
    EXPECT_EQ(format_signed_decimal(-5, 6), "-0.000005");
    EXPECT_EQ(format_decimal(0, 6, true), "0");
}

}  // namespace
}  // namespace paymand::metrics
