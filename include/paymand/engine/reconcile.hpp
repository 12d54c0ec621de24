#pragma once

// Reconciliation's matching, without I/O: which listed transaction, if any, shows that an
// in-doubt payment was made.

#include "paymand/money/amount.hpp"
#include "paymand/prompt/memo_tag.hpp"
#include "paymand/reply/transactions.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::engine {

// What an in-doubt payment must look like in a listing.
struct sought_payment {
    prompt::memo_tag tag;  // the tag its memo carried
    money::amount amount;
    std::string payee;
};

// For each sought payment, in order, the index in `listed` of the first transaction that
// carries its tag with its amount and payee and settles no earlier sought payment: one
// transaction settles at most one occurrence. The listing must name the payee (one that
// omits it is no match), and when it shows the memo, the tag must be the memo's last word,
// where paymand puts it.
std::vector<std::optional<std::size_t>>
match_listed(const std::vector<reply::transaction_entry>& listed,
             const std::vector<sought_payment>& sought);

// paymand appends its tag as the memo's last word: a tag anywhere else is not its own.
bool tag_ends_memo(std::string_view memo, const prompt::memo_tag& tag);

// Line `line` (1-based) of `text`, without its newline; empty past the end. Evidence for a
// record: the listed transaction as the reply wrote it.
std::string listed_line(std::string_view text, std::size_t line);

}  // namespace paymand::engine
