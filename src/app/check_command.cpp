#include "app/check_command.hpp"

#include "app/time_args.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/audit/reader.hpp"
#include "paymand/audit/time_format.hpp"
#include "paymand/core/clock.hpp"
#include "paymand/daemon/load.hpp"
#include "paymand/engine/already_paid.hpp"
#include "paymand/inspect/rule_review.hpp"
#include "paymand/rules/rule_schedule.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace paymand::app {

namespace {

struct check_args {
    std::string config = "/etc/paymand/paymand.yaml";
    bool no_config = false;
    bool quiet = false;
    bool json = false;
    std::string after;
    std::vector<std::string> paths;
};

void print_summary(const check_args& a, const rules::rule_set& rules, const rules::policy& policy,
                   std::size_t files, std::chrono::sys_seconds now)
{
    if (a.no_config)
        fmt::print("no configuration: rules checked against a permissive policy (any payee, no "
                   "limits, UTC); the daemon's own configuration may still refuse them\n");
    else
        fmt::print("configuration {}: ok\n", a.config);
    std::size_t enabled = 0;
    for (const auto& r : rules.rules()) enabled += r.enabled ? 1 : 0;
    fmt::print("rules: {} from {} file{} ({} enabled, {} disabled)\n", rules.size(), files,
               files == 1 ? "" : "s", enabled, rules.size() - enabled);
    if (rules.empty()) return;

    std::map<std::string, const schedule::occurrence*, std::less<>> next;
    auto upcoming = rules::next_per_rule(rules, now);
    for (const auto& u : upcoming) next[u.source->id] = &u.occ;
    std::size_t width = 4;
    for (const auto& r : rules.rules()) width = std::max(width, r.id.size());
    fmt::print("\n{:<{}}  {:<26}  {:<20}  {}\n", "rule", width, "next (local)", "next (UTC)",
               "does");
    for (const auto& r : rules.rules()) {
        std::string local = "disabled";
        std::string utc = "-";
        if (auto it = next.find(r.id); it != next.end()) {
            local = inspect::format_local(r.zone, it->second->instant);
            utc = audit::format_utc(it->second->instant);
        } else if (r.enabled) {
            local = "never again";
        }
        fmt::print("{:<{}}  {:<26}  {:<20}  {}\n", r.id, width, local, utc,
                   inspect::describe_action(r));
    }

    std::vector<const rules::rule*> all;
    for (const auto& r : rules.rules()) all.push_back(&r);
    fmt::print("\n{}", inspect::schedule_table(all));

    const auto horizon = now + std::chrono::days(366);
    fmt::print(
        "\nlimits a rule could hit on its own within 12 months (other rules not counted):\n");
    bool any_pay = false;
    for (const auto& r : rules.rules()) {
        if (!r.pays() || !r.enabled) continue;
        any_pay = true;
        auto hit = inspect::first_limit_alone(r, policy, now, horizon);
        if (!hit) {
            fmt::print("  {:<{}}  none\n", r.id, width);
            continue;
        }
        fmt::print("  {:<{}}  {} at {} (after {} payment{}): {}\n", r.id, width, hit->limit,
                   hit->identity, hit->paid_before, hit->paid_before == 1 ? "" : "s", hit->reason);
    }
    if (!any_pay) fmt::print("  (no enabled pay rules)\n");

    fmt::print("\nPayman scopes the client needs:\n");
    auto scopes = inspect::required_scopes(rules);
    if (scopes.empty()) fmt::print("  none (no enabled rules)\n");
    for (const auto& s : scopes) fmt::print("  {:<24}  {}\n", s.scope, s.why);
}

// Says, before a reload does, which changed rules would be due again inside the period of a
// payment they already made (refused then as already paid): needs the daemon's audit log,
// which only root or the daemon's user can read.
void print_already_paid(const rules::rule_set& rules, const config::daemon_config& cfg,
                        std::chrono::sys_seconds now)
{
    std::error_code ec;
    // Nothing paid yet; an unreadable directory (EACCES) is reported by the open below.
    if (!std::filesystem::exists(cfg.audit_log, ec) && !ec) return;
    audit::audit_projection state;
    auto reader = audit::audit_reader::open(cfg.audit_log);
    auto read = reader ? reader->read_to_end([&](const audit::record& r) { state.apply(r); })
                       : core::result<std::uint64_t>(reader.error());
    if (!read) {
        fmt::print("\nwhether an edit would pay a period twice was not checked: the audit log "
                   "{} could not be read ({}); run as root or as the daemon's user\n",
                   cfg.audit_log.string(), read.error().message);
        return;
    }
    std::vector<std::string> warnings;
    for (const auto& u : rules::next_per_rule(rules, now)) {
        const auto& rule = *u.source;
        // Only an edit can trip it: the daemon runs the current definition already.
        if (state.rule_active_since(rule.id, rule.content_hash)) continue;
        if (auto w = engine::already_paid_warning(state, rule, u.occ, cfg.policy.min_pay_interval))
            warnings.push_back(std::move(*w));
    }
    if (warnings.empty()) return;
    fmt::print(
        "\nafter a reload, refused as already paid (`paymand trigger RULE` pays by hand):\n");
    for (const auto& w : warnings) fmt::print("  {}\n", w);
}

// --json: one object, the same facts as the text (errors with their positions, or the rules
// with next occurrences, the limits each could hit alone and the scopes needed).
boost::json::object check_json(const rules::rule_set* rules, const rules::policy& policy,
                               const yaml::diagnostics& diags, std::chrono::sys_seconds now)
{
    namespace json = boost::json;
    json::array errors;
    for (const auto& d : diags.items())
        errors.push_back(json::object{
            {"file", d.file}, {"line", d.line}, {"column", d.column}, {"message", d.message}});
    json::object out{{"ok", diags.empty()}, {"errors", std::move(errors)}};
    if (rules == nullptr) return out;
    std::map<std::string, const schedule::occurrence*, std::less<>> next;
    const auto upcoming = rules::next_per_rule(*rules, now);
    for (const auto& u : upcoming) next[u.source->id] = &u.occ;
    const auto horizon = now + std::chrono::days(366);
    json::array list;
    for (const auto& r : rules->rules()) {
        json::object item{{"id", r.id},
                          {"enabled", r.enabled},
                          {"file", r.origin.file()},
                          {"line", r.origin.line},
                          {"zone", std::string(r.zone.name())},
                          {"schedule", r.calendar.written()},
                          {"normalised", r.calendar.normalised()},
                          {"does", inspect::describe_action(r)},
                          {"sha256", r.content_hash}};
        if (auto it = next.find(r.id); it != next.end()) {
            item["next_local"] = inspect::format_local(r.zone, it->second->instant);
            item["next_utc"] = audit::format_utc(it->second->instant);
        } else {
            item["next_utc"] = nullptr;
        }
        if (r.pays() && r.enabled) {
            auto hit = inspect::first_limit_alone(r, policy, now, horizon);
            item["limit_alone"] = hit ? json::value(json::object{{"limit", hit->limit},
                                                                 {"occurrence", hit->identity},
                                                                 {"paid_before", hit->paid_before},
                                                                 {"reason", hit->reason}})
                                      : json::value(nullptr);
        }
        list.push_back(std::move(item));
    }
    out["rules"] = std::move(list);
    json::array scopes;
    for (const auto& n : inspect::required_scopes(*rules))
        scopes.push_back(json::object{{"scope", n.scope}, {"why", n.why}});
    out["scopes"] = std::move(scopes);
    return out;
}

int run_check(const check_args& a)
{
    yaml::diagnostics diags;
    std::vector<std::filesystem::path> paths(a.paths.begin(), a.paths.end());
    std::optional<rules::rule_set> rule_set;
    std::optional<daemon::loaded> loaded;
    rules::policy policy = rules::permissive_policy();
    std::size_t files = 0;
    if (a.no_config) {
        if (paths.empty()) {
            std::cerr << "paymand check: --no-config needs rule files or directories\n";
            return exit_usage;
        }
        std::vector<std::filesystem::path> read;
        rule_set = daemon::load_rule_paths(paths, policy, diags, &read);
        files = read.size();
    } else {
        loaded = daemon::load_configuration(a.config, diags, paths);
        if (loaded) {
            policy = loaded->config.policy;
            files = loaded->rule_files.size();
        }
    }
    if (!diags.empty()) {
        if (a.json)
            std::cout << boost::json::serialize(check_json(nullptr, policy, diags, {})) << "\n";
        std::cerr << diags.to_string();
        std::cerr << fmt::format("paymand check: {} error{}\n", diags.size(),
                                 diags.size() == 1 ? "" : "s");
        return exit_failure;
    }
    const rules::rule_set& set = loaded ? *loaded->rules : *rule_set;
    auto now = core::now_seconds();
    if (!a.after.empty()) {
        auto parsed = parse_instant_arg(a.after, policy.zone);
        if (!parsed) {
            std::cerr << "paymand check: --after " << parsed.error().message << "\n";
            return exit_usage;
        }
        now = *parsed;
    }
    if (a.json) {
        std::cout << boost::json::serialize(check_json(&set, policy, diags, now)) << "\n";
        return exit_ok;
    }
    if (!a.quiet) print_summary(a, set, policy, files, now);
    if (!a.quiet && loaded) print_already_paid(set, loaded->config, now);
    return exit_ok;
}

}  // namespace

