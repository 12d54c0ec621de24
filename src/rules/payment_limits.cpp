#include "paymand/rules/payment_limits.hpp"

#include <fmt/format.h>

namespace paymand::rules {

limits::proposed_payment proposed_payment(const pay_action& pay, std::chrono::sys_seconds instant)
{
    return {.amount = pay.amount.minor_units(),
            .currency = std::string(pay.amount.unit().code()),
            .payee = pay.payee,
            .instant = instant,
            .max_amount = pay.max_amount
                              ? std::optional<std::int64_t>(pay.max_amount->minor_units())
                              : std::nullopt};
}

std::string limit_label(limits::limit_kind kind, const pay_action& pay)
{
    return fmt::format("{}.{}", limits::to_string(kind), pay.amount.unit().code());
}

}  // namespace paymand::rules
