#pragma once

// The per-rule table of the daemon's live view, as `paymand status` and `paymand next` print
// it (like `systemctl list-timers`): RULE NEXT LEFT LAST PASSED OUTCOME.

#include "paymand/daemon/live_view.hpp"
#include "paymand/rules/rule_set.hpp"

#include <boost/json/array.hpp>

#include <chrono>
#include <string>

namespace paymand::daemon {

// Local times in each rule's zone as the files give it (UTC for a rule no longer in them).
// A next occurrence at or before `now` is a catch-up occurrence: "due now".
std::string live_rules_table(const daemon::live_view& view, const rules::rule_set* on_disk,
                             std::chrono::sys_seconds now);

// The same rows as JSON objects (rule, next, next_occurrence, left_seconds, due_now, last,
// last_occurrence, outcome).
boost::json::array live_rules_json(const daemon::live_view& view, std::chrono::sys_seconds now);

}  // namespace paymand::daemon
