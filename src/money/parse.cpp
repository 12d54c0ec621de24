#include "paymand/money/parse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace paymand::money {
namespace {

bool is_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

// The input quoted for a message when it is short printable ASCII; otherwise just "amount",
// so hostile text is never echoed.
std::string quoted(std::string_view text)
{
    const bool printable = text.size() <= 40 && std::all_of(text.begin(), text.end(), [](char c) {
                               return c >= 0x20 && c < 0x7f;
                           });
    return printable ? fmt::format("amount '{}'", text) : std::string("amount");
}

std::string describe_char(char c)
{
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x21 && u < 0x7f) return fmt::format("'{}'", c);
    if (c == ' ') return "a space";
    return fmt::format("byte 0x{:02X}", u);
}

core::error fail(money_errc code, std::size_t offset, std::string message)
{
    return {make_error_code(code), offset, std::move(message)};
}

bool equals_lower(std::string_view text, std::string_view lower)
{
    return text.size() == lower.size() &&
           std::equal(text.begin(), text.end(), lower.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

bool is_nan_or_inf(std::string_view text)
{
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
    if (!text.empty() && text.front() == '.') text.remove_prefix(1);  // YAML .inf / .nan
    return equals_lower(text, "nan") || equals_lower(text, "inf") || equals_lower(text, "infinity");
}

}  // namespace

core::result<amount> parse_amount(std::string_view text, currency unit, const parse_params& params)
{
    const std::string what = quoted(text);
    if (text.empty()) return fail(money_errc::empty, 0, "amount is empty");
    if (is_nan_or_inf(text))
        return fail(money_errc::not_a_number, 0, fmt::format("{} is not a number", what));

    std::size_t pos = 0;
    bool negative = false;
    if (text[0] == '+')
        return fail(money_errc::sign_not_allowed, 0,
                    fmt::format("{}: a '+' sign is not allowed; write the plain number", what));
    if (text[0] == '-') {
        if (params.sign != sign_rule::any)
            return fail(
                money_errc::negative, 0,
                fmt::format("{} is negative; {} amount is required", what,
                            params.sign == sign_rule::positive ? "a positive" : "a non-negative"));
        negative = true;
        pos = 1;
    }

    // Integer part, with optional strict grouping.
    const std::size_t int_start = pos;
    std::int64_t major = 0;
    std::size_t group_digits = 0;  // digits since the last ',' (or the start)
    bool grouped = false;
    std::size_t int_digits = 0;
    bool overflowed = false;
    while (pos < text.size() && (is_digit(text[pos]) || text[pos] == ',')) {
        const char c = text[pos];
        if (c == ',') {
            if (!params.allow_grouping)
                return fail(money_errc::grouping_not_allowed, pos,
                            fmt::format("{}: digit grouping ',' at offset {} is not allowed; "
                                        "write the digits without separators",
                                        what, pos));
            if (group_digits == 0 || (grouped ? group_digits != 3 : group_digits > 3))
                return fail(money_errc::bad_grouping, pos,
                            fmt::format("{}: ',' at offset {} must separate groups of three "
                                        "digits",
                                        what, pos));
            grouped = true;
            group_digits = 0;
        } else {
            if (int_digits == 1 && major == 0)
                return fail(money_errc::leading_zero, int_start,
                            fmt::format("{} has a leading zero", what));
            if (__builtin_mul_overflow(major, std::int64_t{10}, &major) ||
                __builtin_add_overflow(major, std::int64_t{c - '0'}, &major))
                overflowed = true;
            ++group_digits;
            ++int_digits;
        }
        ++pos;
    }
    if (grouped && group_digits != 3)
        return fail(money_errc::bad_grouping, pos,
                    fmt::format("{}: the last digit group before offset {} must have three digits",
                                what, pos));
    if (int_digits == 0) {
        if (pos < text.size() && text[pos] == '.')
            return fail(money_errc::missing_digits, pos,
                        fmt::format("{} needs a digit before the decimal point", what));
        if (pos >= text.size())
            return fail(money_errc::missing_digits, pos, fmt::format("{} has no digits", what));
    }

    // Fraction part.
    std::int64_t fraction = 0;
    int fraction_digits = 0;
    if (pos < text.size() && text[pos] == '.' && int_digits > 0) {
        const std::size_t point = pos++;
        while (pos < text.size() && is_digit(text[pos])) {
            if (fraction_digits == unit.decimals())
                return fail(money_errc::too_many_decimals, pos,
                            fmt::format("{} has more than {} decimals; {} allows at most {}", what,
                                        unit.decimals(), unit.code(), unit.decimals()));
            fraction = fraction * 10 + (text[pos] - '0');
            ++fraction_digits;
            ++pos;
        }
        if (fraction_digits == 0 && (pos >= text.size() || text[pos] != 'e'))
            return fail(money_errc::missing_digits, point,
                        fmt::format("{} needs digits after the decimal point", what));
    }
    if (pos < text.size()) {
        const char c = text[pos];
        if ((c == 'e' || c == 'E') && (int_digits > 0))
            return fail(money_errc::exponent, pos,
                        fmt::format("{}: exponents are not allowed; write the plain number", what));
        if (c == '.' && unit.decimals() == 0)
            return fail(money_errc::too_many_decimals, pos,
                        fmt::format("{}: {} has no decimals", what, unit.code()));
        if (c == '+' || c == '-')
            return fail(money_errc::sign_not_allowed, pos,
                        fmt::format("{}: sign {} at offset {} is not allowed", what,
                                    describe_char(c), pos));
        return fail(money_errc::invalid_character, pos,
                    fmt::format("{}: unexpected {} at offset {}", what, describe_char(c), pos));
    }

    for (int i = fraction_digits; i < unit.decimals(); ++i) fraction *= 10;
    std::int64_t minor = 0;
    if (overflowed || __builtin_mul_overflow(major, unit.minor_per_major(), &minor) ||
        __builtin_add_overflow(minor, fraction, &minor) || minor > unit.max_minor())
        return fail(money_errc::too_large, 0,
                    fmt::format("{} is above the maximum of {} {}", what,
                                format_decimal(amount(unit, unit.max_minor())), unit.code()));
    if (params.max_minor && minor > *params.max_minor)
        return fail(money_errc::too_large, 0,
                    fmt::format("{} is above the maximum of {} {}", what,
                                format_decimal(amount(unit, *params.max_minor)), unit.code()));
    if (negative) minor = -minor;
    if (minor == 0 && params.sign == sign_rule::positive)
        return fail(money_errc::zero, 0,
                    fmt::format("{} is zero; a positive amount is required", what));
    return amount(unit, minor);
}

core::result<amount> parse_amount(std::string_view text, std::string_view currency_code,
                                  const parse_params& params)
{
    auto unit = currency::find(currency_code);
    if (!unit) {
        const bool printable =
            currency_code.size() <= 8 && std::all_of(currency_code.begin(), currency_code.end(),
                                                     [](char c) { return c >= 0x21 && c < 0x7f; });
        std::string known;
        for (const auto& row : known_currencies()) {
            if (!known.empty()) known += ", ";
            known += row.code;
        }
        return fail(
            money_errc::unknown_currency, 0,
            fmt::format("unknown currency {}; known: {}",
                        printable ? fmt::format("'{}'", currency_code) : std::string("code"),
                        known));
    }
    return parse_amount(text, *unit, params);
}

}  // namespace paymand::money
