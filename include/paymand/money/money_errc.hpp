#pragma once

#include "paymand/core/error.hpp"

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace paymand::money {

// Why an amount was refused. Values are stable: they may be logged and compared.
enum class money_errc {
    empty = 1,             // no text at all
    invalid_character,     // a character that has no place in a decimal amount
    sign_not_allowed,      // '+' always, '-' unless the caller allows negative values
    exponent,              // 1e3, 1E-2
    not_a_number,          // nan, inf, infinity, .inf (YAML)
    grouping_not_allowed,  // "1,234" where the caller wants plain digits
    bad_grouping,          // "1,23", "12,34.5", ",100"
    missing_digits,        // ".5", "5.", "-"
    leading_zero,          // "0100"
    too_many_decimals,     // more fraction digits than the currency has
    zero,                  // 0 where a positive amount is required
    negative,              // below zero where a non-negative amount is required
    too_large,             // above the currency's (or the caller's) maximum
    unknown_currency,      // a code the currency table does not hold
    currency_mismatch,     // arithmetic or comparison across currencies
    overflow,              // a sum or difference that leaves the representable range
};

const boost::system::error_category& money_category() noexcept;
boost::system::error_code make_error_code(money_errc e) noexcept;

// A refusal is a core::error: the code, the byte offset in the input text it concerns (0 when not
// about text) and a message for humans that names the rule, e.g. "amount '1.234' has 3 decimals;
// TSD allows at most 2".

}  // namespace paymand::money

template <>
struct boost::system::is_error_code_enum<paymand::money::money_errc> : std::true_type {
};
