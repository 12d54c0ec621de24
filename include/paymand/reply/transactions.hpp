#pragma once

#include "paymand/money/amount.hpp"
#include "paymand/prompt/memo_tag.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::reply {

enum class direction { sent, received, unknown };

// One transaction as a reply lists it. Strings are untrusted reply text.
struct transaction_entry {
    std::optional<std::chrono::year_month_day> date;
    std::string figure;                   // the amount as written, sign removed
    std::optional<std::string> currency;  // upper-case code if stated
    std::optional<money::amount> amount;  // when figure and currency parse (always positive)
    std::optional<std::string> counterparty;
    std::optional<std::string> memo;
    std::optional<prompt::memo_tag> tag;  // a paymand memo tag found in the entry
    direction dir = direction::unknown;
    std::size_t line = 0;  // 1-based line where the entry starts
};

// Transactions listed in a reply: one per line ("2026-12-01 - Sent 100.00 TSD to John Doe -
// memo: Rent"), per numbered block with "Date:"/"Amount:"/"To:"/"Memo:" lines, or per row of a
// pipe table with date/amount/currency/payee/memo columns. An entry needs at least a figure.
std::vector<transaction_entry> read_transactions(std::string_view reply);

}  // namespace paymand::reply
