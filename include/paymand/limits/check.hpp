#pragma once

// The limit decision for one proposed payment: pure, given the limits, the spending so far
// and the payment. Limits are checked in a fixed order (rule cap, per-transaction, payment
// count, daily, monthly, payee daily, payee monthly) and the first one exceeded is reported.

#include "paymand/limits/limits_config.hpp"
#include "paymand/limits/spending_ledger.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace paymand::limits {

struct proposed_payment {
    std::int64_t amount = 0;  // minor units
    std::string currency;
    std::string payee;
    std::chrono::sys_seconds instant;  // when it would be paid (UTC)
    // The rule's own cap (`max_amount`): it can narrow the policy, never widen it.
    std::optional<std::int64_t> max_amount;
};

enum class limit_kind {
    none,  // allowed
    rule_max_amount,
    no_limits_for_currency,
    per_transaction,
    payments_per_day,
    daily_total,
    monthly_total,
    payee_daily_total,
    payee_monthly_total,
};

// Short stable name for logs and the audit log: "monthly_total", ...
const char* to_string(limit_kind kind);

struct decision {
    bool allowed = true;
    limit_kind limit = limit_kind::none;
    // For a denial, names the limit and the figures, e.g. "monthly total for TSD would be
    // 1,250.00, limit 1,000.00 (already 1,150.00 this month)". Empty when allowed.
    std::string reason;
};

// Decides on `payment` given what `ledger` already holds. `ledger` must use the policy's
// time zone. Never throws for valid inputs.
decision check_payment(const limits_config& config, const spending_ledger& ledger,
                       const proposed_payment& payment);

// Convenience for one-off checks: builds a ledger from `history` in `zone` and decides.
decision check_payment(const limits_config& config, const date::time_zone* zone,
                       std::span<const payment_record> history, const proposed_payment& payment);

}  // namespace paymand::limits
