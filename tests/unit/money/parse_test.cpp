#include "money_test_util.hpp"
#include "paymand/money/parse.hpp"

#include <gtest/gtest.h>

namespace paymand::money {
namespace {

using test::tsd;

std::int64_t minor(std::string_view text, const parse_params& params = {})
{
    auto r = parse_amount(text, tsd(), params);
    EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error().message);
    return r ? r->minor_units() : -1;
}

core::error refusal(std::string_view text, const parse_params& params = {})
{
    auto r = parse_amount(text, tsd(), params);
    EXPECT_FALSE(r.has_value()) << text << " was accepted";
    return r ? core::error{} : r.error();
}

TEST(money_parse, whole_number_gets_all_decimals)
{
    EXPECT_EQ(minor("100"), 10000);
}
TEST(money_parse, one_decimal_is_tenths)
{
    EXPECT_EQ(minor("100.5"), 10050);
}
TEST(money_parse, two_decimals_exact)
{
    EXPECT_EQ(minor("0.01"), 1);
}
TEST(money_parse, zero_before_point_is_fine)
{
    EXPECT_EQ(minor("0.10"), 10);
}
TEST(money_parse, no_floating_point_rounding)
{
    EXPECT_EQ(minor("0.29"), 29);
}
TEST(money_parse, maximum_itself_is_accepted)
{
    EXPECT_EQ(minor("1000000000"), 100000000000);
}

TEST(money_parse, grouping_accepted_only_when_asked)
{
    EXPECT_EQ(minor("1,234,567.89", {.allow_grouping = true}), 123456789);
    auto e = refusal("1,234.56");
    EXPECT_EQ(e.code, money_errc::grouping_not_allowed);
    EXPECT_EQ(e.offset, 1u);
}

TEST(money_parse, bad_groups_are_refused)
{
    const parse_params grouped{.allow_grouping = true};
    for (auto text : {"1,23", "12,34.5", ",100", "1234,567", "1,,234", "1,234,", "1,2345"})
        EXPECT_EQ(refusal(text, grouped).code, money_errc::bad_grouping) << text;
}

TEST(money_parse, exponent_refused_with_offset)
{
    auto e = refusal("1e3");
    EXPECT_EQ(e.code, money_errc::exponent);
    EXPECT_EQ(e.offset, 1u);
    EXPECT_EQ(refusal("1.5E2").code, money_errc::exponent);
}

TEST(money_parse, nan_and_inf_refused)
{
    for (auto text : {"nan", "NaN", "inf", "-inf", ".inf", ".NaN", "Infinity", "+.inf"})
        EXPECT_EQ(refusal(text, {.sign = sign_rule::any}).code, money_errc::not_a_number) << text;
}

TEST(money_parse, plus_sign_refused)
{
    EXPECT_EQ(refusal("+5").code, money_errc::sign_not_allowed);
}

TEST(money_parse, negative_refused_unless_allowed)
{
    EXPECT_EQ(refusal("-5").code, money_errc::negative);
    EXPECT_EQ(refusal("-5", {.sign = sign_rule::non_negative}).code, money_errc::negative);
    EXPECT_EQ(minor("-5.25", {.sign = sign_rule::any}), -525);
}

TEST(money_parse, zero_refused_where_positive_required)
{
    EXPECT_EQ(refusal("0").code, money_errc::zero);
    EXPECT_EQ(refusal("0.00").code, money_errc::zero);
    EXPECT_EQ(minor("0.00", {.sign = sign_rule::non_negative}), 0);
}

TEST(money_parse, too_many_decimals_names_currency_and_offset)
{
    auto e = refusal("1.234");
    EXPECT_EQ(e.code, money_errc::too_many_decimals);
    EXPECT_EQ(e.offset, 4u);
    EXPECT_NE(e.message.find("TSD allows at most 2"), std::string::npos) << e.message;
    EXPECT_EQ(refusal("1.230").code, money_errc::too_many_decimals);
}

TEST(money_parse, missing_digits_refused)
{
    EXPECT_EQ(refusal(".5").code, money_errc::missing_digits);
    EXPECT_EQ(refusal("5.").code, money_errc::missing_digits);
    EXPECT_EQ(refusal("-", {.sign = sign_rule::any}).code, money_errc::missing_digits);
}

TEST(money_parse, empty_refused)
{
    EXPECT_EQ(refusal("").code, money_errc::empty);
}

TEST(money_parse, leading_zero_refused)
{
    EXPECT_EQ(refusal("0100").code, money_errc::leading_zero);
}

TEST(money_parse, above_maximum_refused)
{
    EXPECT_EQ(refusal("1000000000.01").code, money_errc::too_large);
    EXPECT_EQ(refusal("99999999999999999999999").code, money_errc::too_large);
    EXPECT_EQ(refusal("500.01", {.max_minor = 50000}).code, money_errc::too_large);
    EXPECT_EQ(minor("500.00", {.max_minor = 50000}), 50000);
}

TEST(money_parse, stray_characters_refused_with_offset)
{
    for (auto [text, offset] :
         std::initializer_list<std::pair<const char*, std::size_t>>{{" 5", 0},
                                                                    {"5 ", 1},
                                                                    {"5$", 1},
                                                                    {"$5", 0},
                                                                    {"5 TSD", 1},
                                                                    {"1_000", 1},
                                                                    {"0x10", 1},
                                                                    {"1.2.3", 3},
                                                                    {"5\n", 1}}) {
        auto e = refusal(text);
        EXPECT_EQ(e.code, money_errc::invalid_character) << text << ": " << e.message;
        EXPECT_EQ(e.offset, offset) << text;
    }
}

TEST(money_parse, hostile_text_is_not_echoed)
{
    auto e = refusal("5\x1b[31m");
    EXPECT_EQ(e.message.find('\x1b'), std::string::npos);
}

TEST(money_parse, unknown_currency_refused)
{
    auto r = parse_amount("5", "EUR");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, money_errc::unknown_currency);
    EXPECT_NE(r.error().message.find("TSD, USD"), std::string::npos);
    EXPECT_FALSE(parse_amount("5", "tsd"));
    EXPECT_TRUE(parse_amount("5", "USD"));
}

}  // namespace
}  // namespace paymand::money
