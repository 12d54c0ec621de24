#include "app/status_command.hpp"

#include "app/audit_log_source.hpp"
#include "app/auth_grant.hpp"
#include "paymand/audit/attention.hpp"
#include "paymand/audit/audit_store.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/audit/reader.hpp"
#include "paymand/audit/state_lock.hpp"
#include "paymand/audit/time_format.hpp"
#include "paymand/core/access.hpp"
#include "paymand/daemon/live_table.hpp"
#include "paymand/daemon/live_view.hpp"
#include "paymand/daemon/load.hpp"
#include "paymand/inspect/rule_review.hpp"
#include "paymand/inspect/status_verdict.hpp"
#include "paymand/limits/spending_ledger.hpp"
#include "paymand/money/currency.hpp"
#include "paymand/rules/rule_schedule.hpp"
#include "paymand/schedule/identity.hpp"
#include "paymand/service/clock_watch.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <map>
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

using inspect::health_level;

// How long an outcome that needs attention stays on `status` (and makes it a warning).
constexpr auto attention_window = std::chrono::hours(24);

// Why an occurrence did not end cleanly: our reason, and the agent's own words (its reply's
// excerpt), which the operator must see, not only our reading of them.
struct outcome_words {
    std::string reason;
    std::string excerpt;
};

// What the audit log says, read without a lock (the daemon may be appending).
struct log_facts {
    bool exists = false;
    audit::audit_projection projection;
    std::uint64_t records = 0;
    std::optional<audit::log_problem> problem;
    std::optional<audit::record> last_started;
    std::optional<audit::record> last_stopped;
    std::optional<audit::record> last_rules_loaded;
    std::vector<audit::rule_hash> loaded_rules;  // the set of the last load, all parts
    std::optional<audit::utc_micros> last_record;
    // Occurrences with a record at or after the window's start, by the time of their last.
    std::map<std::string, audit::utc_micros, std::less<>> recent;
    // The reason and reply excerpt of every outcome that was not a clean success.
    std::map<std::string, outcome_words, std::less<>> words;
};

