#include "paymand/yaml/quote.hpp"

#include "paymand/text/utf8.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <limits>

namespace paymand::yaml {
namespace {

// Code points that print nothing visible or reorder text: C1 controls, the soft hyphen, the
// Arabic letter mark, zero-width and bidi characters, line and paragraph separators, word
// joiners and invisible operators, the BOM, interlinear annotation and tag characters.
bool invisible(char32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || cp == 0x61C || cp == 0x180E ||
           (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
           (cp >= 0xE0000 && cp <= 0xE007F);
}

struct escape_limits {
    std::size_t code_points = std::numeric_limits<std::size_t>::max();
    std::size_t bytes = std::numeric_limits<std::size_t>::max();  // of the output
    bool quotes = true;  // escape '"' and '\' (inside a quoted value)
};

// Appends `value` to `out` escaped (see quote_value) until a limit is reached; returns how many
// bytes of `value` were consumed.
std::size_t append_escaped(std::string& out, std::string_view value, escape_limits limits)
{
    std::size_t shown = 0;
    std::size_t i = 0;
    while (i < value.size() && shown < limits.code_points) {
        const auto d = text::decode_utf8(value, i);
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

}  // namespace

std::string quote_value(std::string_view value)
{
    std::string out = "\"";
    const auto used = append_escaped(out, value, {.code_points = max_quoted_code_points});
    out += '"';
    if (used < value.size()) out += fmt::format("...({} bytes)", value.size());
    return out;
}

std::string one_line(std::string_view message)
{
    std::string out;
    const auto used =
        append_escaped(out, message, {.bytes = max_message_size - 3, .quotes = false});
    if (used < message.size()) out += "...";
    return out;
}

}  // namespace paymand::yaml
