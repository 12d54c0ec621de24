// The strict YAML helper: positions, structural checks, typed getters.

#include "paymand/yaml/document.hpp"
#include "paymand/yaml/reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace paymand::yaml {
namespace {

using namespace std::chrono_literals;
using testing::ElementsAre;
using testing::HasSubstr;

std::vector<std::string> lines(const diagnostics& d)
{
    std::vector<std::string> out;
    for (const auto& item : d.items()) out.push_back(item.to_string());
    return out;
}

TEST(diagnostics, prints_one_based_positions_from_zero_based_marks)
{
    diagnostics d;
    YAML::Mark mark;
    mark.line = 11;
    mark.column = 6;
    d.error("rules/rent.yaml", mark, "bad thing");
    EXPECT_EQ(d.to_string(), "rules/rent.yaml:12:7: error: bad thing\n");
}

TEST(diagnostics, reports_a_mark_without_position_at_the_start)
{
    diagnostics d;
    d.error("f.yaml", YAML::Mark::null_mark(), "empty");
    EXPECT_EQ(d.items().front().to_string(), "f.yaml:1:1: error: empty");
}

TEST(document, reports_a_syntax_error_with_its_position)
{
    diagnostics d;
    EXPECT_FALSE(load_text("a: [1,\nb: 2\n", "x.yaml", d));
    EXPECT_THAT(
        lines(d),
        ElementsAre("x.yaml:3:1: error: YAML syntax error: end of sequence flow not found"));
}

TEST(document, reports_duplicate_keys_at_the_second_one)
{
    diagnostics d;
    auto root = load_text("a: 1\nb:\n  c: 2\n  c: 3\na: 4\n", "x.yaml", d);
    EXPECT_TRUE(root);
    EXPECT_THAT(lines(d), ElementsAre("x.yaml:4:3: error: duplicate key \"c\" in this mapping",
                                      "x.yaml:5:1: error: duplicate key \"a\" in this mapping"));
}

TEST(document, accepts_equal_keys_in_different_mappings)
{
    diagnostics d;
    EXPECT_TRUE(load_text("- {a: 1}\n- {a: 2}\n", "x.yaml", d));
    EXPECT_TRUE(d.empty());
}

TEST(document, refuses_aliases)
{
    diagnostics d;
    EXPECT_FALSE(load_text("a: &x [1, 2]\nb: *x\n", "x.yaml", d));
    EXPECT_THAT(lines(d), ElementsAre("x.yaml:2:1: error: the value of \"b\" is a YAML alias "
                                      "(*name); anchors and aliases are not allowed, write the "
                                      "value out"));
}

TEST(document, refuses_aliases_in_lists)
{
    diagnostics d;
    EXPECT_FALSE(load_text("- &x {a: 1}\n- *x\n", "x.yaml", d));
    EXPECT_THAT(lines(d), ElementsAre(HasSubstr("x.yaml:1:3: error: a YAML alias (*name) repeats "
                                                "this value")));
}

TEST(document, stops_at_aliases_so_nested_aliases_cannot_explode)
{
    std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    char prev = 'a';
    for (char c = 'b'; c <= 'z'; ++c, ++prev)
        text += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" +
                prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
    diagnostics d;
    EXPECT_FALSE(load_text(text, "x.yaml", d));
    EXPECT_FALSE(d.empty());
}

TEST(document, accepts_a_leading_document_marker)
{
    diagnostics d;
    EXPECT_TRUE(load_text("# comment\n---\na: 1\n", "x.yaml", d));
    EXPECT_TRUE(d.empty());
}

TEST(document, refuses_a_second_document_after_an_end_marker)
{
    diagnostics d;
    EXPECT_TRUE(load_text("a: 1\n...\n", "x.yaml", d));
    EXPECT_TRUE(d.empty());
    EXPECT_FALSE(load_text("a: 1\n...\nb: 2\n", "x.yaml", d));
    EXPECT_THAT(lines(d), ElementsAre(HasSubstr("x.yaml:3:1: error: a file holds one YAML")));
}

TEST(document, refuses_a_second_document)
{
    diagnostics d;
    EXPECT_FALSE(load_text("a: 1\n---\nb: 2\n", "x.yaml", d));
    EXPECT_THAT(lines(d), ElementsAre(HasSubstr("x.yaml:2:1: error: a file holds one YAML")));
}

TEST(document, refuses_mapping_keys_that_are_not_text)
{
    diagnostics d;
    load_text("? [1, 2]\n: 3\n", "x.yaml", d);
    EXPECT_THAT(lines(d), ElementsAre(HasSubstr("a mapping key must be plain text")));
}

TEST(document, loads_an_empty_document_as_null)
{
    diagnostics d;
    auto root = load_text("# only a comment\n", "x.yaml", d);
    ASSERT_TRUE(root);
    EXPECT_TRUE(root->IsNull());
    EXPECT_TRUE(d.empty());
}

TEST(document, reports_a_missing_file)
{
    diagnostics d;
    EXPECT_FALSE(load_file("/nonexistent/dir/rules.yaml", "rules.yaml", d));
    EXPECT_THAT(lines(d), ElementsAre(HasSubstr("rules.yaml:1:1: error: cannot read file")));
}

class reader_test : public testing::Test {
protected:
    std::optional<mapping> read(const std::string& text, std::initializer_list<key_rule> keys)
    {
        auto root = load_text(text, "t.yaml", diags);
        if (!root) return std::nullopt;
        root_ = *root;
        return in.read_mapping(root_, keys, "thing");
    }
    const field& get(const mapping& m, std::string_view key) { return *m.find(key); }