// Reads the whole log. The caller has made sure it exists and is readable; an error opening
// it anyway is returned in `error`.
std::optional<log_facts> read_log(const std::filesystem::path& path, audit::utc_micros since,
                                  std::string& error)
{
    log_facts facts;
    facts.exists = true;
    auto reader = audit::audit_reader::open(path);
    if (!reader) {
        error = reader.error().message;
        return std::nullopt;
    }
    auto read = reader->read_to_end([&](const audit::record& r) {
        facts.projection.apply(r);
        ++facts.records;
        facts.last_record = r.ts;
        if (const auto* ref = audit::occurrence_of(r.body)) {
            if (r.ts >= since) facts.recent[ref->occurrence] = r.ts;
            const auto* reason = audit::unclean_reason(r.body);
            const auto* excerpt = audit::unclean_excerpt(r.body);
            if (reason != nullptr || excerpt != nullptr) {
                auto& words = facts.words[ref->occurrence];
                if (reason != nullptr) words.reason = *reason;
                if (excerpt != nullptr) words.excerpt = *excerpt;
            }
        }
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

// Whether the daemon could append to the log: the file system holding it is neither
// read-only nor full. Nothing when it can; what stops it otherwise.
std::optional<std::string> append_blocked(const std::filesystem::path& log)
{
    struct statvfs fs {};
    const auto dir = log.has_parent_path() ? log.parent_path() : std::filesystem::path(".");
    if (::statvfs(dir.c_str(), &fs) != 0) return std::nullopt;  // unreadable: said elsewhere
    if ((fs.f_flag & ST_RDONLY) != 0)
        return fmt::format("the file system holding {} is read-only", log.string());
    if (fs.f_bavail == 0) return fmt::format("the file system holding {} is full", log.string());
    return std::nullopt;
}

// An occurrence that needs attention: recent, and its state's attention is error.
struct attention_item {
    const audit::occurrence_status* status = nullptr;
    audit::utc_micros at{};
    const outcome_words* words = nullptr;
};

std::vector<attention_item> needing_attention(const log_facts& facts)
{
    std::vector<attention_item> out;
    for (const auto& [occurrence, at] : facts.recent) {
        const auto* o = facts.projection.find(occurrence);
        // Those an operator must resolve are listed with the command that resolves them.
        // Unconfirmed payments have their own list (all of them, not only the last day's).
        if (o == nullptr || audit::needs_operator(o->state) ||
            o->state == audit::occurrence_state::unconfirmed ||
            audit::attention_of(o->state) != audit::attention::error)
            continue;
        const auto w = facts.words.find(occurrence);
        out.push_back({o, at, w == facts.words.end() ? nullptr : &w->second});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
    return out;
}

// The agent's words for `occurrence`, shortened and escaped for one terminal line.
std::string reply_line(const log_facts& facts, std::string_view occurrence)
{
    const auto w = facts.words.find(occurrence);
    if (w == facts.words.end() || w->second.excerpt.empty()) return {};
    return "reply: " + audit::quote_excerpt(w->second.excerpt);
}

// The problem reading a state path, as errno and fix; nothing when it can be read or does
// not exist (`exists` says which).
std::optional<std::string> state_unreadable(const std::filesystem::path& path, int mode,
                                            bool& exists, std::string_view rerun)
{
    exists = ::access(path.c_str(), mode) == 0;
    if (exists) return std::nullopt;
    const int err = errno;
    if (err == ENOENT) return std::nullopt;
    exists = true;
    return core::access_problem(path, err, rerun);
}

std::string limit_text(const std::optional<std::int64_t>& limit, std::string_view code)
{
    return limit ? inspect::format_total(*limit, code) : std::string("no limit");
}

// Says the state cannot be read: the verdict line on stdout (what a monitoring system shows),
// the details on stderr. Exit 3, unknown.
int unreadable(const status_args& a, const std::vector<std::string>& problems)
{
    if (a.json) {
        json::array list;
        for (const auto& p : problems) list.emplace_back(p);
        json::object out{{"health", "UNKNOWN"}, {"problems", std::move(list)}};
        std::cout << json::serialize(out) << "\n";
    } else {
        std::cout << "UNKNOWN: paymand's state cannot be read: " << problems.front() << "\n";
    }
    for (const auto& p : problems) std::cerr << "paymand status: " << p << "\n";
    return static_cast<int>(health_level::unknown);
}

int run_status(const status_args& a)
{
    const std::string config_arg = a.config == status_args{}.config ? "" : " --config " + a.config;
    const std::string rerun = "paymand status" + config_arg;
    yaml::diagnostics diags;
    auto cfg = config::load_daemon_config(a.config, daemon::process_environment(), diags);
    if (!cfg) {
        std::cerr << diags.to_string();
        return unreadable(
            a, {fmt::format("the configuration {} does not load (errors above)", a.config)});
    }
    json::object out;
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());

    // What this user cannot read makes the answer unknown, never "not running" or "empty".
    std::vector<std::string> problems;
    bool lock_exists = false;
    bool log_exists = false;
    if (auto p = state_unreadable(cfg->lock_path(), F_OK, lock_exists, rerun))
        problems.push_back(std::move(*p));
    if (auto p = state_unreadable(cfg->audit_log, R_OK, log_exists, rerun))
        problems.push_back(std::move(*p));
    if (!problems.empty()) return unreadable(a, problems);

    // Running: who holds the state lock (read from /proc/locks; the lock is not touched).
    // (No lock file: never started here, so nobody holds it.)
    auto holder = audit::state_lock::holder(cfg->lock_path());
    out["running"] = holder.has_value();
    if (holder) out["pid"] = *holder;
    const bool unsynchronised = service::read_clock_sync() == service::clock_sync::unsynchronised;
    out["clock_synchronised"] = !unsynchronised;

    // The daemon's live view: what it runs. Believed only when its writer holds the lock.
    std::string view_error;
    const auto view =
        daemon::read_live_view(daemon::live_view_path(cfg->state_directory), view_error);
    const bool live = view && daemon::is_live(*view, holder);

    const auto since = std::chrono::floor<std::chrono::microseconds>(
        std::chrono::system_clock::now() - attention_window);
    std::optional<log_facts> facts = log_facts{};
    if (log_exists) {
        std::string error;
        facts = read_log(cfg->audit_log, since, error);
        if (!facts) return unreadable(a, {error});
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
    const auto unconfirmed = facts->projection.unconfirmed();
    const auto attention = needing_attention(*facts);

    // The verdict, worst first in what it names.
    inspect::status_verdict verdict;
    if (holder)
        verdict.add(health_level::ok, fmt::format("paymand is running (pid {})", *holder));
    else
        verdict.add(health_level::critical, "paymand is not running");
    if (!facts->exists) verdict.add(health_level::ok, "no audit log yet");
    if (facts->problem)
        verdict.add(health_level::critical,
                    "the audit log is corrupt; the daemon refuses to pay (paymand audit verify)");
    if (auto blocked = append_blocked(cfg->audit_log))
        verdict.add(health_level::critical, "the audit log cannot be written: " + *blocked);
    if (!doubts.empty())
        verdict.add(health_level::warning, fmt::format("{} occurrence{} an operator", doubts.size(),
                                                       doubts.size() == 1 ? " needs" : "s need"));
    if (!attention.empty())
        verdict.add(health_level::warning,
                    fmt::format("{} outcome{} of the last 24 h need{} attention", attention.size(),
                                attention.size() == 1 ? "" : "s",
                                attention.size() == 1 ? "s" : ""));
    // authorization_code mode: a grant the daemon cannot use means nothing is paid.
    const auto grant = grant_summary(*cfg);
    constexpr std::string_view critical_prefix = "CRITICAL: ";
    if (grant && grant->starts_with(critical_prefix))
        verdict.add(health_level::critical, grant->substr(critical_prefix.size()));
    if (!unconfirmed.empty())
        verdict.add(health_level::warning,
                    fmt::format("{} payment{} not confirmed by a transaction listing",
                                unconfirmed.size(), unconfirmed.size() == 1 ? "" : "s"));
    if (!rule_set)
        verdict.add(health_level::warning,
                    "the rule files do not load (a reload or restart would fail)");
    if (!view_error.empty())
        verdict.add(health_level::warning, "the daemon's live view cannot be read: " + view_error);
    if (live) {
        switch (view->credentials.state) {
        case daemon::credentials_state::refused:
        case daemon::credentials_state::lacking:
            verdict.add(health_level::critical, view->credentials.summary);
            break;
        case daemon::credentials_state::not_verified:
            verdict.add(health_level::warning, view->credentials.summary);
            break;
        default:
            break;
        }
        if (!view->audit_writable)
            verdict.add(health_level::critical,
                        "the daemon cannot write the audit log: it pays nothing");
    }
    const auto rule_differences =
        live && rule_set ? daemon::differences(*view, *rule_set) : std::vector<std::string>{};

    if (a.json) {
        out["health"] = std::string(inspect::to_string(verdict.level()));
        json::array findings;
        for (const auto& f : verdict.findings())
            findings.push_back(json::object{{"level", std::string(inspect::to_string(f.level))},
                                            {"text", f.text}});
        out["findings"] = std::move(findings);
        out["audit_log_exists"] = facts->exists;
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
        const auto words_of = [&](json::object& item, const std::string& occurrence) {
            if (const auto w = facts->words.find(occurrence);
                w != facts->words.end() && !w->second.excerpt.empty())
                item["reply_excerpt"] = w->second.excerpt;
        };
        json::array open;
        for (const auto* o : doubts) {
            json::object item{{"occurrence", o->ref.occurrence},
                              {"state", std::string(audit::to_string(o->state))},
                              {"reason", o->reason}};
            if (o->payment) {
                item["payee"] = o->payment->payee;
                item["amount"] = money::format_with_code(o->payment->amount);
            }
            words_of(item, o->ref.occurrence);
            open.push_back(std::move(item));
        }
        out["in_doubt"] = std::move(open);
        json::array unconfirmed_items;
        for (const auto* o : unconfirmed)
            unconfirmed_items.push_back(
                json::object{{"occurrence", o->ref.occurrence},
                             {"payee", o->payment->payee},
                             {"amount", money::format_with_code(o->payment->amount)},
                             {"reason", o->reason}});
        out["unconfirmed"] = std::move(unconfirmed_items);
        json::array recent;
        for (const auto& item : attention) {
            json::object entry{{"occurrence", item.status->ref.occurrence},
                               {"state", std::string(audit::to_string(item.status->state))},
                               {"at", audit::format_ts(item.at)},
                               {"reason", item.words ? item.words->reason : std::string()}};
            words_of(entry, item.status->ref.occurrence);
            recent.push_back(std::move(entry));
        }
        out["needs_attention"] = std::move(recent);
        if (facts->last_started) {
            const auto& s = std::get<audit::started_record>(facts->last_started->body);
            out["last_start"] = json::object{{"at", audit::format_ts(facts->last_started->ts)},
                                             {"version", s.version},
                                             {"pid", s.pid}};
        }
        if (facts->last_stopped) {
            const auto& s = std::get<audit::stopped_record>(facts->last_stopped->body);
            out["last_stop"] = json::object{{"at", audit::format_ts(facts->last_stopped->ts)},
                                            {"reason", s.reason}};
        }
        json::array next;
        if (rule_set)
            for (const auto& d : rules::next_occurrences(*rule_set, now, a.next))
                next.push_back(json::object{
                    {"occurrence",
                     schedule::to_string(schedule::occurrence_id{d.source->id, d.occ.local})},
                    {"rule", d.source->id},
                    {"local", inspect::format_local(d.source->zone, d.occ.instant)},
                    {"utc", audit::format_utc(d.occ.instant)}});
        out["next_occurrences"] = std::move(next);
        if (grant) out["grant"] = *grant;  // authorization_code mode
        if (view) {
            json::object v{{"live", live},
                           {"pid", view->pid},
                           {"written_at", audit::format_utc(view->written_at)},
                           {"started_at", audit::format_utc(view->started_at)}};
            out["live_view"] = std::move(v);
        } else {
            out["live_view"] = nullptr;
        }
        if (live) {
            json::array findings;
            for (const auto& f : view->credentials.findings) findings.emplace_back(f);
            out["credentials"] = json::object{
                {"state", std::string(daemon::to_string(view->credentials.state))},
                {"summary", view->credentials.summary},
                {"findings", std::move(findings)},
                {"checked_at", view->credentials.checked_at
                                   ? json::value(audit::format_utc(*view->credentials.checked_at))
                                   : json::value(nullptr)}};
            out["rules"] = daemon::live_rules_json(*view, now);
            json::array diffs;
            for (const auto& d : rule_differences) diffs.emplace_back(d);
            out["rule_differences"] = std::move(diffs);
            if (view->last_reload) {
                json::array changes;
                for (const auto& c : view->last_reload->changes)
                    changes.push_back(json::object{{"rule", c.id},
                                                   {"change", std::string(to_string(c.what))},
                                                   {"before", c.before},
                                                   {"after", c.after}});
                out["last_reload"] = json::object{{"at", audit::format_utc(view->last_reload->at)},
                                                  {"ok", view->last_reload->ok},
                                                  {"error", view->last_reload->error},
                                                  {"changes", std::move(changes)}};
            }
        }
        std::cout << json::serialize(out) << "\n";
        return verdict.exit_code();
    }

    fmt::print("{}\n", verdict.summary());
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
    if (live) {
        const auto& c = view->credentials;
        fmt::print("credentials: {}{}\n",
                   c.summary.empty() ? daemon::to_string(c.state) : c.summary,
                   c.checked_at ? " (checked " + audit::format_utc(*c.checked_at) + ")" : "");
        for (const auto& f : c.findings) fmt::print("  {}\n", one_line(f));
        if (view->last_reload) {
            const auto& l = *view->last_reload;
            fmt::print("last reload: {} {}: {}\n", audit::format_utc(l.at), l.ok ? "ok" : "FAILED",
                       l.ok ? daemon::describe_changes(l.changes) : l.error);
        }
    } else if (view) {
        fmt::print("live view: STALE: written {} by pid {}, which {}; what follows comes from the "
                   "files and the audit log\n",
                   audit::format_utc(view->written_at), view->pid,
                   view->stopped ? "has stopped" : "no longer holds the state lock");
    }
    if (grant) fmt::print("{}\n", *grant);  // authorization_code mode
    if (!facts->exists)
        fmt::print("audit log {}: no audit log yet (the daemon creates it when it first "
                   "starts)\n",
                   cfg->audit_log.string());
    else
        fmt::print("audit log {}: {} records, last seq {}{}\n", cfg->audit_log.string(),
                   facts->records, facts->projection.last_seq(),
                   facts->last_record ? ", last at " + audit::format_ts(*facts->last_record) : "");
    if (facts->problem)
        fmt::print("  CORRUPT: {}; the daemon refuses to pay until an operator acts "
                   "(paymand audit verify)\n",
                   facts->problem->message);
    if (auto blocked = append_blocked(cfg->audit_log))
        fmt::print("  UNWRITABLE: {}; the daemon pays nothing until it can record\n", *blocked);

    if (live) {
        fmt::print("rules the daemon runs: {} (its live view, written {}):\n", view->rules.size(),
                   audit::format_utc(view->written_at));
        std::string table = daemon::live_rules_table(*view, rule_set ? &*rule_set : nullptr, now);
        for (std::size_t at = 0; at < table.size();) {
            const auto nl = table.find('\n', at);
            fmt::print("  {}\n", table.substr(at, nl - at));
            at = nl + 1;
        }
        if (!rule_set)
            fmt::print("  the files in {} do not load ({} errors; `paymand check` lists them); "
                       "the daemon keeps running the rules above\n",
                       cfg->rules_directory.string(), rule_diags.size());
        for (const auto& d : rule_differences) fmt::print("  {}\n", d);
        if (!rule_differences.empty())
            fmt::print("  `paymand check`, then `systemctl reload paymand`\n");
    } else if (!rule_set) {
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
        for (const auto* o : doubts) {
            // Server text (the reason) and file text (payee, occurrence) escaped for the
            // terminal: no CSI, no bidi override reaches it.
            fmt::print("  {}  {}{}: {}\n", one_line(o->ref.occurrence), audit::to_string(o->state),
                       o->payment
                           ? fmt::format(" ({} to {})", money::format_with_code(o->payment->amount),
                                         one_line(o->payment->payee))
                           : "",
                       one_line(o->reason));
            if (auto reply = reply_line(*facts, o->ref.occurrence); !reply.empty())
                fmt::print("    {}\n", reply);
            fmt::print("    check Payman, then: paymand audit resolve {} --paid|--not-paid "
                       "--note \"...\"{}\n",
                       one_line(o->ref.occurrence), config_arg);
        }
    }
    if (!unconfirmed.empty()) {
        fmt::print("UNCONFIRMED: {} payment{} the agent reported done that no transaction listing "
                   "showed (absence proves nothing; check Payman's dashboard):\n",
                   unconfirmed.size(), unconfirmed.size() == 1 ? "" : "s");
        for (const auto* o : unconfirmed)
            fmt::print("  {}  {} to {}: {}\n", one_line(o->ref.occurrence),
                       money::format_with_code(o->payment->amount), one_line(o->payment->payee),
                       one_line(o->reason));
    }
    if (attention.empty()) {
        fmt::print("needs attention (last 24 h): none\n");
    } else {
        fmt::print("NEEDS ATTENTION (last 24 h): {}\n", attention.size());
        for (const auto& item : attention) {
            const auto& o = *item.status;
            fmt::print("  {}  {}  {}: {}\n", audit::format_ts(item.at), one_line(o.ref.occurrence),
                       audit::to_string(o.state),
                       one_line(item.words ? item.words->reason : std::string()));
            if (auto reply = reply_line(*facts, o.ref.occurrence); !reply.empty())
                fmt::print("    {}\n", reply);
        }
    }
    return verdict.exit_code();
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
    cmd->footer("Read-only and lock-free: running or not (the state lock's holder), the\n"
                "daemon's live view (state directory, live.json: the rules it runs with their\n"
                "next and last occurrences, its credential check, its last reload), rule files\n"
                "that differ from what it runs, the audit log's last records, payments today\n"
                "and this month against the limits, every in-doubt occurrence with the command\n"
                "that resolves it, and the outcomes of the last 24 h that need attention, with\n"
                "the agent's reply. A live view whose writer no longer runs is stale: said so.\n"
                "The first line is the verdict. Exit codes: the monitoring-plugin convention,\n"
                "0 OK, 1 WARNING (something in doubt or mismatched, an outcome of the last\n"
                "24 h that needs attention, rule files that do not load, credentials not\n"
                "verified), 2 CRITICAL (the daemon is not running, the audit log is corrupt\n"
                "or its file system is read-only or full, credentials refused, or lacking a\n"
                "scope, payee or wallet the rules need), 3 UNKNOWN (the configuration or the\n"
                "state cannot be read: the error names the errno and the fix; also a bad\n"
                "command line).\n"
                "Example: paymand status --config /etc/paymand/paymand.yaml");
    return {cmd, [a] { return run_status(*a); }, static_cast<int>(health_level::unknown)};
}

}  // namespace paymand::app
