#include "paymand/money/arithmetic.hpp"

#include <fmt/format.h>

namespace paymand::money {
namespace {

core::error mismatch(const amount& a, const amount& b)
{
    return {make_error_code(money_errc::currency_mismatch), 0,
            fmt::format("cannot combine {} and {}", format_with_code(a), format_with_code(b))};
}

core::error overflow(const amount& a, const amount& b, char op)
{
    return {make_error_code(money_errc::overflow), 0,
            fmt::format("{} {} {} overflows", format_with_code(a), op, format_with_code(b))};
}

}  // namespace

core::result<amount> checked_add(const amount& a, const amount& b)
{
    if (!(a.unit() == b.unit())) return mismatch(a, b);
    std::int64_t out = 0;
    if (__builtin_add_overflow(a.minor_units(), b.minor_units(), &out)) return overflow(a, b, '+');
    return amount(a.unit(), out);
}

core::result<amount> checked_subtract(const amount& a, const amount& b)
{
    if (!(a.unit() == b.unit())) return mismatch(a, b);
    std::int64_t out = 0;
    if (__builtin_sub_overflow(a.minor_units(), b.minor_units(), &out)) return overflow(a, b, '-');
    return amount(a.unit(), out);
}

core::result<amount> checked_sum(std::span<const amount> values, currency unit)
{
    amount total(unit, 0);
    for (const auto& v : values) {
        auto next = checked_add(total, v);
        if (!next) return next;
        total = *next;
    }
    return total;
}

core::result<std::strong_ordering> compare(const amount& a, const amount& b)
{
    if (!(a.unit() == b.unit())) return mismatch(a, b);
    return a.minor_units() <=> b.minor_units();
}

}  // namespace paymand::money
