// Values from input files shown in diagnostics: escaped, on one line, bounded.

#include "paymand/yaml/document.hpp"
#include "paymand/yaml/quote.hpp"
#include "paymand/yaml/reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace paymand::yaml {
namespace {

using testing::HasSubstr;

TEST(quote_value, puts_plain_text_in_double_quotes)
{
    EXPECT_EQ(quote_value("rent"), "\"rent\"");
    EXPECT_EQ(quote_value(""), "\"\"");
    EXPECT_EQ(quote_value("Jos\xC3\xA9 M\xC3\xBCller"), "\"Jos\xC3\xA9 M\xC3\xBCller\"");
}

TEST(quote_value, escapes_quotes_and_backslashes)
{
    EXPECT_EQ(quote_value("a\"b\\c"), "\"a\\\"b\\\\c\"");
}

TEST(quote_value, escapes_newlines_returns_and_tabs)
{
    EXPECT_EQ(quote_value("rent\nreport: payees"), "\"rent\\nreport: payees\"");
    EXPECT_EQ(quote_value("a\r\nb\tc"), "\"a\\r\\nb\\tc\"");
}

TEST(quote_value, escapes_other_control_bytes_as_hex)
{
    EXPECT_EQ(quote_value(std::string("a\0b", 3)), "\"a\\x00b\"");
    EXPECT_EQ(quote_value("\x1b[31mred"), "\"\\x1B[31mred\"");
    EXPECT_EQ(quote_value("del\x7f"), "\"del\\x7F\"");
}

TEST(quote_value, escapes_invalid_utf8_byte_by_byte)
{
    EXPECT_EQ(quote_value("Jo\xFFhn"), "\"Jo\\xFFhn\"");
    EXPECT_EQ(quote_value("\xC0\xAF"), "\"\\xC0\\xAF\"");  // overlong '/'
    EXPECT_EQ(quote_value("x\xC3"), "\"x\\xC3\"");         // truncated sequence
}

TEST(quote_value, escapes_c1_controls_and_invisible_bidi_characters)
{
    EXPECT_EQ(quote_value("a\xC2\x85"
                          "b"),
              "\"a\\u0085b\"");  // NEL
    EXPECT_EQ(quote_value("Bob\xE2\x80\xAE"
                          "evE"),
              "\"Bob\\u202EevE\"");  // RLO
    EXPECT_EQ(quote_value("\xEF\xBB\xBFid"), "\"\\uFEFFid\"");
    EXPECT_EQ(quote_value("x\xF3\xA0\x81\x81"), "\"x\\U000E0041\"");  // tag letter A
}

TEST(quote_value, shows_at_most_64_code_points_and_the_full_size)
{
    const std::string huge(100000, 'a');
    EXPECT_EQ(quote_value(huge), "\"" + std::string(64, 'a') + "\"...(100000 bytes)");
    const std::string exact(64, 'b');
    EXPECT_EQ(quote_value(exact), "\"" + exact + "\"");
}

TEST(quote_value, counts_code_points_not_bytes)
{
    std::string umlauts;
    for (int i = 0; i < 65; ++i) umlauts += "\xC3\xBC";
    std::string shown;
    for (int i = 0; i < 64; ++i) shown += "\xC3\xBC";
    EXPECT_EQ(quote_value(umlauts), "\"" + shown + "\"...(130 bytes)");
}

TEST(quote_value, output_never_holds_a_raw_control_character)
{
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    for (std::size_t start = 0; start < all.size(); start += 32) {
        const std::string q = quote_value(all.substr(start, 32));
        for (unsigned char c : q) EXPECT_TRUE(c >= 0x20 && c != 0x7f) << q;
    }
}

TEST(document, a_nul_byte_is_reported_where_it_is)
{
    diagnostics d;
    EXPECT_FALSE(load_text(std::string("a: 1\nb: x\0y\n", 12), "f.yaml", d));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d.items().front().to_string(),
              "f.yaml:2:5: error: a NUL byte (\\x00) is not allowed in a YAML file");
}

