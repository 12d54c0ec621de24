#include "paymand/money/currency.hpp"

#include <array>

namespace paymand::money {
namespace {

// code, decimals, maximum single amount in major units (one billion: far above any payment
// paymand should make, far below int64 limits so sums of many amounts stay representable).
constexpr std::array table{
    currency_info{"TSD", 2, 1'000'000'000},
    currency_info{"USD", 2, 1'000'000'000},
};

}  // namespace

std::span<const currency_info> known_currencies() noexcept
{
    return table;
}

std::optional<currency> currency::find(std::string_view code) noexcept
{
    for (const auto& row : table)
        if (row.code == code) return currency(&row);
    return std::nullopt;
}

std::int64_t currency::minor_per_major() const noexcept
{
    std::int64_t factor = 1;
    for (int i = 0; i < info_->decimals; ++i) factor *= 10;
    return factor;
}

std::int64_t currency::max_minor() const noexcept
{
    return info_->max_major * minor_per_major();
}

}  // namespace paymand::money
