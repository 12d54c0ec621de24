#include "paymand/metrics/exposition.hpp"

#include <cassert>

namespace paymand::metrics {

std::string escape_label_value(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '"':
            out += "\\\"";
            break;
        case '\n':
            out += "\\n";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string escape_help(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string format_decimal(std::uint64_t magnitude, unsigned scale, bool negative)
{
    assert(scale <= 18);
    std::string digits = std::to_string(magnitude);
    if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
    std::string out = negative && magnitude != 0 ? "-" : "";
    const auto point = digits.size() - scale;
    out.append(digits, 0, point);
    auto fraction = std::string_view(digits).substr(point);
    while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
    if (!fraction.empty()) {
        out += '.';
        out += fraction;
    }
    return out;
}

std::string format_signed_decimal(std::int64_t value, unsigned scale)
{
    // Negated in unsigned arithmetic so that INT64_MIN is exact as well.
    const bool negative = value < 0;
    const auto magnitude = negative ? std::uint64_t{0} - static_cast<std::uint64_t>(value)
                                    : static_cast<std::uint64_t>(value);
    return format_decimal(magnitude, scale, negative);
}

}  // namespace paymand::metrics