    diagnostics diags;
    reader in{"t.yaml", diags};
    YAML::Node root_;
};

TEST_F(reader_test, reports_every_unknown_key_and_every_missing_required_key)
{
    auto m =
        read("a: 1\nzz: 2\nyy: 3\n", {{"a"}, {"b", presence::required}, {"c", presence::required}});
    ASSERT_TRUE(m);
    EXPECT_THAT(lines(diags),
                ElementsAre("t.yaml:1:1: error: thing is missing the required key \"b\"",
                            "t.yaml:1:1: error: thing is missing the required key \"c\"",
                            "t.yaml:2:1: error: unknown key \"zz\" in thing (allowed: a, b, c)",
                            "t.yaml:3:1: error: unknown key \"yy\" in thing (allowed: a, b, c)"));
    EXPECT_TRUE(m->has("a"));
    EXPECT_FALSE(m->has("zz"));
}

TEST_F(reader_test, refuses_a_non_mapping)
{
    auto m = read("- 1\n", {{"a"}});
    EXPECT_FALSE(m);
    EXPECT_THAT(lines(diags),
                ElementsAre("t.yaml:1:1: error: thing must be a mapping of keys to values, got a "
                            "list"));
}

TEST_F(reader_test, reads_booleans_strictly)
{
    auto m = read("a: true\nb: false\nc: yes\nd: \"true\"\ne: on\n",
                  {{"a"}, {"b"}, {"c"}, {"d"}, {"e"}});
    EXPECT_EQ(in.boolean(get(*m, "a")), true);
    EXPECT_EQ(in.boolean(get(*m, "b")), false);
    EXPECT_EQ(in.boolean(get(*m, "c")), std::nullopt);
    EXPECT_EQ(in.boolean(get(*m, "d")), std::nullopt);
    EXPECT_EQ(in.boolean(get(*m, "e")), std::nullopt);
    EXPECT_EQ(diags.size(), 3u);
    EXPECT_EQ(diags.items()[0].to_string(),
              "t.yaml:3:4: error: \"c\" must be true or false, got \"yes\"");
}

TEST_F(reader_test, reads_integers_within_range)
{
    auto m = read("a: 20\nb: 0x10\nc: 2.5\nd: 1000\ne: -3\n", {{"a"}, {"b"}, {"c"}, {"d"}, {"e"}});
    EXPECT_EQ(in.integer(get(*m, "a"), 1, 100), 20);
    EXPECT_EQ(in.integer(get(*m, "b"), 1, 100), std::nullopt);
    EXPECT_EQ(in.integer(get(*m, "c"), 1, 100), std::nullopt);
    EXPECT_EQ(in.integer(get(*m, "d"), 1, 100), std::nullopt);
    EXPECT_EQ(in.integer(get(*m, "e"), -5, 5), -3);
    EXPECT_THAT(lines(diags)[2], HasSubstr("\"d\" must be between 1 and 100, got 1000"));
}

TEST_F(reader_test, reads_durations)
{
    auto m =
        read("a: 90m\nb: 72h\nc: 1h30m\nd: 3 days\ne: 0s\n", {{"a"}, {"b"}, {"c"}, {"d"}, {"e"}});
    EXPECT_EQ(in.duration(get(*m, "a"), 1s, 100h), 90min);
    EXPECT_EQ(in.duration(get(*m, "b"), 1s, 100h), 72h);
    EXPECT_EQ(in.duration(get(*m, "c"), 1s, 100h), 90min);
    EXPECT_EQ(in.duration(get(*m, "d"), 1s, 100h), std::nullopt);
    EXPECT_EQ(in.duration(get(*m, "e"), 1s, 100h), std::nullopt);
    EXPECT_THAT(lines(diags), ElementsAre(HasSubstr("t.yaml:4:4: error: \"d\" must be a duration"),
                                          HasSubstr("\"e\" must be between 1s and 4d4h, got 0s")));
}

TEST(duration, parses_units_in_descending_order_only)
{
    EXPECT_EQ(parse_duration("2d"), 48h);
    EXPECT_EQ(parse_duration("1d2h3m4s"), 93784s);
    EXPECT_EQ(parse_duration("45s"), 45s);
    for (auto bad :
         {"", "h", "1", "1h1h", "30m1h", "1.5h", "1H", "-1h", " 1h", "1h ", "1w", "1234567890s"})
        EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
}

TEST(duration, formats_back_to_the_shortest_text)
{
    EXPECT_EQ(format_duration(72h), "3d");
    EXPECT_EQ(format_duration(90min), "1h30m");
    EXPECT_EQ(format_duration(0s), "0s");
    EXPECT_EQ(format_duration(3601s), "1h1s");
}

TEST(duration, milliseconds_may_end_a_fine_duration_only)
{
    EXPECT_EQ(parse_duration_ms("500ms"), 500ms);
    EXPECT_EQ(parse_duration_ms("1s250ms"), 1250ms);
    EXPECT_EQ(parse_duration_ms("2s"), 2000ms);
    EXPECT_EQ(parse_duration_ms("1m5ms"), 60005ms);
    for (auto bad : {"", "ms", "5ms1s", "1.5s", "5msx", "1234567890ms", "5 ms", "1h1h5ms"})
        EXPECT_EQ(parse_duration_ms(bad), std::nullopt) << bad;
    EXPECT_EQ(parse_duration("500ms"), std::nullopt);  // whole-second durations stay so
    EXPECT_EQ(format_duration_ms(500ms), "500ms");
    EXPECT_EQ(format_duration_ms(2000ms), "2s");
    EXPECT_EQ(format_duration_ms(61250ms), "1m1s250ms");
    EXPECT_EQ(format_duration_ms(0ms), "0s");
}

TEST_F(reader_test, keeps_the_source_text_of_numbers)
{
    auto m = read("a: 100.50\nb: \"7\"\nc: 1e3\n", {{"a"}, {"b"}, {"c"}});
    auto a = in.scalar(get(*m, "a"));
    auto b = in.scalar(get(*m, "b"));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->text, "100.50");
    EXPECT_FALSE(a->quoted);
    EXPECT_EQ(b->text, "7");
    EXPECT_TRUE(b->quoted);
    EXPECT_EQ(in.scalar(get(*m, "c"))->text, "1e3");
}

