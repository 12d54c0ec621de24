#pragma once

// What a rule set will do, told without running it: the facts `paymand check`, `next` and
// `status` print. Pure functions of the rules, the policy and an instant.

#include "paymand/rules/policy.hpp"
#include "paymand/rules/rule.hpp"
#include "paymand/rules/rule_set.hpp"
#include "paymand/schedule/zone.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::inspect {

// A Payman scope the rule set needs, and which rules need it.
struct scope_need {
    std::string scope;  // e.g. "write_send_payment"
    std::string why;    // e.g. "pay rules: rent-john, cleaning"
};

// The scopes the client must be granted for every enabled rule to work, in a fixed order:
// write_send_payment (pay rules), read_balance (balance conditions and balance reports),
// read_list_payees (payee reports), read_list_transactions (transaction reports, and the
// reconciliation of in-doubt payments, which any pay rule may need).
std::vector<scope_need> required_scopes(const rules::rule_set& rules);

// The first limit a pay rule would hit if it were the only rule paying: its occurrences from
// `from` up to `to` are checked in order by the engine's own limit check, each allowed one
// counted as paid.
struct solo_limit_hit {
    std::string identity;  // the first occurrence denied
    std::chrono::sys_seconds instant;
    std::string limit;            // e.g. "monthly_total.TSD"
    std::string reason;           // with the figures
    std::size_t paid_before = 0;  // occurrences allowed before it
};

// Nothing when the rule does not pay, is disabled, or hits no limit in the period. At most
// `max_occurrences` occurrences are examined (a minutely rule over a year is 525,600).
std::optional<solo_limit_hit> first_limit_alone(const rules::rule& rule,
                                                const rules::policy& policy,
                                                std::chrono::sys_seconds from,
                                                std::chrono::sys_seconds to,
                                                std::size_t max_occurrences = 100'000);

// One line for what a rule does: "pay 1200.00 TSD to John Doe from Operations when balance of
// Operations above 500.00 TSD", "report balance".
std::string describe_action(const rules::rule& rule);

// A total kept as minor units and a currency code (limits, ledgers, simulations):
// "1200.00 TSD"; an unknown code prints the minor units as they are.
std::string format_total(std::int64_t minor_units, std::string_view currency_code);

// A local time with the zone's abbreviation: "2026-12-01 09:00 CET".
std::string format_local(const schedule::zone& zone, std::chrono::sys_seconds instant);

// How long after `from` the instant `at` is, to the minute (seconds below one), largest units
// first and at most two of them: "in 3 d 4 h", "in 4 h 12 min", "in 12 min", "in 40 s",
// "now" when equal. An instant before `from` reads "3 d 4 h ago".
std::string format_relative(std::chrono::sys_seconds from, std::chrono::sys_seconds at);

// A table of the rules' schedules, one line per rule after a header: id, zone, the schedule as
// written and its normalised form (as `systemd-analyze calendar` shows both), e.g.
//   rule       zone           schedule (as written)                        normalised
//   payroll    Europe/Berlin  biweekly on fri at 09:00 from 2026-12-04     0 9 * * FRI every=2w
//   from=2026-12-04
// Each line ends with a newline.
std::string schedule_table(const std::vector<const rules::rule*>& rules);

}  // namespace paymand::inspect
