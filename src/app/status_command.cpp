#include "app/status_command.hpp"

#include "app/audit_log_source.hpp"
#include "app/auth_grant.hpp"
#include "paymand/audit/audit_store.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/audit/reader.hpp"
#include "paymand/audit/state_lock.hpp"
#include "paymand/audit/time_format.hpp"
#include "paymand/daemon/load.hpp"
#include "paymand/inspect/rule_review.hpp"
#include "paymand/limits/spending_ledger.hpp"
#include "paymand/money/currency.hpp"
#include "paymand/rules/rule_schedule.hpp"
#include "paymand/schedule/identity.hpp"
#include "paymand/service/clock_watch.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <set>
#include <string>

namespace paymand::app {

namespace {

namespace json = boost::json;

struct status_args {
    std::string config = "/etc/paymand/paymand.yaml";
    bool json = false;
    std::size_t next = 5;
};

// What the audit log says, read without a lock (the daemon may be appending).
struct log_facts {
    audit::audit_projection projection;
    std::uint64_t records = 0;
    std::optional<audit::log_problem> problem;
    std::optional<audit::record> last_started;
    std::optional<audit::record> last_stopped;
    std::optional<audit::record> last_rules_loaded;
    std::vector<audit::rule_hash> loaded_rules;  // the set of the last load, all parts
    std::optional<audit::utc_micros> last_record;
};

std::optional<log_facts> read_log(const std::filesystem::path& path, std::string& error)
{
    log_facts facts;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return facts;  // never started: an empty history
    auto reader = audit::audit_reader::open(path);
    if (!reader) {
        error = reader.error().message;
        return std::nullopt;
    }
    auto read = reader->read_to_end([&](const audit::record& r) {
        facts.projection.apply(r);
        ++facts.records;
        facts.last_record = r.ts;
        if (std::holds_alternative<audit::started_record>(r.body)) facts.last_started = r;
        if (std::holds_alternative<audit::stopped_record>(r.body)) facts.last_stopped = r;
        if (const auto* loaded = std::get_if<audit::rules_loaded_record>(&r.body)) {
            // A large set comes in parts of one batch: collect them.
            if (loaded->part == 1) facts.loaded_rules.clear();
            facts.loaded_rules.insert(facts.loaded_rules.end(), loaded->rules.begin(),
                                      loaded->rules.end());
            facts.last_rules_loaded = r;
        }
    });
    if (!read)
        facts.problem =
            audit::log_problem{.code = read.error().code, .message = read.error().message};
    return facts;
}

std::string limit_text(const std::optional<std::int64_t>& limit, std::string_view code)
{
    return limit ? inspect::format_total(*limit, code) : std::string("no limit");
}

int run_status(const status_args& a)
{
    yaml::diagnostics diags;
    auto cfg = config::load_daemon_config(a.config, daemon::process_environment(), diags);
    if (!cfg) {
        std::cerr << diags.to_string();
        return exit_failure;
    }
    json::object out;
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());

    // Running: who holds the state lock (read from /proc/locks; the lock is not touched).
    auto holder = audit::state_lock::holder(cfg->lock_path());
    out["running"] = holder.has_value();
    if (holder) out["pid"] = *holder;
    const bool unsynchronised = service::read_clock_sync() == service::clock_sync::unsynchronised;
    out["clock_synchronised"] = !unsynchronised;

    std::string error;
    auto facts = read_log(cfg->audit_log, error);
    if (!facts) {
        std::cerr << "paymand status: " << error << "\n";
        return exit_failure;
    }
    // With no daemon holding the lock, an intent without a result belongs to a process that
    // stopped mid-payment: in doubt, as the next start will record it.
    if (!holder) facts->projection.finish_replay();

    // Rules: what the files hold now against what the daemon last loaded.
    yaml::diagnostics rule_diags;
    auto rule_set = daemon::load_rule_paths({cfg->rules_directory}, cfg->policy, rule_diags);
    std::set<std::pair<std::string, std::string>> on_disk, loaded;
    if (rule_set)
        for (const auto& r : rule_set->rules()) on_disk.emplace(r.id, r.content_hash);
    for (const auto& h : facts->loaded_rules) loaded.emplace(h.id, h.sha256);

