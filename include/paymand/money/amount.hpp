#pragma once

#include "paymand/money/currency.hpp"

#include <cstdint>
#include <string>

namespace paymand::money {

// A sum of money: integer minor units of one currency (never floating point). The value may
// be negative (a difference); parsing decides what input is acceptable.
class amount {
public:
    amount(currency unit, std::int64_t minor_units) noexcept : unit_(unit), minor_(minor_units) {}

    currency unit() const noexcept { return unit_; }
    std::int64_t minor_units() const noexcept { return minor_; }

    // Same currency and same value.
    friend bool operator==(const amount& a, const amount& b) noexcept = default;

private:
    currency unit_;
    std::int64_t minor_;
};

// Exact decimal text with all of the currency's decimals: 10000 minor TSD -> "100.00",
// -5 -> "-0.05". No grouping, no currency code.
std::string format_decimal(const amount& a);

// format_decimal followed by a space and the code: "100.00 TSD".
std::string format_with_code(const amount& a);

}  // namespace paymand::money
