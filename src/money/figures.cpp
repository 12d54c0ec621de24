#include "paymand/money/figures.hpp"

#include "paymand/money/amount.hpp"
#include "paymand/money/currency.hpp"

namespace paymand::money {

std::string format_figure(std::int64_t minor, std::string_view currency_code)
{
    auto unit = currency::find(currency_code);
    if (!unit) return std::to_string(minor);
    std::string plain = format_decimal(amount(*unit, minor));
    std::size_t start = plain.starts_with('-') ? 1 : 0;
    std::size_t point = plain.find('.');
    if (point == std::string::npos) point = plain.size();
    std::string out = plain.substr(0, start);
    for (std::size_t i = start; i < point; ++i) {
        if (i > start && (point - i) % 3 == 0) out += ',';
        out += plain[i];
    }
    out += plain.substr(point);
    return out;
}

}  // namespace paymand::money
