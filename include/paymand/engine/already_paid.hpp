#pragma once

// "An edit never pays a period twice", without I/O: whether a rule's scheduled occurrence
// must be refused because the rule (by id, whatever its definition then) already paid in
// that occurrence's period or within min_pay_interval. The engine refuses such an occurrence;
// a reload and `paymand check` say so before it happens.

#include "paymand/audit/projection.hpp"
#include "paymand/audit/record.hpp"
#include "paymand/rules/rule.hpp"
#include "paymand/schedule/occurrence.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::engine {

// The denial for occurrence `occ` (identity `identity`) of `rule`, or nothing. A manual run
// (`paymand trigger`) is the operator's own decision and is never refused here.
std::optional<audit::denied_record> already_paid(const audit::audit_projection& state,
                                                 const rules::rule& rule,
                                                 const schedule::occurrence& occ,
                                                 std::string_view identity, bool manual,
                                                 std::chrono::seconds min_pay_interval);

// In plain words, for the reload log line and `paymand check`: "rule rent changed; it paid
// 10.00 TSD to John Doe for rent@2026-12-01T09:00; its new schedule is due again at
// rent@2026-12-01T10:00, which will be refused (already_paid_this_period): ...". Nothing when
// `next` will not be refused.
std::optional<std::string> already_paid_warning(const audit::audit_projection& state,
                                                const rules::rule& rule,
                                                const schedule::occurrence& next,
                                                std::chrono::seconds min_pay_interval);

}  // namespace paymand::engine
