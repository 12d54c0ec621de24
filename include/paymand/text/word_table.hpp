#pragma once

// One table of (enumerator, word) pairs gives both directions, enum -> word and word -> enum,
// so that a word and its enumerator cannot drift apart. A table is built at compile time, and
// two rows with the same enumerator or the same word do not compile:
//
//     constexpr auto outcome_words = text::make_word_table<outcome>({
//         {outcome::completed, "completed"},
//         {outcome::failed, "failed"},
//     });
//     std::string_view w = outcome_words.word(o);            // "" when o has no row
//     std::optional<outcome> o = outcome_words.parse("failed");

#include <array>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace paymand::text {

template <class Enum>
struct word_row {
    Enum value;
    std::string_view word;
};

template <class Enum, std::size_t N>
class word_table {
public:
    constexpr explicit word_table(const word_row<Enum> (&rows)[N])
    {
        for (std::size_t i = 0; i < N; ++i) {
            for (std::size_t j = 0; j < i; ++j) {
                if (rows[j].value == rows[i].value || rows[j].word == rows[i].word) {
                    throw std::logic_error("word_table: a value or a word appears twice");
                }
            }
            rows_[i] = rows[i];
        }
    }

    // The word of `value`, or `missing` when the table has no row for it.
    constexpr std::string_view word(Enum value, std::string_view missing = {}) const noexcept
    {
        for (const auto& r : rows_) {
            if (r.value == value) return r.word;
        }
        return missing;
    }

    // The enumerator whose word is exactly `word` (case and spaces count).
    constexpr std::optional<Enum> parse(std::string_view word) const noexcept
    {
        for (const auto& r : rows_) {
            if (r.word == word) return r.value;
        }
        return std::nullopt;
    }

    constexpr const std::array<word_row<Enum>, N>& rows() const noexcept { return rows_; }

private:
    std::array<word_row<Enum>, N> rows_{};
};

template <class Enum, std::size_t N>
constexpr word_table<Enum, N> make_word_table(const word_row<Enum> (&rows)[N])
{
    return word_table<Enum, N>(rows);
}

}  // namespace paymand::text
