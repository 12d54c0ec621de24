#include "paymand/text/display.hpp"

#include "paymand/text/utf8.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

namespace paymand::text {

bool invisible(char32_t cp) noexcept
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || cp == 0x61C || cp == 0x180E ||
           (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
           (cp >= 0xE0000 && cp <= 0xE007F);
}

namespace {

// A byte of printable ASCII written as itself.
bool plain_ascii(unsigned char c, bool quotes) noexcept
{
    return c >= 0x20 && c < 0x7F && !(quotes && (c == '"' || c == '\\'));
}

// The escape of one code point (or of one byte that is not UTF-8), or an empty view when it is
// written as itself.
std::string_view escape_of(const std::optional<decoded_char>& d, unsigned char byte, bool quotes,
                           std::array<char, 12>& room)
{
    const auto hex = [&](std::string_view prefix, std::uint32_t v, int digits) {
        const auto end = fmt::format_to_n(room.data(), room.size(), "{}{:0{}X}", prefix, v, digits);
        return std::string_view(room.data(), end.size);
    };
    if (!d) return hex("\\x", byte, 2);
    const char32_t cp = d->code_point;
    if (quotes && cp == '"') return "\\\"";
    if (quotes && cp == '\\') return "\\\\";
    if (cp == '\n') return "\\n";
    if (cp == '\r') return "\\r";
    if (cp == '\t') return "\\t";
    if (cp < 0x20 || cp == 0x7F) return hex("\\x", cp, 2);
    if (invisible(cp)) return cp <= 0xFFFF ? hex("\\u", cp, 4) : hex("\\U", cp, 8);
    return {};
}

}  // namespace

std::size_t append_escaped(std::string& out, std::string_view value, escape_limits limits)
{
    std::size_t shown = 0;
    std::size_t i = 0;
    std::array<char, 12> room{};
    while (i < value.size() && shown < limits.code_points) {
        // A run of printable ASCII, as far as the limits allow, in one append.
        const std::size_t room_left = limits.bytes > out.size() ? limits.bytes - out.size() : 0;
        const std::size_t most =
            i + std::min({value.size() - i, limits.code_points - shown, room_left});
        std::size_t run = i;
        while (run < most && plain_ascii(static_cast<unsigned char>(value[run]), limits.quotes))
            ++run;
        if (run > i) {
            out.append(value.substr(i, run - i));
            shown += run - i;
            i = run;
            continue;
        }
        const auto d = decode_utf8(value, i);
        const std::size_t length = d ? d->length : 1;
        std::string_view piece =
            escape_of(d, static_cast<unsigned char>(value[i]), limits.quotes, room);
        if (piece.empty()) piece = value.substr(i, length);
        if (out.size() + piece.size() > limits.bytes) break;
        out.append(piece);
        ++shown;
        i += length;
    }
    return i;
}

std::string escape_for_display(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    append_escaped(out, text, {.quotes = false});
    return out;
}

std::string json_quote(std::string_view text)
{
    std::string out = "\"";
    out.reserve(text.size() + 2);
    auto escape = [&](char32_t cp) { out += fmt::format("\\u{:04X}", static_cast<unsigned>(cp)); };
    for (std::size_t i = 0; i < text.size();) {
        const auto d = decode_utf8(text, i);
        if (!d) {
            escape(0xFFFD);
            ++i;
            continue;
        }
        const char32_t cp = d->code_point;
        if (cp == '"' || cp == '\\') {
            out += '\\';
            out += static_cast<char>(cp);
        } else if (cp == '\n') {
            out += "\\n";
        } else if (cp < 0x20 || cp == 0x7F || (invisible(cp) && cp <= 0xFFFF)) {
            escape(cp);
        } else if (invisible(cp)) {
            const char32_t v = cp - 0x10000;
            escape(0xD800 + (v >> 10));
            escape(0xDC00 + (v & 0x3FF));
        } else {
            out.append(text.substr(i, d->length));
        }
        i += d->length;
    }
    out += '"';
    return out;
}

std::string html_escape(std::string_view text)
{
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace paymand::text
