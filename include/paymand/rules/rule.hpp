#pragma once

// One validated rule, as loaded from a rule file. Every field has passed the strict checks of
// the loader (rule_loader.hpp); a rule never exists half-valid.

#include "paymand/rules/action.hpp"
#include "paymand/rules/condition.hpp"
#include "paymand/schedule/calendar.hpp"
#include "paymand/schedule/catchup.hpp"
#include "paymand/schedule/overlap.hpp"
#include "paymand/schedule/zone.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace paymand::rules {

// Where a rule was defined: its `- id:` item in a rule file (1-based line and column).
struct rule_origin {
    // Shared by the rules of one file: a copy of the path in every rule would cost a daemon
    // with 10,000 rules about a megabyte.
    std::shared_ptr<const std::string> path;
    int line = 1;
    int column = 1;

    const std::string& file() const
    {
        static const std::string none;
        return path ? *path : none;
    }
};

struct rule {
    std::string id;  // [a-z0-9][a-z0-9._-]{0,63}, unique across the rule set
    std::string description;
    bool enabled = true;
    schedule::calendar calendar;  // the compiled `schedule:`
    schedule::zone zone;          // the rule's `timezone:` or the policy's default
    std::optional<condition> when;
    action what;
    schedule::catchup_policy catchup = schedule::default_catchup;
    std::chrono::seconds catchup_window = schedule::default_catchup_window;
    schedule::overlap_policy overlap = schedule::default_overlap;
    rule_origin origin;
    // Lower-case hex SHA-256 of canonical_form(): equal exactly when the definitions are
    // equal, whatever the file layout, comments or key order.
    std::string content_hash;

    bool pays() const { return std::holds_alternative<pay_action>(what); }
    const pay_action* payment() const { return std::get_if<pay_action>(&what); }
};

// The canonical text of a rule's definition (one `key=value` line per field, normalised
// schedule, amounts as exact decimals); the input of content_hash. Excludes the origin.
std::string canonical_form(const rule& r);

}  // namespace paymand::rules
