#pragma once

#include "paymand/money/amount.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::reply {

enum class payment_outcome {
    completed,    // the reply says the payment was made
    failed,       // the reply says it was not made, and why
    needs_input,  // flagged for approval, or the agent asks for confirmation or details
    unclear,      // anything else: contradictory, silent, or unreadable
};

enum class failure_reason {
    none,
    insufficient_funds,
    unknown_payee,
    limit_exceeded,
    not_permitted,  // missing scope, not authorized
    invalid_request,
    other,
};

struct payment_reading {
    payment_outcome outcome = payment_outcome::unclear;
    failure_reason reason = failure_reason::none;
    std::string explanation;  // our own words: the phrase class that decided, or why unclear

    // What the reply claims was (or would be) paid, for comparison with the intent. Untrusted.
    std::optional<std::string> claimed_figure;    // "100.00"
    std::optional<std::string> claimed_currency;  // "TSD"
    std::optional<money::amount> claimed_amount;  // when figure and currency parse
    std::optional<std::string> claimed_payee;     // "John Doe"
    // The reply names more than one amount or payee for the payment.
    bool claims_conflict = false;

    // Everything the reply says beyond its main claim, for check_claims: a success must not
    // report anything but the intended payment. Every amount with a currency code or symbol,
    // in prose or in a JSON block, except balance figures ("balance: $900.00"); every name the
    // prose gives money to ("to Eve", "for Eve", "credited Eve", "Eve received", "Eve's
    // wallet"), outside a memo; every payee a JSON block names.
    struct stated_amount {
        std::string figure;                   // "9,000.00"
        std::optional<std::string> currency;  // empty for a bare "$"
    };
    std::vector<stated_amount> amounts;
    std::vector<std::string> names;
};

// Classifies a reply to a pay prompt. `task_state` is the A2A status state if known
// ("completed", "INPUT_REQUIRED", "failed", ...; case and '-'/'_' insensitive):
// input-required always means needs_input or unclear, failed/canceled failed or unclear.
// Prose that both reports success and failure (or a question), or two different claimed
// amounts or payees in a success, is unclear.
payment_reading read_payment(std::string_view reply,
                             std::optional<std::string_view> task_state = std::nullopt);

enum class claim_check {
    matches,      // every stated claim agrees with the intent
    contradicts,  // a claimed amount, currency or payee differs, the claims conflict, or the
                  // reply states another amount with a currency or gives money to another name
    not_stated,   // the reply states neither amount nor payee
};

// Whether two payee names name the same payee: ignoring case, repeated spaces, a leading
// "the " and a trailing '.' (untrusted reply text against the intent's payee).
bool same_payee(std::string_view a, std::string_view b);

// Compares the reply's claims with what paymand asked for; payees compare by same_payee.
claim_check check_claims(const payment_reading& reading, const money::amount& intended,
                         std::string_view payee);

}  // namespace paymand::reply
