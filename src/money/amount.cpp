#include "paymand/money/amount.hpp"

#include <cstdlib>

namespace paymand::money {

std::string format_decimal(const amount& a)
{
    const std::int64_t minor = a.minor_units();
    // Work in unsigned magnitude so INT64_MIN formats too.
    std::uint64_t magnitude = minor < 0 ? std::uint64_t(0) - static_cast<std::uint64_t>(minor)
                                        : static_cast<std::uint64_t>(minor);
    const int decimals = a.unit().decimals();
    std::string digits = std::to_string(magnitude);
    if (digits.size() <= static_cast<std::size_t>(decimals))
        digits.insert(0, static_cast<std::size_t>(decimals) + 1 - digits.size(), '0');
    std::string out = minor < 0 ? "-" : "";
    if (decimals == 0) return out + digits;
    const std::size_t point = digits.size() - static_cast<std::size_t>(decimals);
    out += digits.substr(0, point);
    out += '.';
    out += digits.substr(point);
    return out;
}

std::string format_with_code(const amount& a)
{
    std::string out = format_decimal(a);
    out += ' ';
    out += a.unit().code();
    return out;
}

}  // namespace paymand::money
