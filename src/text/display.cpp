#include "paymand/text/display.hpp"

#include "paymand/text/utf8.hpp"

#include <fmt/format.h>

#include <cstdint>

namespace paymand::text {

bool invisible(char32_t cp) noexcept
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || cp == 0x61C || cp == 0x180E ||
           (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
           (cp >= 0xE0000 && cp <= 0xE007F);
}

std::size_t append_escaped(std::string& out, std::string_view value, escape_limits limits)
{
    std::size_t shown = 0;
    std::size_t i = 0;
    while (i < value.size() && shown < limits.code_points) {
        const auto d = decode_utf8(value, i);
        std::string piece;
        std::size_t length = 1;
        if (!d) {
            piece = fmt::format("\\x{:02X}", static_cast<unsigned char>(value[i]));
        } else {
            const char32_t cp = d->code_point;
            length = d->length;
            if (limits.quotes && (cp == '"' || cp == '\\'))
                piece = fmt::format("\\{}", static_cast<char>(cp));
            else if (cp == '\n')
                piece = "\\n";
            else if (cp == '\r')
                piece = "\\r";
            else if (cp == '\t')
                piece = "\\t";
            else if (cp < 0x20 || cp == 0x7F)
                piece = fmt::format("\\x{:02X}", static_cast<unsigned>(cp));
            else if (invisible(cp) && cp <= 0xFFFF)
                piece = fmt::format("\\u{:04X}", static_cast<std::uint32_t>(cp));
            else if (invisible(cp))
                piece = fmt::format("\\U{:08X}", static_cast<std::uint32_t>(cp));
            else
                piece = std::string(value.substr(i, length));
        }
        if (out.size() + piece.size() > limits.bytes) break;
        out += piece;
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
