#include "app/next_command.hpp"

#include "app/time_args.hpp"
#include "paymand/audit/time_format.hpp"
#include "paymand/daemon/load.hpp"
#include "paymand/inspect/rule_review.hpp"
#include "paymand/rules/rule_schedule.hpp"
#include "paymand/schedule/identity.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace paymand::app {

namespace {

struct next_args {
    std::string config = "/etc/paymand/paymand.yaml";
    std::size_t count = 10;
    std::string rule;
    std::string after;
    bool json = false;
};

int run_next(const next_args& a)
{
    yaml::diagnostics diags;
    auto loaded = daemon::load_configuration(a.config, diags);
    if (!loaded) {
        std::cerr << diags.to_string();
        return exit_failure;
    }
    const rules::rule_set* set = loaded->rules.get();
    rules::rule_set one;
    if (!a.rule.empty()) {
        const auto* r = set->find(a.rule);
        if (r == nullptr) {
            std::cerr << fmt::format("paymand next: no rule \"{}\" in {}\n", a.rule,
                                     loaded->config.rules_directory.string());
            return exit_failure;
        }
        if (!r->enabled) {
            std::cerr << fmt::format("paymand next: rule \"{}\" is disabled\n", a.rule);
            return exit_failure;
        }
        one = rules::rule_set({*r});
        set = &one;
    }
    auto after = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    if (!a.after.empty()) {
        auto parsed = parse_instant_arg(a.after, loaded->config.policy.zone);
        if (!parsed.value) {
            std::cerr << "paymand next: --after " << parsed.error << "\n";
            return exit_usage;
        }
        after = *parsed.value;
    }
    const auto upcoming = rules::next_occurrences(*set, after, a.count);
    if (!a.json) {
        std::vector<const rules::rule*> shown;
        for (const auto& r : set->rules())
            if (r.enabled) shown.push_back(&r);
        fmt::print("{}\n", inspect::schedule_table(shown));
        fmt::print("{:<26}  {:<20}  {:<14}  {:<36}  {}\n", "local", "UTC", "in", "occurrence",
                   "does");
    }
    for (const auto& d : upcoming) {
        const auto identity =
            schedule::to_string(schedule::occurrence_id{d.source->id, d.occ.local});
        if (a.json) {
            boost::json::object line{
                {"occurrence", identity},
                {"rule", d.source->id},
                {"local", inspect::format_local(d.source->zone, d.occ.instant)},
                {"zone", std::string(d.source->zone.name())},
                {"utc", audit::format_utc(d.occ.instant)},
                {"in_seconds", (d.occ.instant - after).count()},
                {"schedule", d.source->calendar.written()},
                {"normalised", d.source->calendar.normalised()},
                {"does", inspect::describe_action(*d.source)}};
            std::cout << boost::json::serialize(line) << "\n";
        } else {
            fmt::print("{:<26}  {}  {:<14}  {:<36}  {}\n",
                       inspect::format_local(d.source->zone, d.occ.instant),
                       audit::format_utc(d.occ.instant),
                       inspect::format_relative(after, d.occ.instant), identity,
                       inspect::describe_action(*d.source));
        }
    }
    // Every zone answers every instant up to year 9999 (find_zone refuses data that cannot),
    // so a short list means the rules end there, which is said rather than left silent.
    if (!a.json && upcoming.size() < a.count)
        fmt::print("{}\n", upcoming.empty() ? "no enabled rule fires again"
                                            : "no enabled rule fires again after these");
    return exit_ok;
}

}  // namespace

command add_next_command(CLI::App& parent)
{
    auto a = std::make_shared<next_args>();
    auto* cmd = parent.add_subcommand("next", "Show the next occurrences in local and UTC time");
    cmd->add_option("-c,--config", a->config, "Configuration file")->capture_default_str();
    cmd->add_option("-n,--count", a->count, "How many occurrences")
        ->capture_default_str()
        ->check(CLI::Range(1, 100'000));
    cmd->add_option("--rule", a->rule, "Only this rule's occurrences");
    cmd->add_option("--after", a->after,
                    "List occurrences strictly after this instant instead of now: a date (the "
                    "start of that day in the configured zone) or 2026-12-01T09:00:00Z");
    cmd->add_flag("--json", a->json, "One JSON object per line");
    cmd->footer("First each rule's schedule as written and normalised, then the occurrences\n"
                "strictly after now or --after (an occurrence at exactly that instant is not\n"
                "listed). Columns: local time in the rule's zone, UTC instant, how long after\n"
                "now/--after, occurrence identity (what the audit log and `audit resolve` name),\n"
                "what the rule does. Whether an occurrence pays is decided when it fires.\n"
                "Exit codes: 0 ok, 1 configuration or rules do not load / unknown rule, 2 usage.\n"
                "Example: paymand next --count 5 --rule rent-john");
    return {cmd, [a] { return run_next(*a); }};
}

}  // namespace paymand::app
