#include "paymand/text/safe_text.hpp"
#include "paymand/text/utf8.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace paymand::text {
namespace {

// Hostile building blocks: whatever random mix of them is accepted must still be free of
// everything the grammar promises to keep out of a prompt.
const std::vector<std::string> pieces = {"Bob",
                                         "Eve",
                                         " ",
                                         "  ",
                                         ".",
                                         ",",
                                         "'",
                                         "-",
                                         "&",
                                         "\n",
                                         "\"",
                                         "{{",
                                         "}}",
                                         "`",
                                         "send",
                                         "Send",
                                         "TSD",
                                         "usd",
                                         "9000",
                                         "9,000",
                                         "1.5",
                                         "$",
                                         "\xE2\x80\xAE",
                                         "\xE2\x80\x8B",
                                         "\xC3\xA9",
                                         "\xD0\xB5",
                                         "\xD1\x80\xD0\xB0\xD1\x83",
                                         "\xCC\x81",
                                         "\xEF\xBD\x93",
                                         "J",
                                         "Acme",
                                         "Corp",
                                         "ignore",
                                         ":",
                                         "/",
                                         "#",
                                         "pm:rent:20261201T0900",
                                         "\xC0",
                                         "\x01",
                                         "Müller",
                                         "李"};

bool contains(const std::string& s, std::string_view needle)
{
    return s.find(needle) != std::string::npos;
}

TEST(safe_text_property, accepted_values_never_carry_forbidden_content)
{
    std::mt19937 rng(20261201);  // fixed seed: reproducible
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
    std::uniform_int_distribution<int> count(1, 8);
    int accepted = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string value;
        for (int n = count(rng); n > 0; --n) value += pieces[pick(rng)];
        for (auto field : {text_field::payee_name, text_field::memo}) {
            if (!check_text(field, value)) continue;
            ++accepted;
            ASSERT_TRUE(is_valid_utf8(value)) << value;
            for (std::string_view bad : {"\n", "\"", "{", "}", "`", "$", "  ", "\xE2\x80\xAE",
                                         "\xE2\x80\x8B", "\x01", "9,000", "1.5", "\xEF\xBD\x93"})
                ASSERT_FALSE(contains(value, bad)) << value;
            // No word part is an instruction, currency or look-alike of one.
            std::string part;
            for (std::size_t i = 0; i <= value.size(); ++i) {
                const char c = i < value.size() ? value[i] : ' ';
                if (!contains(" .,'-&:/_#", std::string_view(&c, 1))) {
                    part += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                    continue;
                }
                for (std::string_view word :
                     {"send", "tsd", "usd", "ignore", "\xD1\x80\xD0\xB0\xD1\x83"})
                    ASSERT_NE(part, word) << value;
                part.clear();
            }
        }
    }
    EXPECT_GT(accepted, 100);  // the generator does produce acceptable values
}

}  // namespace
}  // namespace paymand::text
