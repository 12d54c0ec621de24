#pragma once

// Scheduling across a rule set, built on the per-calendar functions of paymand::schedule.
// Disabled rules never appear. Results point into the rule set, which must outlive them.

#include "paymand/rules/rule_set.hpp"
#include "paymand/schedule/occurrence.hpp"

#include <chrono>
#include <cstddef>
#include <limits>
#include <vector>

namespace paymand::rules {

struct scheduled_occurrence {
    const rule* source = nullptr;
    schedule::occurrence occ;
};

// The occurrences due next after `after`: every occurrence (of any enabled rule) whose instant
// is the earliest instant strictly after `after`, ties together. Ordered by rule set order,
// then identity. Empty when no enabled rule fires again (or the set is empty). A rule may
// contribute two occurrences sharing one instant (a spring DST gap).
std::vector<scheduled_occurrence> next_due(const rule_set& rules, std::chrono::sys_seconds after);

// The first `count` occurrences of enabled rules strictly after `after`, by instant (ties as
// next_due orders them). For `next` and `status`.
std::vector<scheduled_occurrence>
next_occurrences(const rule_set& rules, std::chrono::sys_seconds after, std::size_t count);

// Each enabled rule's first occurrence strictly after `after`, in rule set order; rules that
// never fire again are left out. For `next`, `status` and check summaries.
std::vector<scheduled_occurrence> next_per_rule(const rule_set& rules,
                                                std::chrono::sys_seconds after);

// All occurrences of enabled rules whose instant is in [from, to), ordered by instant, then
// rule set order, then identity; at most `max_count` (the earliest). For `next --count` and
// `simulate`.
std::vector<scheduled_occurrence>
occurrences_between(const rule_set& rules, std::chrono::sys_seconds from,
                    std::chrono::sys_seconds to,
                    std::size_t max_count = std::numeric_limits<std::size_t>::max());

}  // namespace paymand::rules
