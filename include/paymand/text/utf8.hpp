#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::text {

// One home for UTF-8 in paymand: the audit log's replay, the protocol's JSON text, the rule
// and reply checks all use these. Inline: the replay calls them for every non-ASCII byte.

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one (overlongs, surrogates
// and code points above U+10FFFF are invalid).
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept
{
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const std::size_t left = s.size() - i;
    const unsigned char c = b(0);
    if (c < 0x80) return 1;
    auto cont = [&](std::size_t k) { return k < left && (b(k) & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        if (c == 0xE0 && b(1) < 0xA0) return 0;
        if (c == 0xED && b(1) > 0x9F) return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        if (c == 0xF0 && b(1) < 0x90) return 0;
        if (c == 0xF4 && b(1) > 0x8F) return 0;
        return 4;
    }
    return 0;
}

struct decoded_char {
    char32_t code_point;
    std::size_t length;  // bytes consumed, 1..4
};

// Decodes the UTF-8 sequence starting at byte `offset` of `text`. Empty for malformed input:
// bad lead or continuation bytes, truncation, overlong forms, surrogates, > U+10FFFF.
std::optional<decoded_char> decode_utf8(std::string_view text, std::size_t offset) noexcept;

// True when all of `text` is well-formed UTF-8.
inline bool is_valid_utf8(std::string_view text) noexcept
{
    for (std::size_t i = 0; i < text.size();) {
        if (static_cast<unsigned char>(text[i]) < 0x80) {
            ++i;
            continue;
        }
        const std::size_t n = utf8_sequence_length(text, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

// Appends the UTF-8 encoding of a valid code point to `out`.
void append_utf8(std::string& out, char32_t code_point);

}  // namespace paymand::text
