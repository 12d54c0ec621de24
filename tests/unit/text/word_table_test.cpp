#include "paymand/text/word_table.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace paymand::text {
namespace word_table_test {

enum class colour { red, green, blue, unnamed };

constexpr auto colour_words = make_word_table<colour>({
    {colour::red, "red"},
    {colour::green, "green"},
    {colour::blue, "blue"},
});

// Both directions come from the one table, at compile time as well.
static_assert(colour_words.word(colour::green) == "green");
static_assert(colour_words.parse("blue") == colour::blue);

TEST(word_table, gives_the_word_of_each_value_and_the_value_of_each_word)
{
    for (const auto& row : colour_words.rows()) {
        EXPECT_EQ(colour_words.word(row.value), row.word);
        EXPECT_EQ(colour_words.parse(row.word), row.value);
    }
    EXPECT_EQ(colour_words.word(colour::red), "red");
    EXPECT_EQ(colour_words.parse("green"), colour::green);
}

TEST(word_table, a_value_without_a_row_gets_the_fallback)
{
    EXPECT_EQ(colour_words.word(colour::unnamed), "");
    EXPECT_EQ(colour_words.word(colour::unnamed, "unknown"), "unknown");
}

TEST(word_table, parses_exact_words_only)
{
    EXPECT_FALSE(colour_words.parse("Red"));
    EXPECT_FALSE(colour_words.parse(" red"));
    EXPECT_FALSE(colour_words.parse(""));
    EXPECT_FALSE(colour_words.parse("unnamed"));
}

TEST(word_table, refuses_a_value_or_a_word_twice)
{
    // At compile time this is an error; built at run time it throws.
    const word_row<colour> same_value[] = {{colour::red, "red"}, {colour::red, "crimson"}};
    const word_row<colour> same_word[] = {{colour::red, "red"}, {colour::blue, "red"}};
    EXPECT_THROW((word_table<colour, 2>(same_value)), std::logic_error);
    EXPECT_THROW((word_table<colour, 2>(same_word)), std::logic_error);
}

}  // namespace word_table_test
}  // namespace paymand::text
