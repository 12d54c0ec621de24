#pragma once

// Conditions under `when:`. The model is a closed variant: adding a kind means one struct
// here, one parser entry (rule_loader.cpp's condition table), one `evaluate` overload and its
// `describe` overload; std::visit then makes every switch over conditions complete or a
// compile error.

#include "paymand/money/amount.hpp"
#include "paymand/text/word_table.hpp"

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace paymand::rules {

// `when: {balance: {wallet: W, above|at_least|below|min_remaining: X}}`
struct balance_condition {
    enum class comparison {
        above,          // balance > threshold
        at_least,       // balance >= threshold
        below,          // balance < threshold
        min_remaining,  // balance - payment amount >= threshold (pay rules only)
    };
    std::string wallet;
    comparison op = comparison::above;
    money::amount threshold;
};

using condition = std::variant<balance_condition>;

// What a condition is evaluated against: facts the engine fetched (for now, balances read
// from Payman's replies). A wallet missing from `balances` means its balance is unknown.
struct condition_facts {
    std::map<std::string, money::amount, std::less<>> balances;
    // The amount the rule would pay, for min_remaining; absent for report rules.
    std::optional<money::amount> payment;
};

struct condition_result {
    bool met = false;
    // Why, with the figures: "balance of Main is 1,200.00 TSD, required above 1,000.00 TSD".
    std::string explanation;
};

// Decides a condition; anything uncertain (balance unknown, another currency) is not met.
condition_result evaluate(const condition& c, const condition_facts& facts);

// The wallets whose balances the engine must read before evaluating `c`.
std::vector<std::string> wallets_needed(const condition& c);

// Canonical one-line text: "balance of Main above 1000.00 TSD".
std::string describe(const condition& c);

// The words of the balance condition's comparison keys, in the order errors list them.
inline constexpr auto comparison_words = text::make_word_table<balance_condition::comparison>({
    {balance_condition::comparison::above, "above"},
    {balance_condition::comparison::at_least, "at_least"},
    {balance_condition::comparison::below, "below"},
    {balance_condition::comparison::min_remaining, "min_remaining"},
});

// "above", "at_least", "below", "min_remaining".
const char* to_string(balance_condition::comparison op);

}  // namespace paymand::rules
