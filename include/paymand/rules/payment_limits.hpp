#pragma once

// A pay action seen by the limits engine: the one translation from a rule's payment to the
// limit check, shared by the engine (before every intent) and by `paymand check` (which
// limits a rule could hit on its own), so both decide alike.

#include "paymand/limits/check.hpp"
#include "paymand/rules/action.hpp"

#include <chrono>
#include <string>

namespace paymand::rules {

// The payment `pay` would make at `instant`, with the rule's own cap.
limits::proposed_payment proposed_payment(const pay_action& pay, std::chrono::sys_seconds instant);

// The name a denial carries in the audit log and in summaries: "<limit>.<currency>", e.g.
// "monthly_total.TSD".
std::string limit_label(limits::limit_kind kind, const pay_action& pay);

}  // namespace paymand::rules
