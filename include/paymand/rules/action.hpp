#pragma once

// The one action of a rule. There is deliberately no free-form prompt action: the wording of
// a prompt is never taken from a rule, only validated values are interpolated.

#include "paymand/money/amount.hpp"
#include "paymand/text/word_table.hpp"

#include <optional>
#include <string>
#include <variant>

namespace paymand::rules {

// `pay: {payee, amount, currency (TSD), wallet?, memo?, max_amount?}`
struct pay_action {
    std::string payee;  // passed the safe-text grammar and the admin's allow-list
    money::amount amount;
    std::optional<std::string> wallet;
    // A template using only {{date}} {{month}} {{year}} {{rule}}; expanded by the prompt
    // renderer.
    std::optional<std::string> memo;
    std::optional<money::amount> max_amount;  // same currency, at least `amount`
};

enum class report_kind { balance, transactions, payees };

// The words of the rule key `report`.
inline constexpr auto report_kind_words = text::make_word_table<report_kind>({
    {report_kind::balance, "balance"},
    {report_kind::transactions, "transactions"},
    {report_kind::payees, "payees"},
});

// `report: balance | transactions | payees`: read-only, its answer goes to the audit log.
struct report_action {
    report_kind what = report_kind::balance;
};

using action = std::variant<pay_action, report_action>;

const char* to_string(report_kind kind);

// The placeholders a memo may use, without braces.
inline constexpr const char* memo_placeholders[] = {"date", "month", "year", "rule"};

}  // namespace paymand::rules
