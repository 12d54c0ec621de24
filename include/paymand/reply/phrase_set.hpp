#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace paymand::reply {

// A fixed list of phrases, looked for in a text in one pass: the same answers as
// text.find(phrase) != npos for each phrase, without a search of the text per phrase. The reply
// readers check every sentence against over a hundred phrases; searched one by one, that was
// most of what reading a payment's reply cost.
class phrase_set {
public:
    static constexpr std::size_t max_phrases = 256;
    using found = std::bitset<max_phrases>;

    // The phrases (at most max_phrases, none empty) must outlive the set: string literals.
    explicit phrase_set(std::vector<std::string_view> phrases);

    // Bit i is set when phrases[i] occurs in `text`.
    found find(std::string_view text) const;

private:
    std::vector<std::string_view> phrases_;
    // Every phrase of two bytes or more, by its first two bytes: (start, index), sorted.
    std::vector<std::pair<std::uint16_t, std::uint16_t>> by_start_;
    // A filter on the first two bytes (hashed to 4,096 bits, 512 bytes that stay in the cache):
    // a position of the text where no phrase starts (most positions) costs one bit test.
    std::bitset<4096> may_start_;
    std::vector<std::uint16_t> single_bytes_;  // indexes of one-byte phrases
};

}  // namespace paymand::reply
