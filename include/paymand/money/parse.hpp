#pragma once

#include "paymand/money/amount.hpp"
#include "paymand/money/currency.hpp"
#include "paymand/money/money_errc.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace paymand::money {

enum class sign_rule {
    positive,      // > 0; no sign character (amounts to pay, limits)
    non_negative,  // >= 0; no sign character
    any,           // a leading '-' is accepted (balances read from replies)
};

struct parse_params {
    sign_rule sign = sign_rule::positive;
    // Accept thousands separators: ',' between strict groups of three digits ("1,234,567.89").
    // Off for configuration and rules (strict input); on for replies written for humans.
    bool allow_grouping = false;
    // A maximum below the currency's own, in minor units; the currency's maximum always applies.
    std::optional<std::int64_t> max_minor;
};

// Parses decimal text ("100", "100.5", "0.01") into minor units of `unit`. Accepted grammar:
// digits, optionally '.' and 1..decimals digits; no leading zeros except a single "0" before
// the point; no exponent, no '+', no spaces, no NaN/inf. Every refusal names the rule and the
// byte offset of the offending character. Never uses floating point.
core::result<amount> parse_amount(std::string_view text, currency unit,
                                  const parse_params& params = {});

// As above with the currency given by code; an unknown code is money_errc::unknown_currency.
core::result<amount> parse_amount(std::string_view text, std::string_view currency_code,
                                  const parse_params& params = {});

}  // namespace paymand::money
