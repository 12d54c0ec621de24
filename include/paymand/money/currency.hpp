#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace paymand::money {

// One row of the currency table.
struct currency_info {
    std::string_view code;   // ISO-4217-like, upper case, e.g. "TSD"
    int decimals;            // digits after the decimal point; minor unit = 10^-decimals
    std::int64_t max_major;  // the sane maximum for any single amount, in major units
};

// The currencies paymand knows, in table order. Adding one is one line in currency.cpp.
std::span<const currency_info> known_currencies() noexcept;

// A currency from the table; cheap to copy, compares by identity.
class currency {
public:
    // The currency with exactly this code (case-sensitive: "TSD", not "tsd"), if known.
    static std::optional<currency> find(std::string_view code) noexcept;

    std::string_view code() const noexcept { return info_->code; }
    int decimals() const noexcept { return info_->decimals; }
    // Largest amount accepted for this currency, in minor units.
    std::int64_t max_minor() const noexcept;
    // 10^decimals.
    std::int64_t minor_per_major() const noexcept;

    friend bool operator==(const currency& a, const currency& b) noexcept
    {
        return a.info_ == b.info_;
    }

private:
    explicit currency(const currency_info* info) noexcept : info_(info) {}
    const currency_info* info_;
};

}  // namespace paymand::money
