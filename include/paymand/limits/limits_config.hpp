#pragma once

// The admin's spending limits (the `limits:` section of config/paymand.yaml and the per-payee
// limits of its `payees:` list). Amounts are integer minor units of their currency.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace paymand::limits {

// Limits for one currency. An absent value means "no limit of that kind".
struct currency_limits {
    std::optional<std::int64_t> per_transaction;
    std::optional<std::int64_t> daily;          // all payees, calendar day in the policy zone
    std::optional<std::int64_t> monthly;        // all payees, calendar month
    std::optional<std::int64_t> payee_daily;    // each payee on its own, per day
    std::optional<std::int64_t> payee_monthly;  // each payee on its own, per month
};

// Totals for one payee in one currency, from the payee's entry in `payees:`.
struct payee_currency_limits {
    std::optional<std::int64_t> daily;
    std::optional<std::int64_t> monthly;
};

struct limits_config {
    // false only when the config says `limits: none` explicitly: then nothing is limited.
    bool enabled = true;
    // Keyed by currency code. A payment in a currency without an entry is denied.
    std::map<std::string, currency_limits, std::less<>> currencies;
    // Payments of any currency per calendar day; absent means no count limit.
    std::optional<std::int64_t> max_payments_per_day;
    // Per-payee limits by payee name, then currency code.
    std::map<std::string, std::map<std::string, payee_currency_limits, std::less<>>, std::less<>>
        payees;
};

}  // namespace paymand::limits
