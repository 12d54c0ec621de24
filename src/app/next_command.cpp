#include "app/next_command.hpp"

#include "app/time_args.hpp"
#include "paymand/audit/state_lock.hpp"
#include "paymand/audit/time_format.hpp"
#include "paymand/core/clock.hpp"
#include "paymand/daemon/live_table.hpp"
#include "paymand/daemon/live_view.hpp"
#include "paymand/daemon/load.hpp"
#include "paymand/inspect/rule_review.hpp"
#include "paymand/rules/rule_schedule.hpp"
#include "paymand/schedule/identity.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <iostream>
#include <map>
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

// What the running daemon runs, against the files: nothing when it is not running or its
// view cannot be read (`note` then says why, for the text output).
struct daemon_plan {
    std::optional<daemon::live_view> view;
    std::map<std::string, std::string, std::less<>> differs;  // rule id -> how
    std::string note;
};

daemon_plan read_daemon_plan(const config::daemon_config& cfg, const rules::rule_set& files)
{
    daemon_plan plan;
    auto read = daemon::read_live_view(daemon::live_view_path(cfg.state_directory));
    if (!read) {
        plan.note = fmt::format("the daemon's live view cannot be read ({}): the occurrences "
                                "above are the files' plan, not necessarily the daemon's",
                                read.error().message);
        return plan;
    }
    auto& view = *read;
    if (!view) return plan;
    if (!daemon::is_live(*view, audit::state_lock::holder(cfg.lock_path()))) {
        plan.note = fmt::format("the daemon is not running (its live view, written {}, is stale)",
                                audit::format_utc(view->written_at));
        return plan;
    }
    for (const auto& line : daemon::differences(*view, files))
        plan.differs.emplace(line.substr(0, line.find(' ')), line.substr(line.find(' ') + 1));
    plan.view = std::move(view);
    return plan;
}

// The rules to list: all of them, or the one --rule names (nullptr, with the reason on
// stderr, when it is missing or disabled); `one` holds the latter.
const rules::rule_set* rules_to_list(const daemon::loaded& loaded, const next_args& a,
                                     rules::rule_set& one)
{
    if (a.rule.empty()) return loaded.rules.get();
    const auto* r = loaded.rules->find(a.rule);
    if (r == nullptr) {
        std::cerr << fmt::format("paymand next: no rule \"{}\" in {}\n", a.rule,
                                 loaded.config.rules_directory.string());
        return nullptr;
    }
    if (!r->enabled) {
        std::cerr << fmt::format("paymand next: rule \"{}\" is disabled\n", a.rule);
        return nullptr;
    }
    one = rules::rule_set({*r});
    return &one;
}

// One upcoming occurrence: a JSON line or a row of the table.
void print_upcoming(const rules::scheduled_occurrence& d, std::chrono::sys_seconds after,
                    const daemon_plan& plan, bool json)
{
    const auto identity = schedule::to_string(schedule::occurrence_id{d.source->id, d.occ.local});
    if (json) {
        boost::json::object line{{"occurrence", identity},
                                 {"rule", d.source->id},
                                 {"local", inspect::format_local(d.source->zone, d.occ.instant)},
                                 {"zone", std::string(d.source->zone.name())},
                                 {"utc", audit::format_utc(d.occ.instant)},
                                 {"in_seconds", (d.occ.instant - after).count()},
                                 {"schedule", d.source->calendar.written()},
                                 {"normalised", d.source->calendar.normalised()},
                                 {"does", inspect::describe_action(*d.source)}};
        if (plan.view) {
            const auto it = plan.differs.find(d.source->id);
            line["daemon"] = it == plan.differs.end() ? "runs it" : it->second;
        }
        std::cout << boost::json::serialize(line) << "\n";
        return;
    }
    const auto it = plan.differs.find(d.source->id);
    fmt::print("{:<26}  {}  {:<14}  {:<36}  {}{}\n",
               inspect::format_local(d.source->zone, d.occ.instant),
               audit::format_utc(d.occ.instant), inspect::format_relative(after, d.occ.instant),
               identity, inspect::describe_action(*d.source),
               it == plan.differs.end() ? "" : " (" + it->second + ")");
}

// What the running daemon runs (text output), or why that is not known.
void print_daemon_plan(const daemon_plan& plan, const daemon::loaded& loaded)
{
    if (plan.view) {
        const auto now = core::now_seconds();
        fmt::print("\nthe daemon (pid {}) runs, by its live view written {}:\n{}", plan.view->pid,
                   audit::format_utc(plan.view->written_at),
                   daemon::live_rules_table(*plan.view, loaded.rules.get(), now));
        for (const auto& [id, how] : plan.differs) fmt::print("{} {}\n", id, how);
        if (!plan.differs.empty()) fmt::print("`paymand check`, then `systemctl reload paymand`\n");
    } else if (!plan.note.empty()) {
        fmt::print("\n{}\n", plan.note);
    }
}

int run_next(const next_args& a)
{
    yaml::diagnostics diags;
    auto loaded = daemon::load_configuration(a.config, diags);
    if (!loaded) {
        std::cerr << diags.to_string();
        return exit_failure;
    }
    rules::rule_set one;
    const rules::rule_set* set = rules_to_list(*loaded, a, one);
    if (set == nullptr) return exit_failure;
    auto after = core::now_seconds();
    if (!a.after.empty()) {
        auto parsed = parse_instant_arg(a.after, loaded->config.policy.zone);
        if (!parsed) {
            std::cerr << "paymand next: --after " << parsed.error().message << "\n";
            return exit_usage;
        }
        after = *parsed;
    }
    const auto upcoming = rules::next_occurrences(*set, after, a.count);
    const auto plan = read_daemon_plan(loaded->config, *loaded->rules);
    if (!a.json) {
        std::vector<const rules::rule*> shown;
        for (const auto& r : set->rules())
            if (r.enabled) shown.push_back(&r);
        fmt::print("{}\n", inspect::schedule_table(shown));
        fmt::print("{:<26}  {:<20}  {:<14}  {:<36}  {}\n", "local", "UTC", "in", "occurrence",
                   "does");
    }
    for (const auto& d : upcoming) print_upcoming(d, after, plan, a.json);
    // Every zone answers every instant up to year 9999 (find_zone refuses data that cannot),
    // so a short list means the rules end there, which is said rather than left silent.
    if (!a.json && upcoming.size() < a.count)
        fmt::print("{}\n", upcoming.empty() ? "no enabled rule fires again"
                                            : "no enabled rule fires again after these");
    if (!a.json) print_daemon_plan(plan, *loaded);
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
                "With the daemon running, its live view follows (the rules it runs: RULE NEXT\n"
                "LEFT LAST PASSED OUTCOME, a catch-up occurrence already due as \"due now\"),\n"
                "and a rule whose files differ from what it runs is marked, e.g. \"(edited,\n"
                "not yet reloaded)\"; with --json, a \"daemon\" field says the same.\n"
                "Exit codes: 0 ok, 1 configuration or rules do not load / unknown rule, 2 usage.\n"
                "Example: paymand next --count 5 --rule rent-john");
    return {cmd, [a] { return run_next(*a); }};
}

}  // namespace paymand::app
