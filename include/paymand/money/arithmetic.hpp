#pragma once

#include "paymand/money/amount.hpp"
#include "paymand/money/money_error.hpp"

#include <boost/system/result.hpp>

#include <compare>
#include <span>

namespace paymand::money {

// a + b, refusing a currency mix (currency_mismatch) and int64 overflow (overflow).
boost::system::result<amount, money_error> checked_add(const amount& a, const amount& b);

// a - b, with the same refusals.
boost::system::result<amount, money_error> checked_subtract(const amount& a, const amount& b);

// The sum of all `values`, each of which must be in `unit`; an empty span sums to zero.
boost::system::result<amount, money_error> checked_sum(std::span<const amount> values,
                                                       currency unit);

// Orders two amounts of the same currency; a currency mix is an error, not an order.
boost::system::result<std::strong_ordering, money_error> compare(const amount& a, const amount& b);

}  // namespace paymand::money
