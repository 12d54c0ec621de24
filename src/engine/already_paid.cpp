#include "paymand/engine/already_paid.hpp"

#include "paymand/money/amount.hpp"
#include "paymand/rules/pay_period.hpp"
#include "paymand/schedule/identity.hpp"

#include <fmt/format.h>

namespace paymand::engine {

std::optional<audit::denied_record> already_paid(const audit::audit_projection& state,
                                                 const rules::rule& rule,
                                                 const schedule::occurrence& occ,
                                                 std::string_view identity, bool manual,
                                                 std::chrono::seconds min_pay_interval)
{
    if (manual) return std::nullopt;
    const auto* last = state.last_paid(rule.id);
    if (last == nullptr || last->ref.occurrence == identity || !last->payment) return std::nullopt;
    auto paid = schedule::parse_occurrence_id(last->ref.occurrence);
    if (!paid) return std::nullopt;
    const audit::occurrence_ref ref{rule.id, std::string(identity), occ.instant};
    const auto gap = occ.local > paid->local ? occ.local - paid->local : paid->local - occ.local;
    const auto what =
        fmt::format("{} to {} for {} ({})", money::format_with_code(last->payment->amount),
                    last->payment->payee, last->ref.occurrence, audit::to_string(last->state));
    if (gap < min_pay_interval)
        return audit::denied_record{
            .ref = ref,
            .limit = "min_pay_interval",
            .reason = fmt::format("the rule paid {} {} min before; min_pay_interval is {} s", what,
                                  gap.count(), min_pay_interval.count())};
    const auto period = rules::period_of(rule.calendar);
    if (!rules::same_period(period, paid->local, occ.local)) return std::nullopt;
    return audit::denied_record{
        .ref = ref,
        .limit = "already_paid_this_period",
        .reason = fmt::format("the rule already paid {} in this {}; an edit never pays a period "
                              "twice (`paymand trigger` pays it by hand)",
                              what, rules::describe(period))};
}

std::optional<std::string> already_paid_warning(const audit::audit_projection& state,
                                                const rules::rule& rule,
                                                const schedule::occurrence& next,
                                                std::chrono::seconds min_pay_interval)
{
    if (!rule.payment()) return std::nullopt;
    const auto identity = schedule::to_string({rule.id, next.local});
    const auto refusal = already_paid(state, rule, next, identity, false, min_pay_interval);
    if (!refusal) return std::nullopt;
    const auto* last = state.last_paid(rule.id);
    return fmt::format("rule {} changed; it paid {} to {} for {}; its new schedule is due again "
                       "at {}, which will be refused ({}): {}",
                       rule.id, money::format_with_code(last->payment->amount),
                       last->payment->payee, last->ref.occurrence, identity, refusal->limit,
                       refusal->reason);
}

}  // namespace paymand::engine
