#include "paymand/text/utf8.hpp"
#include "paymand/text/word_class.hpp"

#include <gtest/gtest.h>

namespace paymand::text {
namespace {

TEST(utf8, decodes_each_length)
{
    EXPECT_EQ(decode_utf8("A", 0)->code_point, U'A');
    EXPECT_EQ(decode_utf8("\xC3\xBC", 0)->code_point, U'\u00FC');
    EXPECT_EQ(decode_utf8("\xE2\x82\xAC", 0)->length, 3u);
    EXPECT_EQ(decode_utf8("\xF0\x9F\x98\x80", 0)->code_point, U'\U0001F600');
}

TEST(utf8, refuses_malformed_sequences)
{
    for (std::string_view bad :
         {"\x80", "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xED\xA0\x80", "\xF0\x80\x80\x80",
          "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xC3", "\xE2\x82", "\xC3\x28", "\xFF"})
        EXPECT_FALSE(decode_utf8(bad, 0)) << testing::PrintToString(bad);
    EXPECT_FALSE(is_valid_utf8("ok\xC3"));
    EXPECT_TRUE(is_valid_utf8("Zoë 李"));
}

TEST(utf8, append_round_trips)
{
    std::string out;
    for (char32_t cp : {U'a', U'\u00E9', U'\u20AC', U'\U0001F600'}) append_utf8(out, cp);
    EXPECT_EQ(out, "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(word_class, verbs_currency_and_numbers_any_case)
{
    EXPECT_EQ(classify_word("SEND"), word_class::payment_verb);
    EXPECT_EQ(classify_word("Transferred"), word_class::payment_verb);
    EXPECT_EQ(classify_word("ignore"), word_class::instruction_word);
    EXPECT_EQ(classify_word("tsd"), word_class::currency_word);
    EXPECT_EQ(classify_word("Million"), word_class::number_word);
    EXPECT_EQ(classify_word("Payton"), word_class::ordinary);
    EXPECT_EQ(classify_word("Sender"), word_class::ordinary);
}

TEST(word_class, iso_codes_only_in_capitals)
{
    EXPECT_TRUE(is_iso_currency_code("TRY"));
    EXPECT_FALSE(is_iso_currency_code("Try"));
    EXPECT_FALSE(is_iso_currency_code("ABC"));
}

}  // namespace
}  // namespace paymand::text
