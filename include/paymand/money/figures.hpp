#pragma once

// Amounts as people read them in denial reasons: "1,250.00".

#include <cstdint>
#include <string>
#include <string_view>

namespace paymand::money {

// Minor units of `currency_code` with all its decimals and thousands grouped: 125000 TSD ->
// "1,250.00". An unknown code (never configured) prints the minor units as they are.
std::string format_figure(std::int64_t minor, std::string_view currency_code);

}  // namespace paymand::money
