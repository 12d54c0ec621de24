// make_excerpt against a one-character-at-a-time reference of what it promises, on random
// hostile text and every cut size: same bytes, so records keep exactly the excerpts they had.

#include "paymand/audit/record.hpp"
#include "paymand/text/utf8.hpp"
#include "support/random_text.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace paymand::audit {
namespace {

std::string reference_excerpt(std::string_view text, std::size_t max_bytes)
{
    static constexpr std::string_view replacement = "\xEF\xBF\xBD";
    static constexpr std::string_view ellipsis = "\xE2\x80\xA6";
    const std::size_t budget = max_bytes > ellipsis.size() ? max_bytes - ellipsis.size() : 0;
    std::string out;
    std::size_t cut = 0;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = text::utf8_sequence_length(text, i);
        const std::string_view piece = n == 0 ? replacement : text.substr(i, n);
        i += n == 0 ? 1 : n;
        const auto c = static_cast<unsigned char>(piece[0]);
        if (piece.size() == 1 && (c < 0x20 || c == 0x7F) && c != '\t' && c != '\n') continue;
        if (out.size() + piece.size() > max_bytes) {
            out.resize(cut);
            out.append(ellipsis);
            return out;
        }
        out.append(piece);
        if (out.size() <= budget) cut = out.size();
    }
    return out;
}

TEST(make_excerpt, matches_the_one_character_at_a_time_reference)
{
    const std::vector<std::string> pieces = {"Paid ",
                                             "1.00 TSD",
                                             " to **John Doe**",
                                             "\n",
                                             "\t",
                                             "\x01",
                                             "\x1b[31m",
                                             "\x7f",
                                             "\xE2\x82\xAC",
                                             "\xC3\xA9",
                                             "\xF0\x9F\x98\x80",
                                             "\xFF",
                                             "\xC3",
                                             "\xE2\x82",
                                             "\xED\xA0\x80",
                                             "x",
                                             "long long long text without any stop at all"};
    std::mt19937 random(20261206);
    for (int round = 0; round < 4000; ++round) {
        const std::string value = test::random_mix(random, pieces, 14);
        const std::size_t max_bytes = random() % 4 == 0 ? max_excerpt_bytes : random() % 48;
        ASSERT_EQ(make_excerpt(value, max_bytes), reference_excerpt(value, max_bytes))
            << "value of " << value.size() << " bytes, max_bytes " << max_bytes;
    }
}

TEST(make_excerpt, an_ascii_run_across_the_cut_is_cut_at_the_budget)
{
    // 10 bytes allowed, 3 of them for the ellipsis: 7 bytes of text are kept.
    EXPECT_EQ(make_excerpt("abcdefghijklmnop", 10), "abcdefg\xE2\x80\xA6");
    EXPECT_EQ(make_excerpt("abcdefghij", 10), "abcdefghij");
    EXPECT_EQ(make_excerpt("\xE2\x82\xAC"
                           "abcdefghij",
                           10),
              "\xE2\x82\xAC"
              "abcd\xE2\x80\xA6");
    EXPECT_EQ(make_excerpt("abcdefghijk", 2), "\xE2\x80\xA6");
}

}  // namespace
}  // namespace paymand::audit
