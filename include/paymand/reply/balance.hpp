#pragma once

#include "paymand/money/amount.hpp"
#include "paymand/money/currency.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::reply {

// Which balance a figure claims to be.
enum class balance_kind {
    spendable,  // "Spendable Balance", "spendableBalance"
    available,  // "Available Balance"
    plain,      // "balance", "you have", an unlabelled figure with a currency
    total,      // "Total Balance"
    pending,    // "Pending Balance": never read as the balance
};

// One figure found in a reply. All strings are untrusted text copied from the reply (markdown
// removed, whitespace collapsed, bounded in length); they are for matching, never for prompts.
struct balance_entry {
    std::optional<std::string> wallet;    // the wallet it is attributed to, if the reply says
    std::optional<std::string> currency;  // upper-case code, if the reply states one
    std::string figure;                   // the number as written, e.g. "-1,234.56"
    balance_kind kind = balance_kind::plain;
    std::size_t line = 0;  // 1-based line of the reply (0 for JSON)
};

// Every balance figure in a reply: from JSON when the reply is (or fences) a JSON document,
// else from prose (numbered wallet lists with "Spendable Balance:"/"Currency:" lines, pipe
// tables, sentences such as "Your TSD wallet balance is 1,234.56 TSD", bold markdown).
std::vector<balance_entry> extract_balances(std::string_view reply);

enum class unclear_balance {
    none,                 // the reading has a value
    reply_too_long,       // above max_reply_bytes
    no_figure,            // no balance figure at all
    wallet_not_found,     // the asked wallet is not mentioned
    unnamed_wallet,       // a wallet was asked but the figures are not attributed to any wallet
    ambiguous_wallet,     // no wallet asked and the reply lists several in the currency
    other_currency,       // figures only in another currency
    currency_not_stated,  // figures with no currency ("$1,000.00" alone)
    conflicting_figures,  // two different balances for the same wallet and currency
    negative,             // a negative balance
    malformed_figure,     // too many decimals, above the maximum, ...
};

struct balance_reading {
    std::optional<money::amount> value;  // set exactly when `unclear` is none
    unclear_balance unclear = unclear_balance::none;
    std::string explanation;  // our own words: what was read or why it is unclear

    bool clear() const noexcept { return value.has_value(); }
};

struct balance_query {
    std::optional<std::string> wallet;  // empty: the reply to the default-wallet question
    money::currency currency;
};

// The balance of the asked wallet in the asked currency, or unclear with the reason. Never a
// guess: a figure counts only when the reply ties it to that wallet (or, with no wallet asked,
// when only one wallet has the currency) and the currency, and all such figures agree.
balance_reading read_balance(std::string_view reply, const balance_query& query);

}  // namespace paymand::reply