TEST_F(reader_test, reports_an_empty_value_at_its_key)
{
    auto m = read("a:\nb: 1\n", {{"a"}, {"b"}});
    EXPECT_EQ(in.text(get(*m, "a")), std::nullopt);
    EXPECT_THAT(lines(diags), ElementsAre("t.yaml:1:1: error: \"a\" must be text, got nothing"));
}

TEST_F(reader_test, reads_one_of_a_fixed_set)
{
    enum class colour { red, green };
    auto m = read("a: green\nb: blue\n", {{"a"}, {"b"}});
    EXPECT_EQ(in.one_of<colour>(get(*m, "a"), {{"red", colour::red}, {"green", colour::green}}),
              colour::green);
    EXPECT_EQ(in.one_of<colour>(get(*m, "b"), {{"red", colour::red}, {"green", colour::green}}),
              std::nullopt);
    EXPECT_THAT(lines(diags),
                ElementsAre("t.yaml:2:4: error: \"b\" must be one of red, green, got \"blue\""));
}

TEST_F(reader_test, reads_sequences)
{
    auto m = read("a: [1, 2]\nb: 3\n", {{"a"}, {"b"}});
    EXPECT_EQ(in.sequence(get(*m, "a"))->size(), 2u);
    EXPECT_EQ(in.sequence(get(*m, "b")), std::nullopt);
    EXPECT_THAT(lines(diags), ElementsAre("t.yaml:2:4: error: \"b\" must be a list, got \"3\""));
}

TEST_F(reader_test, applies_defaults_for_absent_keys)
{
    auto m = read("a: x\n", {{"a"}, {"b"}, {"c"}});
    EXPECT_EQ(in.text_or(*m, "a", "d"), "x");
    EXPECT_EQ(in.text_or(*m, "b", "d"), "d");
    EXPECT_EQ(in.boolean_or(*m, "c", true), true);
    EXPECT_TRUE(diags.empty());
}

}  // namespace
}  // namespace paymand::yaml

namespace paymand::yaml {
namespace {

TEST(diagnostics_order, errors_come_in_file_then_line_and_column_order)
{
    diagnostics d;
    d.error("b.yaml", 9, 1, "b late");
    d.error("a.yaml", 5, 3, "a second");
    d.error("b.yaml", 2, 4, "b early");
    d.error("a.yaml", 5, 1, "a first");
    d.error("a.yaml", 5, 1, "a first, found later");
    std::vector<std::string> messages;
    for (const auto& x : d.items()) messages.push_back(x.file + ":" + x.message);
    // Files in the order their first error was found; within one, by position.
    EXPECT_EQ(messages,
              (std::vector<std::string>{"b.yaml:b early", "b.yaml:b late", "a.yaml:a first",
                                        "a.yaml:a first, found later", "a.yaml:a second"}));
}

}  // namespace
}  // namespace paymand::yaml
