#include "paymand/engine/reconcile.hpp"

#include "paymand/reply/payment.hpp"

namespace paymand::engine {

bool tag_ends_memo(std::string_view memo, const prompt::memo_tag& tag)
{
    const auto text = prompt::format_memo_tag(tag);
    if (!memo.ends_with(text)) return false;
    return memo.size() == text.size() || memo[memo.size() - text.size() - 1] == ' ';
}

std::string listed_line(std::string_view text, std::size_t line)
{
    std::size_t start = 0;
    for (std::size_t i = 1; i < line && start != std::string_view::npos; ++i) {
        start = text.find('\n', start);
        if (start != std::string_view::npos) ++start;
    }
    if (start == std::string_view::npos || start > text.size()) return {};
    auto end = text.find('\n', start);
    return std::string(text.substr(start, end == std::string_view::npos ? end : end - start));
}

std::vector<std::optional<std::size_t>>
match_listed(const std::vector<reply::transaction_entry>& listed,
             const std::vector<sought_payment>& sought)
{
    std::vector<bool> settled(listed.size(), false);
    std::vector<std::optional<std::size_t>> out;
    out.reserve(sought.size());
    for (const auto& s : sought) {
        std::optional<std::size_t> match;
        for (std::size_t i = 0; i < listed.size() && !match; ++i) {
            const auto& e = listed[i];
            if (settled[i] || !e.tag || !(*e.tag == s.tag) || !e.amount || !(*e.amount == s.amount))
                continue;
            // A listing that does not name the payee proves nothing.
            if (!e.counterparty || !reply::same_payee(*e.counterparty, s.payee)) continue;
            if (e.memo && !tag_ends_memo(*e.memo, s.tag)) continue;
            match = i;
        }
        if (match) settled[*match] = true;
        out.push_back(match);
    }
    return out;
}

}  // namespace paymand::engine
