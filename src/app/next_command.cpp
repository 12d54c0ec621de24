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
                {"does", inspect::describe_action(*d.source)}};
            std::cout << boost::json::serialize(line) << "\n";
        } else {
            fmt::print(
                "{:<26}  {}  {:<36}  {}\n", inspect::format_local(d.source->zone, d.occ.instant),
                audit::format_utc(d.occ.instant), identity, inspect::describe_action(*d.source));
        }
    }
    if (upcoming.empty() && !a.json) fmt::print("no enabled rule fires again\n");
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
                    "Start after this instant instead of now: a date (midnight in the "
                    "configured zone) or 2026-12-01T09:00:00Z");
    cmd->add_flag("--json", a->json, "One JSON object per line");
    cmd->footer("Columns: local time in the rule's zone, UTC instant, occurrence identity (what\n"
                "the audit log and `audit resolve` name), what the rule does. Whether an\n"
                "occurrence pays is decided when it fires (conditions, limits).\n"
                "Exit codes: 0 ok, 1 configuration or rules do not load / unknown rule, 2 usage.\n"
                "Example: paymand next --count 5 --rule rent-john");
    return {cmd, [a] { return run_next(*a); }};
}

}  // namespace paymand::app
