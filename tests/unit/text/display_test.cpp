// Escaping untrusted text for people: each escape as documented, the limits, and the whole
// function checked against a plain one-code-point-at-a-time reference on random hostile text.

#include "paymand/text/display.hpp"
#include "paymand/text/utf8.hpp"
#include "support/random_text.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace paymand::text {
namespace {

// The escape written one code point at a time, as the documentation states it: the oracle.
std::size_t reference_escaped(std::string& out, std::string_view value, escape_limits limits)
{
    std::size_t shown = 0;
    std::size_t i = 0;
    while (i < value.size() && shown < limits.code_points) {
        const auto d = decode_utf8(value, i);
        std::string piece;
        std::size_t length = 1;
        if (!d) {
            piece = fmt::format("\\x{:02X}", static_cast<unsigned char>(value[i]));
        } else {
            const char32_t cp = d->code_point;
            length = d->length;
            if (limits.quotes && (cp == '"' || cp == '\\'))
                piece = fmt::format("\\{}", static_cast<char>(cp));
            else if (cp == '\n')
                piece = "\\n";
            else if (cp == '\r')
                piece = "\\r";
            else if (cp == '\t')
                piece = "\\t";
            else if (cp < 0x20 || cp == 0x7F)
                piece = fmt::format("\\x{:02X}", static_cast<unsigned>(cp));
            else if (invisible(cp) && cp <= 0xFFFF)
                piece = fmt::format("\\u{:04X}", static_cast<std::uint32_t>(cp));
            else if (invisible(cp))
                piece = fmt::format("\\U{:08X}", static_cast<std::uint32_t>(cp));
            else
                piece = std::string(value.substr(i, length));
        }
        if (out.size() + piece.size() > limits.bytes) break;
        out += piece;
        ++shown;
        i += length;
    }
    return i;
}

TEST(escape_for_display, safe_text_comes_back_unchanged)
{
    EXPECT_EQ(escape_for_display("Paid 100.00 TSD to \"John Doe\" (Müller, 李)"),
              "Paid 100.00 TSD to \"John Doe\" (Müller, 李)");
    EXPECT_EQ(escape_for_display(""), "");
}

TEST(escape_for_display, controls_invisibles_and_broken_utf8_are_escaped)
{
    EXPECT_EQ(escape_for_display("a\nb\rc\td"), "a\\nb\\rc\\td");
    EXPECT_EQ(escape_for_display("\x1b[31mred\x7f"), "\\x1B[31mred\\x7F");
    EXPECT_EQ(escape_for_display("pay \xE2\x80\xAE"
                                 "eve"),
              "pay \\u202Eeve");  // RLO
    EXPECT_EQ(escape_for_display("tag \xF3\xA0\x80\x81"), "tag \\U000E0001");
    EXPECT_EQ(escape_for_display("\xC2\x85next"), "\\u0085next");  // C1 NEL
    EXPECT_EQ(escape_for_display("cut \xC3"), "cut \\xC3");
    EXPECT_EQ(escape_for_display("\xC0\xAF"), "\\xC0\\xAF");  // overlong '/'
}

TEST(append_escaped, quotes_are_escaped_only_when_asked)
{
    std::string quoted;
    append_escaped(quoted, R"(say "hi" \ bye)", {});
    EXPECT_EQ(quoted, R"(say \"hi\" \\ bye)");
    std::string plain;
    append_escaped(plain, R"(say "hi" \ bye)", {.quotes = false});
    EXPECT_EQ(plain, R"(say "hi" \ bye)");
}

TEST(append_escaped, stops_at_the_code_point_limit_and_says_how_far_it_read)
{
    std::string out = "x=";
    EXPECT_EQ(append_escaped(out, "abcdef", {.code_points = 3}), 3u);
    EXPECT_EQ(out, "x=abc");
    out.clear();
    // "é" is one code point of two bytes; "\n" one code point written as two bytes.
    EXPECT_EQ(append_escaped(out, "é\nzz", {.code_points = 2}), 3u);
    EXPECT_EQ(out, "é\\n");
}

TEST(append_escaped, stops_before_an_escape_would_pass_the_byte_limit)
{
    std::string out = "ab";
    // Room for 3 more bytes: "cde" fits, then the escape of "\n" (2 bytes) does not.
    EXPECT_EQ(append_escaped(out, "cde\nf", {.bytes = 5}), 3u);
    EXPECT_EQ(out, "abcde");
    std::string full = "abcdef";
    EXPECT_EQ(append_escaped(full, "gh", {.bytes = 4}), 0u);
    EXPECT_EQ(full, "abcdef");
}

TEST(append_escaped, matches_the_one_code_point_at_a_time_reference_on_hostile_text)
{
    const std::vector<std::string> pieces = {"Paid ",
                                             "100.00",
                                             " TSD",
                                             "\"",
                                             "\\",
                                             "\n",
                                             "\r",
                                             "\t",
                                             "\x01",
                                             "\x7f",
                                             "\x1b[2J",
                                             "\xC2\x85",
                                             "\xC2\xAD",
                                             "\xE2\x80\xAE",
                                             "\xE2\x80\x8B",
                                             "\xEF\xBB\xBF",
                                             "\xF3\xA0\x80\x81",
                                             "Müller",
                                             "李",
                                             "\xF0\x9F\x98\x80",
                                             "\xC3",
                                             "\xE2\x80",
                                             "\xC0\xAF",
                                             "\xED\xA0\x80",
                                             " "};
    std::mt19937 random(20261206);
    for (int round = 0; round < 5000; ++round) {
        const std::string value = test::random_mix(random, pieces, 12);
        escape_limits limits;
        if (random() % 2 == 0) limits.code_points = random() % 16;
        if (random() % 2 == 0) limits.bytes = random() % 40;
        limits.quotes = random() % 2 == 0;
        const std::string prefix(random() % 4, '>');
        std::string expected = prefix;
        std::string actual = prefix;
        const auto expected_used = reference_escaped(expected, value, limits);
        const auto actual_used = append_escaped(actual, value, limits);
        ASSERT_EQ(actual, expected) << "value " << escape_for_display(value);
        ASSERT_EQ(actual_used, expected_used) << "value " << escape_for_display(value);
    }
}

}  // namespace
}  // namespace paymand::text
