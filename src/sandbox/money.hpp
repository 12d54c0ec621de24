#pragma once

// Amounts in the sandbox: integer minor units (two decimals for every currency it serves),
// parsed from decimal text and formatted back exactly; never floating point.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::sandbox {

using minor_units = std::int64_t;

// The largest amount the sandbox holds: 10^13 minor units (100 billion), far from overflow.
inline constexpr minor_units max_amount = 10'000'000'000'000;

// Parses "100", "100.5", "100.00", "1,000.00" (thousands separators only in groups of three)
// into minor units. Rejects signs, exponents, more than two decimals and values above
// max_amount. `allow_zero` admits 0 (starting balances), otherwise the amount must be positive.
std::optional<minor_units> parse_amount(std::string_view text, bool allow_zero = false);

// "1000.00": the plain form used in JSON and the ledger.
std::string format_plain(minor_units amount);
// "1,000.00": the grouped form used in the agent's prose.
std::string format_grouped(minor_units amount);

// Currency codes: three upper-case ASCII letters.
bool valid_currency(std::string_view code);

}  // namespace paymand::sandbox
