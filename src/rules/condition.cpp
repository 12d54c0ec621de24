#include "paymand/rules/condition.hpp"

#include "paymand/money/arithmetic.hpp"
#include "paymand/money/figures.hpp"

#include <fmt/format.h>

namespace paymand::rules {

const char* to_string(balance_condition::comparison op)
{
    return comparison_words.word(op, "unknown").data();
}

namespace {

std::string figure(const money::amount& a)
{
    return fmt::format("{} {}", money::format_figure(a.minor_units(), a.unit().code()),
                       a.unit().code());
}

condition_result evaluate_one(const balance_condition& c, const condition_facts& facts)
{
    using op = balance_condition::comparison;
    auto it = facts.balances.find(c.wallet);
    if (it == facts.balances.end())
        return {false, fmt::format("balance of {} is unknown", c.wallet)};
    const money::amount& balance = it->second;
    if (!(balance.unit() == c.threshold.unit()))
        return {false, fmt::format("balance of {} is in {}, the condition is in {}", c.wallet,
                                   balance.unit().code(), c.threshold.unit().code())};
    std::int64_t value = balance.minor_units();
    std::int64_t threshold = c.threshold.minor_units();
    bool met = false;
    std::string subject = fmt::format("balance of {} is {}", c.wallet, figure(balance));
    switch (c.op) {
    case op::above:
        met = value > threshold;
        break;
    case op::at_least:
        met = value >= threshold;
        break;
    case op::below:
        met = value < threshold;
        break;
    case op::min_remaining: {
        if (!facts.payment) return {false, "min_remaining needs the payment amount"};
        auto rest = money::checked_subtract(balance, *facts.payment);
        if (!rest)
            return {false, fmt::format("cannot subtract the payment: {}", rest.error().message)};
        met = rest->minor_units() >= threshold;
        return {met,
                fmt::format("{}, {} would remain after paying {}, required at least {}", subject,
                            figure(*rest), figure(*facts.payment), figure(c.threshold))};
    }
    }
    const char* wording = c.op == op::above ? "above" : c.op == op::at_least ? "at least" : "below";
    return {met, fmt::format("{}, required {} {}", subject, wording, figure(c.threshold))};
}

}  // namespace

condition_result evaluate(const condition& c, const condition_facts& facts)
{
    return std::visit([&](const auto& kind) { return evaluate_one(kind, facts); }, c);
}

std::vector<std::string> wallets_needed(const condition& c)
{
    return std::visit(
        [](const auto& kind) -> std::vector<std::string> {
            using T = std::decay_t<decltype(kind)>;
            if constexpr (std::is_same_v<T, balance_condition>) return {kind.wallet};
        },
        c);
}

std::string describe(const condition& c)
{
    return std::visit(
        [](const auto& kind) -> std::string {
            using T = std::decay_t<decltype(kind)>;
            if constexpr (std::is_same_v<T, balance_condition>)
                return fmt::format("balance of {} {} {}", kind.wallet, to_string(kind.op),
                                   money::format_with_code(kind.threshold));
        },
        c);
}

}  // namespace paymand::rules
