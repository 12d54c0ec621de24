#include "sandbox/money.hpp"

#include <cstdlib>

namespace paymand::sandbox {

std::optional<minor_units> parse_amount(std::string_view text, bool allow_zero)
{
    if (text.empty() || text.size() > 24) return std::nullopt;
    auto dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view fraction =
        dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (whole.empty()) return std::nullopt;
    if (dot != std::string_view::npos && (fraction.empty() || fraction.size() > 2))
        return std::nullopt;

    // Thousands separators: either none, or every group after the first has three digits.
    std::string digits;
    if (whole.find(',') != std::string_view::npos) {
        std::size_t first = whole.find(',');
        if (first == 0 || first > 3) return std::nullopt;
        for (std::size_t i = first; i < whole.size(); i += 4) {
            if (whole[i] != ',' || i + 4 > whole.size()) return std::nullopt;
        }
    }
    for (char c : whole) {
        if (c == ',') continue;
        if (c < '0' || c > '9') return std::nullopt;
        digits.push_back(c);
    }
    for (char c : fraction)
        if (c < '0' || c > '9') return std::nullopt;
    if (digits.size() > 1 && digits.front() == '0') return std::nullopt;
    if (digits.size() > 14) return std::nullopt;

    minor_units value = 0;
    for (char c : digits) value = value * 10 + (c - '0');
    value *= 100;
    if (!fraction.empty()) value += (fraction[0] - '0') * 10;
    if (fraction.size() == 2) value += fraction[1] - '0';
    if (value > max_amount) return std::nullopt;
    if (value == 0 && !allow_zero) return std::nullopt;
    return value;
}

namespace {

std::string format(minor_units amount, bool grouped)
{
    bool negative = amount < 0;
    // max_amount bounds every value we hold, so negation cannot overflow.
    std::uint64_t magnitude =
        negative ? static_cast<std::uint64_t>(-amount) : static_cast<std::uint64_t>(amount);
    std::string whole = std::to_string(magnitude / 100);
    if (grouped) {
        std::string with_commas;
        for (std::size_t i = 0; i < whole.size(); ++i) {
            if (i > 0 && (whole.size() - i) % 3 == 0) with_commas.push_back(',');
            with_commas.push_back(whole[i]);
        }
        whole = std::move(with_commas);
    }
    std::uint64_t cents = magnitude % 100;
    std::string out = negative ? "-" : "";
    out += whole;
    out += '.';
    out += static_cast<char>('0' + cents / 10);
    out += static_cast<char>('0' + cents % 10);
    return out;
}

}  // namespace

std::string format_plain(minor_units amount)
{
    return format(amount, false);
}

std::string format_grouped(minor_units amount)
{
    return format(amount, true);
}

bool valid_currency(std::string_view code)
{
    if (code.size() != 3) return false;
    for (char c : code)
        if (c < 'A' || c > 'Z') return false;
    return true;
}

}  // namespace paymand::sandbox