    // Spending against limits, on the limits engine's own calendar (the policy's zone).
    limits::spending_ledger ledger(cfg->policy.zone);
    std::set<std::string> currencies;
    for (const auto& e : facts->projection.spending()) {
        const std::string code(e.amount.unit().code());
        currencies.insert(code);
        ledger.add({.amount = e.amount.minor_units(),
                    .currency = code,
                    .payee = e.payee,
                    .instant = e.utc,
                    .status = e.in_doubt ? limits::payment_status::in_doubt
                                         : limits::payment_status::completed});
    }
    for (const auto& [code, l] : cfg->policy.limits.currencies) currencies.insert(code);

    const auto doubts = facts->projection.in_doubt();

    if (a.json) {
        out["records"] = facts->records;
        out["last_seq"] = facts->projection.last_seq();
        if (facts->problem) out["audit_problem"] = facts->problem->message;
        if (facts->last_record) out["last_record_ts"] = audit::format_ts(*facts->last_record);
        out["rules_in_files"] = on_disk.size();
        out["rules_loaded_by_daemon"] = loaded.size();
        out["rule_files_load"] = rule_set.has_value();
        out["rule_files_changed_since_load"] =
            rule_set && facts->last_rules_loaded && on_disk != loaded;
        json::array spending;
        for (const auto& code : currencies) {
            auto totals = ledger.currency_totals(code, now);
            const auto it = cfg->policy.limits.currencies.find(code);
            json::object item{{"currency", code},
                              {"today", inspect::format_total(totals.day, code)},
                              {"this_month", inspect::format_total(totals.month, code)}};
            if (it != cfg->policy.limits.currencies.end()) {
                if (it->second.daily)
                    item["daily_limit"] = inspect::format_total(*it->second.daily, code);
                if (it->second.monthly)
                    item["monthly_limit"] = inspect::format_total(*it->second.monthly, code);
            }
            spending.push_back(std::move(item));
        }
        out["spending"] = std::move(spending);
        out["payments_today"] = ledger.payments_on_day(now);
        json::array open;
        for (const auto* o : doubts) {
            json::object item{{"occurrence", o->ref.occurrence},
                              {"state", std::string(audit::to_string(o->state))},
                              {"reason", o->reason}};
            if (o->payment) {
                item["payee"] = o->payment->payee;
                item["amount"] = money::format_with_code(o->payment->amount);
            }
            open.push_back(std::move(item));
        }
        out["in_doubt"] = std::move(open);
        if (auto grant = grant_summary(*cfg)) out["grant"] = *grant;  // authorization_code mode
        std::cout << json::serialize(out) << "\n";
        return facts->problem ? 65 : exit_ok;
    }

    if (holder)
        fmt::print("paymand is running (pid {})\n", *holder);
    else
        fmt::print("paymand is not running\n");
    if (facts->last_started) {
        const auto& s = std::get<audit::started_record>(facts->last_started->body);
        fmt::print("  last start: {} (version {}, pid {})\n",
                   audit::format_ts(facts->last_started->ts), s.version, s.pid);
    }
    if (facts->last_stopped &&
        (!facts->last_started || facts->last_stopped->seq > facts->last_started->seq)) {
        const auto& s = std::get<audit::stopped_record>(facts->last_stopped->body);
        fmt::print("  last stop: {} ({})\n", audit::format_ts(facts->last_stopped->ts), s.reason);
    } else if (!holder && facts->last_started) {
        fmt::print("  the last run ended without a stop record (crash or kill): intents it left "
                   "are in doubt at the next start\n");
    }
    if (unsynchronised) fmt::print("  WARNING: the system clock is not synchronised (NTP)\n");
    if (auto grant = grant_summary(*cfg)) fmt::print("{}\n", *grant);  // authorization_code mode
    fmt::print("audit log {}: {} records, last seq {}{}\n", cfg->audit_log.string(), facts->records,
               facts->projection.last_seq(),
               facts->last_record ? ", last at " + audit::format_ts(*facts->last_record) : "");
    if (facts->problem)
        fmt::print("  CORRUPT: {}; the daemon refuses to pay until an operator acts "
                   "(paymand audit verify)\n",
                   facts->problem->message);