command add_check_command(CLI::App& parent)
{
    auto a = std::make_shared<check_args>();
    auto* cmd = parent.add_subcommand(
        "check", "Validate the configuration and rules without network; summarise what they do");
    cmd->add_option("-c,--config", a->config, "Configuration file")->capture_default_str();
    cmd->add_flag("--no-config", a->no_config,
                  "Check rule files alone against a permissive policy (a rules repository's CI "
                  "without the daemon's configuration)");
    cmd->add_flag("-q,--quiet", a->quiet, "Print errors only (ExecStartPre, pre-commit hooks)");
    cmd->add_flag("--json", a->json,
                  "One JSON object on stdout: ok, errors (file, line, column, message), rules "
                  "(next occurrence, schedule, limit_alone), scopes; errors also on stderr");
    cmd->add_option("--after", a->after,
                    "Compute next occurrences after this instant instead of now: a date "
                    "(midnight in the configured zone) or 2026-12-01T09:00:00Z");
    cmd->add_option("paths", a->paths,
                    "Rule files or directories to check instead of the configured "
                    "rules_directory");
    cmd->footer("Errors are printed as file:line:col: error: ..., all of them in one pass.\n"
                "On success: the rules, each one's next occurrence, the limits each rule\n"
                "could hit on its own within a year, and the Payman scopes the rules need.\n"
                "Exit codes: 0 valid, 1 errors in the configuration or rules, 2 usage.\n"
                "Example: paymand check --config /etc/paymand/paymand.yaml\n"
                "Example: paymand check --config /etc/paymand/paymand.yaml rules-next/\n"
                "Example: paymand check --no-config rules/*.yaml");
    return {cmd, [a] { return run_check(*a); }};
}

}  // namespace paymand::app
