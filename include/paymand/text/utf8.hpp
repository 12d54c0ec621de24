#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::text {

struct decoded_char {
    char32_t code_point;
    std::size_t length;  // bytes consumed, 1..4
};

// Decodes the UTF-8 sequence starting at byte `offset` of `text`. Empty for malformed input:
// bad lead or continuation bytes, truncation, overlong forms, surrogates, > U+10FFFF.
std::optional<decoded_char> decode_utf8(std::string_view text, std::size_t offset) noexcept;

// True when all of `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text) noexcept;

// Appends the UTF-8 encoding of a valid code point to `out`.
void append_utf8(std::string& out, char32_t code_point);

}  // namespace paymand::text
