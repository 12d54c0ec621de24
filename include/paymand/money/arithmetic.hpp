#pragma once

#include "paymand/money/amount.hpp"
#include "paymand/money/money_errc.hpp"

#include <boost/system/result.hpp>

#include <compare>
#include <span>

namespace paymand::money {

// a + b, refusing a currency mix (currency_mismatch) and int64 overflow (overflow).
core::result<amount> checked_add(const amount& a, const amount& b);

// a - b, with the same refusals.
core::result<amount> checked_subtract(const amount& a, const amount& b);

// The sum of all `values`, each of which must be in `unit`; an empty span sums to zero.
core::result<amount> checked_sum(std::span<const amount> values, currency unit);

// Orders two amounts of the same currency; a currency mix is an error, not an order.
core::result<std::strong_ordering> compare(const amount& a, const amount& b);

}  // namespace paymand::money
