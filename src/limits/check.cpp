#include "paymand/limits/check.hpp"

#include "paymand/money/figures.hpp"
#include "paymand/text/word_table.hpp"

#include <fmt/format.h>

namespace paymand::limits {

namespace {

constexpr auto limit_words = text::make_word_table<limit_kind>({
    {limit_kind::none, "none"},
    {limit_kind::rule_max_amount, "rule_max_amount"},
    {limit_kind::no_limits_for_currency, "no_limits_for_currency"},
    {limit_kind::per_transaction, "per_transaction"},
    {limit_kind::payments_per_day, "payments_per_day"},
    {limit_kind::daily_total, "daily_total"},
    {limit_kind::monthly_total, "monthly_total"},
    {limit_kind::payee_daily_total, "payee_daily_total"},
    {limit_kind::payee_monthly_total, "payee_monthly_total"},
});

}  // namespace

const char* to_string(limit_kind kind)
{
    return limit_words.word(kind, "unknown").data();
}

namespace {

decision deny(limit_kind kind, std::string reason)
{
    return {false, kind, std::move(reason)};
}

// A total limit is exceeded when already + amount > limit (reaching it exactly is allowed).
bool exceeds(std::int64_t already, std::int64_t amount, std::int64_t limit)
{
    return already > limit || amount > limit - already;
}

}  // namespace

decision check_payment(const limits_config& config, const spending_ledger& ledger,
                       const proposed_payment& p)
{
    const auto& cur = p.currency;
    auto fig = [&](std::int64_t v) { return money::format_figure(v, cur); };

    if (p.max_amount && p.amount > *p.max_amount)
        return deny(limit_kind::rule_max_amount,
                    fmt::format("amount {} {} is above the rule's max_amount {} {}", fig(p.amount),
                                cur, fig(*p.max_amount), cur));
    if (!config.enabled) return {};

    auto limits_it = config.currencies.find(cur);
    if (limits_it == config.currencies.end())
        return deny(
            limit_kind::no_limits_for_currency,
            fmt::format("no limits are configured for {}; payments in it are refused", cur));
    const currency_limits& lim = limits_it->second;

    if (lim.per_transaction && p.amount > *lim.per_transaction)
        return deny(limit_kind::per_transaction,
                    fmt::format("amount {} {} is above the per-transaction limit {} {}",
                                fig(p.amount), cur, fig(*lim.per_transaction), cur));

    if (config.max_payments_per_day) {
        auto count = ledger.payments_on_day(p.instant);
        if (count + 1 > *config.max_payments_per_day)
            return deny(limit_kind::payments_per_day,
                        fmt::format("payment count today would be {}, limit {} per day", count + 1,
                                    *config.max_payments_per_day));
    }

    auto totals = ledger.currency_totals(cur, p.instant);
    if (lim.daily && exceeds(totals.day, p.amount, *lim.daily))
        return deny(limit_kind::daily_total,
                    fmt::format("daily total for {} would be {}, limit {} (already {} today)", cur,
                                fig(totals.day + p.amount), fig(*lim.daily), fig(totals.day)));
    if (lim.monthly && exceeds(totals.month, p.amount, *lim.monthly))
        return deny(
            limit_kind::monthly_total,
            fmt::format("monthly total for {} would be {}, limit {} (already {} this month)", cur,
                        fig(totals.month + p.amount), fig(*lim.monthly), fig(totals.month)));

    std::optional<std::int64_t> payee_daily = lim.payee_daily;
    std::optional<std::int64_t> payee_monthly = lim.payee_monthly;
    if (auto payee_it = config.payees.find(p.payee); payee_it != config.payees.end()) {
        if (auto c = payee_it->second.find(cur); c != payee_it->second.end()) {
            // The payee's own limit applies together with the general per-payee one: the
            // tighter of the two wins.
            if (c->second.daily && (!payee_daily || *c->second.daily < *payee_daily))
                payee_daily = c->second.daily;
            if (c->second.monthly && (!payee_monthly || *c->second.monthly < *payee_monthly))
                payee_monthly = c->second.monthly;
        }
    }
    if (payee_daily || payee_monthly) {
        auto pt = ledger.payee_totals(p.payee, cur, p.instant);
        if (payee_daily && exceeds(pt.day, p.amount, *payee_daily))
            return deny(limit_kind::payee_daily_total,
                        fmt::format("daily total to {} in {} would be {}, limit {} (already {} "
                                    "today)",
                                    p.payee, cur, fig(pt.day + p.amount), fig(*payee_daily),
                                    fig(pt.day)));
        if (payee_monthly && exceeds(pt.month, p.amount, *payee_monthly))
            return deny(limit_kind::payee_monthly_total,
                        fmt::format("monthly total to {} in {} would be {}, limit {} (already {} "
                                    "this month)",
                                    p.payee, cur, fig(pt.month + p.amount), fig(*payee_monthly),
                                    fig(pt.month)));
    }
    return {};
}

decision check_payment(const limits_config& config, const date::time_zone* zone,
                       std::span<const payment_record> history, const proposed_payment& payment)
{
    spending_ledger ledger(zone);
    for (const auto& h : history) ledger.add(h);
    return check_payment(config, ledger, payment);
}

}  // namespace paymand::limits