    if (!rule_set) {
        fmt::print("rules: the files in {} do not load ({} errors; `paymand check` lists them); "
                   "a running daemon keeps its last good rules\n",
                   cfg->rules_directory.string(), rule_diags.size());
    } else {
        fmt::print("rules: {} in {}", on_disk.size(), cfg->rules_directory.string());
        if (facts->last_rules_loaded) {
            fmt::print("; the daemon last loaded {} at {}", loaded.size(),
                       audit::format_ts(facts->last_rules_loaded->ts));
            if (on_disk != loaded)
                fmt::print("\n  the rule files changed since: `paymand check`, then `systemctl "
                           "reload paymand`");
        }
        fmt::print("\n");
        const auto upcoming = rules::next_occurrences(*rule_set, now, a.next);
        if (!upcoming.empty()) fmt::print("next occurrences:\n");
        for (const auto& d : upcoming)
            fmt::print("  {:<26}  {}  {}\n", inspect::format_local(d.source->zone, d.occ.instant),
                       audit::format_utc(d.occ.instant),
                       schedule::to_string(schedule::occurrence_id{d.source->id, d.occ.local}));
    }

    fmt::print("payments (completed or possibly completed) against limits, {} calendar:\n",
               cfg->policy.timezone);
    const auto& lim = cfg->policy.limits;
    for (const auto& code : currencies) {
        auto totals = ledger.currency_totals(code, now);
        const auto it = lim.currencies.find(code);
        const bool has = it != lim.currencies.end();
        fmt::print("  {}: today {} of {}; this month {} of {}\n", code,
                   inspect::format_total(totals.day, code),
                   has ? limit_text(it->second.daily, code) : "no limit",
                   inspect::format_total(totals.month, code),
                   has ? limit_text(it->second.monthly, code) : "no limit");
    }
    fmt::print("  payments today: {}{}\n", ledger.payments_on_day(now),
               lim.max_payments_per_day ? fmt::format(" of {}", *lim.max_payments_per_day) : "");
    if (!lim.enabled) fmt::print("  (limits: none — nothing is limited)\n");

    if (doubts.empty()) {
        fmt::print("in doubt: none\n");
    } else {
        fmt::print("IN DOUBT: {} occurrence{} an operator:\n", doubts.size(),
                   doubts.size() == 1 ? " needs" : "s need");
        const std::string config_arg =
            a.config == status_args{}.config ? "" : " --config " + a.config;
        for (const auto* o : doubts) {
            // Server text (the reason) and file text (payee, occurrence) escaped for the
            // terminal: no CSI, no bidi override reaches it.
            fmt::print("  {}  {}{}: {}\n", one_line(o->ref.occurrence), audit::to_string(o->state),
                       o->payment
                           ? fmt::format(" ({} to {})", money::format_with_code(o->payment->amount),
                                         one_line(o->payment->payee))
                           : "",
                       one_line(o->reason));
            fmt::print("    check Payman, then: paymand audit resolve {} --paid|--not-paid "
                       "--note \"...\"{}\n",
                       one_line(o->ref.occurrence), config_arg);
        }
    }
    return facts->problem ? 65 : exit_ok;
}

}  // namespace

command add_status_command(CLI::App& parent)
{
    auto a = std::make_shared<status_args>();
    auto* cmd = parent.add_subcommand(
        "status", "The daemon's state from its state directory, whether or not it runs");
    cmd->add_option("-c,--config", a->config, "Configuration file")->capture_default_str();
    cmd->add_flag("--json", a->json, "One JSON object");
    cmd->add_option("--next", a->next, "How many next occurrences to show")
        ->capture_default_str()
        ->check(CLI::Range(0, 1000));
    cmd->footer("Read-only and lock-free: running or not (the state lock's holder), the audit\n"
                "log's last records, rules in the files against those the daemon last loaded,\n"
                "next occurrences, payments today and this month against the limits, and every\n"
                "in-doubt occurrence with the command that resolves it.\n"
                "Exit codes: 0 ok, 1 the configuration does not load or the log cannot be\n"
                "read, 2 usage, 65 the audit log is corrupt.\n"
                "Example: paymand status --config /etc/paymand/paymand.yaml");
    return {cmd, [a] { return run_status(*a); }};
}

}  // namespace paymand::app