TEST(document, deep_nesting_says_what_is_wrong)
{
    std::string text = "a: ";
    for (int i = 0; i < 3000; ++i) text += '[';
    diagnostics d;
    EXPECT_FALSE(load_text(text, "f.yaml", d));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_THAT(d.items().front().message, HasSubstr("nest "));
    EXPECT_THAT(d.items().front().message, HasSubstr("levels deep here, the parser's limit"));
}

TEST(document, many_aliases_of_one_anchor_are_reported_once_per_position)
{
    diagnostics d;
    EXPECT_FALSE(load_text("x: &a [1, 2]\ny: [*a, *a, *a, *a]\n", "f.yaml", d));
    const auto text = d.to_string();
    // The four aliases in the list share the anchor's mark: one line for them.
    EXPECT_EQ(d.size(), 1u) << text;
}

TEST(document, keys_in_messages_are_quoted_safely)
{
    diagnostics d;
    load_text("\"a\\nb\": 1\n\"a\\nb\": 2\n", "f.yaml", d);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d.items().front().message, "duplicate key \"a\\nb\" in this mapping");
}

TEST(reader, values_echoed_in_errors_are_quoted_and_bounded)
{
    diagnostics d;
    auto root =
        load_text("level: \"warn\\ning\"\nname: " + std::string(500, 'n') + "\n", "f.yaml", d);
    ASSERT_TRUE(root);
    reader in("f.yaml", d);
    auto m = in.read_mapping(*root, {{"level"}, {"name"}}, "test");
    ASSERT_TRUE(m);
    enum class level { info };
    EXPECT_FALSE(in.one_of<level>(*m->find("level"), {{"info", level::info}}));
    EXPECT_FALSE(in.integer(*m->find("name"), 0, 10));
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d.items()[0].message, "\"level\" must be one of info, got \"warn\\ning\"");
    EXPECT_EQ(d.items()[1].message, "\"name\" must be a whole number, got \"" +
                                        std::string(64, 'n') + "\"...(500 bytes)");
}

TEST(reader, unknown_keys_are_quoted_and_bounded)
{
    diagnostics d;
    auto root = load_text(std::string(200, 'k') + ": 1\n", "f.yaml", d);
    ASSERT_TRUE(root);
    reader in("f.yaml", d);
    in.read_mapping(*root, {{"known"}}, "test");
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d.items()[0].message, "unknown key \"" + std::string(64, 'k') +
                                        "\"...(200 bytes) in test (allowed: known)");
}

TEST(one_line, leaves_safe_text_alone_and_escapes_controls_without_quoting)
{
    EXPECT_EQ(one_line("unknown weekday 'frday'; expected mon"),
              "unknown weekday 'frday'; expected mon");
    EXPECT_EQ(one_line("unexpected 'Eu\nrope' here"), "unexpected 'Eu\\nrope' here");
    EXPECT_EQ(one_line("say \"x\" \\ y"), "say \"x\" \\ y");
    EXPECT_EQ(one_line("bidi \xE2\x80\xAE here"), "bidi \\u202E here");
    EXPECT_EQ(one_line("bad \xFF byte"), "bad \\xFF byte");
}

TEST(one_line, cuts_a_long_message_on_a_code_point_boundary)
{
    std::string message;
    for (int i = 0; i < 1000; ++i) message += "\xC3\xA9";  // 2000 bytes of é
    const auto out = one_line(message);
    EXPECT_LE(out.size(), max_message_size);
    ASSERT_TRUE(out.ends_with("..."));
    const auto kept = out.substr(0, out.size() - 3);
    EXPECT_EQ(kept.size() % 2, 0u);
    EXPECT_EQ(kept, message.substr(0, kept.size()));
}

TEST(diagnostics, every_message_is_one_bounded_line_whoever_wrote_it)
{
    diagnostics d;
    std::string message = "schedule token '";
    message.append(5000, 'w');
    message += "\nreport: payees'";
    d.error("f.yaml", 3, 4, message);
    ASSERT_EQ(d.size(), 1u);
    const auto line = d.to_string();
    EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
    EXPECT_LE(d.items()[0].message.size(), max_message_size);
}

}  // namespace
}  // namespace paymand::yaml
