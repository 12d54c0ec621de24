#include "paymand/reply/phrase_set.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::reply {
namespace {

// What phrase_set must answer: a search of the text per phrase.
phrase_set::found searched(std::string_view text, const std::vector<std::string_view>& phrases)
{
    phrase_set::found out;
    for (std::size_t i = 0; i < phrases.size(); ++i)
        if (text.find(phrases[i]) != std::string_view::npos) out.set(i);
    return out;
}

const std::vector<std::string_view> sample = {
    " not ",
    "n't ",
    "not enough funds",
    "not",
    "?",
    "no",
    " no ",
    "was sent",
    "sent",
    "a",
    "insufficient",
    "s",
    "has been sent",
    "en",
    // The same phrase twice (as "failed" and "cannot" are in two of the reply's lists): both
    // are reported.
    "no",
    "?",
};

TEST(phrase_set, finds_what_a_search_per_phrase_finds)
{
    const phrase_set set(sample);
    for (std::string_view text :
         {"", "a", "?", "no", " no ", "nope", " i can't send it ", " it was sent? ",
          " you do not have enough funds ", "insufficient", "insufficien", " has been sen",
          " not enough funds", "not enough funds ", "ssss", "enen"}) {
        EXPECT_EQ(set.find(text), searched(text, sample)) << '"' << text << '"';
    }
}

TEST(phrase_set, agrees_with_a_search_per_phrase_on_random_texts)
{
    // Texts built from pieces of the phrases themselves, so that matches, near misses,
    // overlaps and phrases at either end of the text are all common.
    const phrase_set set(sample);
    std::mt19937 rng(20261205);
    const std::string_view pieces[] = {"no",   "t ",    " ",      "n't",    "s",
                                       "en",   "ough ", "funds",  "?",      "was ",
                                       "sent", "a",     "insuff", "icient", "has been "};
    for (int round = 0; round < 20000; ++round) {
        std::string text;
        const auto count = rng() % 8;
        for (unsigned i = 0; i < count; ++i) text += pieces[rng() % std::size(pieces)];
        ASSERT_EQ(set.find(text), searched(text, sample)) << '"' << text << '"';
    }
}

TEST(phrase_set, bytes_above_ascii_are_bytes_like_any_other)
{
    const std::vector<std::string_view> phrases = {"\xc3\xa9t\xc3\xa9", "\xff\xfe", "z\x80"};
    const phrase_set set(phrases);
    for (std::string_view text : {"l'\xc3\xa9t\xc3\xa9 ", "\xff\xfe", "\xfe\xff", "az\x80z"})
        EXPECT_EQ(set.find(text), searched(text, phrases));
}

TEST(phrase_set, refuses_an_empty_phrase_and_too_many)
{
    EXPECT_THROW(phrase_set({"a", ""}), std::logic_error);
    std::vector<std::string_view> many(phrase_set::max_phrases + 1, "x");
    EXPECT_THROW(phrase_set{many}, std::logic_error);
}

}  // namespace
}  // namespace paymand::reply
