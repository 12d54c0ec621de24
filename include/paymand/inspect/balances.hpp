#pragma once

// Balances assumed instead of asking Payman: `paymand simulate --balance/--balances` and
// `paymand run --dry-run --assume-balance`.

#include "paymand/engine/engine.hpp"
#include "paymand/money/amount.hpp"
#include "paymand/yaml/diagnostics.hpp"

#include <boost/system/result.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::inspect {

// "1500.00" (TSD, Payman's test currency) or "1500.00 USD": non-negative, exact decimals.
boost::system::result<money::amount, std::string> parse_balance(std::string_view text);

// A YAML mapping of wallet name to balance; the key `default` applies to every wallet not
// listed:
//
//   Main: 1500.00
//   Savings: 200.00 USD
//   default: 0
//
// nullopt on any error, every error in `diags` as file:line:col.
std::optional<engine::assumed_balances> load_balances_file(const std::filesystem::path& path,
                                                           yaml::diagnostics& diags);

}  // namespace paymand::inspect
