#include "paymand/rules/rule_schedule.hpp"

#include <algorithm>

namespace paymand::rules {

namespace {

// Order within a result: instant, then position of the rule in the set, then identity.
struct by_time_then_rule {
    const rule* base;
    bool operator()(const scheduled_occurrence& a, const scheduled_occurrence& b) const
    {
        if (a.occ.instant != b.occ.instant) return a.occ.instant < b.occ.instant;
        if (a.source != b.source) return a.source - base < b.source - base;
        return a.occ.local < b.occ.local;
    }
};

}  // namespace

std::vector<scheduled_occurrence> next_per_rule(const rule_set& rules,
                                                std::chrono::sys_seconds after)
{
    std::vector<scheduled_occurrence> out;
    out.reserve(rules.size());
    for (const auto& r : rules.rules()) {
        if (!r.enabled) continue;
        if (auto occ = schedule::next_occurrence(r.calendar, r.zone, after))
            out.push_back({&r, *occ});
    }
    return out;
}

std::vector<scheduled_occurrence>
next_occurrences(const rule_set& rules, std::chrono::sys_seconds after, std::size_t count)
{
    std::vector<scheduled_occurrence> out;
    while (out.size() < count) {
        auto due = next_due(rules, after);
        if (due.empty()) break;
        after = due.front().occ.instant;
        for (auto& d : due) {
            if (out.size() == count) break;
            out.push_back(std::move(d));
        }
    }
    return out;
}

std::vector<scheduled_occurrence> next_due(const rule_set& rules, std::chrono::sys_seconds after)
{
    auto candidates = next_per_rule(rules, after);
    if (candidates.empty()) return {};
    auto earliest =
        std::min_element(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
            return a.occ.instant < b.occ.instant;
        })->occ.instant;
    std::vector<scheduled_occurrence> out;
    for (const auto& c : candidates) {
        if (c.occ.instant != earliest) continue;
        // A rule's occurrences can share an instant (spring gap): take all of them.
        for (const auto& occ : schedule::occurrences_between(
                 c.source->calendar, c.source->zone, earliest, earliest + std::chrono::seconds(1)))
            out.push_back({c.source, occ});
    }
    return out;
}

std::vector<scheduled_occurrence> occurrences_between(const rule_set& rules,
                                                      std::chrono::sys_seconds from,
                                                      std::chrono::sys_seconds to,
                                                      std::size_t max_count)
{
    std::vector<scheduled_occurrence> out;
    if (rules.empty() || max_count == 0 || from >= to) return out;
    by_time_then_rule order{rules.rules().data()};
    for (const auto& r : rules.rules()) {
        if (!r.enabled) continue;
        for (const auto& occ :
             schedule::occurrences_between(r.calendar, r.zone, from, to, max_count))
            out.push_back({&r, occ});
    }
    // One sort of everything (each rule contributed at most max_count): a year of 1,000 daily
    // rules is 365,000 entries, sorted once rather than merged rule by rule.
    if (out.size() > max_count) {
        std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(max_count),
                          out.end(), order);
        out.resize(max_count);
    } else {
        std::sort(out.begin(), out.end(), order);
    }
    return out;
}

}  // namespace paymand::rules
