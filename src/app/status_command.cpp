#include "app/status_command.hpp"

#include "app/audit_log_source.hpp"
#include "app/auth_grant.hpp"
#include "app/status_cluster.hpp"
#include "paymand/audit/attention.hpp"
#include "paymand/audit/audit_store.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/audit/reader.hpp"
#include "paymand/audit/state_lock.hpp"
#include "paymand/audit/time_format.hpp"
#include "paymand/core/access.hpp"
#include "paymand/core/clock.hpp"
#include "paymand/core/error.hpp"
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
#include <variant>

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
// it anyway is returned. A log that fails part way is facts with a problem.
core::result<log_facts> read_log(const std::filesystem::path& path, audit::utc_micros since)
{
    log_facts facts;
    facts.exists = true;
    auto reader = audit::audit_reader::open(path);
    if (!reader) return reader.error();
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
    if (!read) facts.problem = core::extend(read.error(), audit::log_problem{});
    return facts;
}

// Whether the daemon could append to the log: the file system holding it is neither
// read-only nor full. An error saying what stops it otherwise.
core::result<void> check_appendable(const std::filesystem::path& log)
{
    struct statvfs fs {};
    const auto dir = log.has_parent_path() ? log.parent_path() : std::filesystem::path(".");
    if (::statvfs(dir.c_str(), &fs) != 0) return {};  // unreadable: said elsewhere
    if ((fs.f_flag & ST_RDONLY) != 0)
        return core::error{
            .code = make_error_code(boost::system::errc::read_only_file_system),
            .message = fmt::format("the file system holding {} is read-only", log.string())};
    if (fs.f_bavail == 0)
        return core::error{.code = make_error_code(boost::system::errc::no_space_on_device),
                           .message =
                               fmt::format("the file system holding {} is full", log.string())};
    return {};
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

// Whether a state path exists (and can be read, for `mode` R_OK); an error with errno's code,
// the problem and the fix when it exists but cannot be reached.
core::result<bool> state_exists(const std::filesystem::path& path, int mode, std::string_view rerun)
{
    if (::access(path.c_str(), mode) == 0) return true;
    const int err = errno;
    if (err == ENOENT) return false;
    return core::error{.code = {err, boost::system::system_category()},
                       .message = core::access_problem(path, err, rerun)};
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

// Everything `status` reports, read once: the configuration, the lock, the live view, the
// audit log, the rule files and the spending against limits.
struct status_facts {
    std::string config_arg;  // " --config F" unless the default
    config::daemon_config cfg;
    std::chrono::sys_seconds now;
    std::optional<pid_t> holder;  // who holds the state lock: the running daemon
    bool unsynchronised = false;
    std::optional<daemon::live_view> view;
    std::string view_error;
    bool live = false;  // the view is believed: its writer holds the lock
    log_facts facts;
    yaml::diagnostics rule_diags;
    std::optional<rules::rule_set> rule_set;
    std::set<std::pair<std::string, std::string>> on_disk, loaded;  // rule ids and hashes
    limits::spending_ledger ledger;
    std::set<std::string> currencies;
    std::vector<const audit::occurrence_status*> doubts, unconfirmed;
    std::vector<attention_item> attention;
    std::optional<std::string> grant;  // authorization_code mode
    std::vector<std::string> rule_differences;
    std::optional<cluster_status> cluster;  // with an ha: section: the shared ledger's view
    std::size_t others_counted = 0;         // other nodes' payments in `ledger`
    std::size_t others_without_amount = 0;  // other nodes' payments the ledger has no amount of

    explicit status_facts(config::daemon_config c) : cfg(std::move(c)), ledger(cfg.policy.zone) {}
};

// Spending against limits, on the limits engine's own calendar (the policy's zone).
void count_spending(status_facts& s)
{
    for (const auto& e : s.facts.projection.spending()) {
        const std::string code(e.amount.unit().code());
        s.currencies.insert(code);
        s.ledger.add({.amount = e.amount.minor_units(),
                      .currency = code,
                      .payee = e.payee,
                      .instant = e.utc,
                      .status = e.in_doubt ? limits::payment_status::in_doubt
                                           : limits::payment_status::completed});
    }
    for (const auto& [code, l] : s.cfg.policy.limits.currencies) s.currencies.insert(code);
}

// With a shared ledger: the other nodes' payments, counted as the leader's limits count them
// (their rows' amounts), except one this node's log counts already.
void count_others_spending(status_facts& s)
{
    const auto add = [&](const ledger::others_payment& other, limits::payment_status status) {
        const auto* own = s.facts.projection.find(other.identity);
        if (own != nullptr && audit::counts_as_spending(own->state)) return;
        if (!other.payment) {
            ++s.others_without_amount;
            return;
        }
        const auto& p = *other.payment;
        s.currencies.insert(p.currency);
        s.ledger.add({.amount = p.amount_minor,
                      .currency = p.currency,
                      .payee = p.payee,
                      .instant = p.due,
                      .status = status});
        ++s.others_counted;
    };
    for (const auto& o : s.cluster->others_paid) add(o, limits::payment_status::completed);
    for (const auto& o : s.cluster->others_in_doubt) add(o, limits::payment_status::in_doubt);
}

// The facts, or the exit code of a state that cannot be read (unknown, never "not running" or
// "empty").
std::variant<std::unique_ptr<status_facts>, int> gather(const status_args& a)
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
    auto s = std::make_unique<status_facts>(std::move(*cfg));
    s->config_arg = config_arg;
    s->now = core::now_seconds();
    std::vector<std::string> problems;
    const auto lock_exists = state_exists(s->cfg.lock_path(), F_OK, rerun);
    if (!lock_exists) problems.push_back(lock_exists.error().message);
    const auto log_exists = state_exists(s->cfg.audit_log, R_OK, rerun);
    if (!log_exists) problems.push_back(log_exists.error().message);
    if (!problems.empty()) return unreadable(a, problems);

    // Running: who holds the state lock (read from /proc/locks; the lock is not touched).
    s->holder = audit::state_lock::holder(s->cfg.lock_path());
    s->unsynchronised = service::read_clock_sync() == service::clock_sync::unsynchronised;
    // The daemon's live view: what it runs. Believed only when its writer holds the lock.
    if (auto view = daemon::read_live_view(daemon::live_view_path(s->cfg.state_directory)))
        s->view = std::move(*view);
    else
        s->view_error = view.error().message;
    s->live = s->view && daemon::is_live(*s->view, s->holder);
    if (*log_exists) {
        const auto since = std::chrono::floor<std::chrono::microseconds>(
            core::system_clock()->wall_now() - attention_window);
        auto read = read_log(s->cfg.audit_log, since);
        if (!read) return unreadable(a, {read.error().message});
        s->facts = std::move(*read);
    }
    // With no daemon holding the lock, an intent without a result belongs to a process that
    // stopped mid-payment: in doubt, as the next start will record it.
    if (!s->holder) s->facts.projection.finish_replay();

    // Rules: what the files hold now against what the daemon last loaded.
    auto rule_set = daemon::load_rule_paths({s->cfg.rules_directory}, s->cfg.policy, s->rule_diags);
    if (rule_set) {
        s->rule_set.emplace(std::move(*rule_set));
        for (const auto& r : s->rule_set->rules()) s->on_disk.emplace(r.id, r.content_hash);
    }
    for (const auto& h : s->facts.loaded_rules) s->loaded.emplace(h.id, h.sha256);
    count_spending(*s);
    s->doubts = s->facts.projection.in_doubt();
    s->unconfirmed = s->facts.projection.unconfirmed();
    s->attention = needing_attention(s->facts);
    s->grant = grant_summary(s->cfg);
    if (s->live && s->rule_set) s->rule_differences = daemon::differences(*s->view, *s->rule_set);
    // Last: bounded (a few seconds when the database does not answer), never fatal.
    if (s->cfg.ha) {
        s->cluster = read_cluster_status(*s->cfg.ha, daemon::process_environment());
        count_others_spending(*s);
    }
    return s;
}

// A node on the shared ledger (ha:): its role, "ha: node pay-1 leads (epoch 3)". A node that
// may not lead, or cannot reach the database, is not all well: another node must lead, or
// nothing is paid.
std::string ha_line(const daemon::live_ha& ha)
{
    if (ha.role == "leader")
        return fmt::format("ha: node {} leads (epoch {}, {} ms of its lease left when the view "
                           "was written)",
                           ha.node, ha.epoch, ha.lease_remaining_ms);
    if (ha.role == "standby")
        return fmt::format("ha: node {} is a standby (another node leads)", ha.node);
    if (ha.role == "not_eligible")
        return fmt::format("ha: node {} may not lead: {}", ha.node, ha.not_eligible);
    if (ha.role == "starting")
        return fmt::format("ha: node {} is not connected to the ledger yet", ha.node);
    return fmt::format("ha: node {} is {}", ha.node, ha.role);
}

void add_ha_verdict(inspect::status_verdict& verdict, const daemon::live_ha& ha)
{
    const bool well = ha.role == "leader" || ha.role == "standby";
    verdict.add(well ? health_level::ok : health_level::warning, ha_line(ha));
}

// The verdict, worst first in what it names.
inspect::status_verdict verdict_of(const status_facts& s)
{
    inspect::status_verdict verdict;
    const auto& facts = s.facts;
    if (s.holder)
        verdict.add(health_level::ok, fmt::format("paymand is running (pid {})", *s.holder));
    else
        verdict.add(health_level::critical, "paymand is not running");
    if (!facts.exists) verdict.add(health_level::ok, "no audit log yet");
    if (facts.problem)
        verdict.add(health_level::critical,
                    "the audit log is corrupt; the daemon refuses to pay (paymand audit verify)");
    if (auto appendable = check_appendable(s.cfg.audit_log); !appendable)
        verdict.add(health_level::critical,
                    "the audit log cannot be written: " + appendable.error().message);
    if (!s.doubts.empty())
        verdict.add(health_level::warning,
                    fmt::format("{} occurrence{} an operator", s.doubts.size(),
                                s.doubts.size() == 1 ? " needs" : "s need"));
    if (!s.attention.empty())
        verdict.add(health_level::warning,
                    fmt::format("{} outcome{} of the last 24 h need{} attention",
                                s.attention.size(), s.attention.size() == 1 ? "" : "s",
                                s.attention.size() == 1 ? "s" : ""));
    // authorization_code mode: a grant the daemon cannot use means nothing is paid.
    constexpr std::string_view critical_prefix = "CRITICAL: ";
    if (s.grant && s.grant->starts_with(critical_prefix))
        verdict.add(health_level::critical, s.grant->substr(critical_prefix.size()));
    if (!s.unconfirmed.empty())
        verdict.add(health_level::warning,
                    fmt::format("{} payment{} not confirmed by a transaction listing",
                                s.unconfirmed.size(), s.unconfirmed.size() == 1 ? "" : "s"));
    if (!s.rule_set)
        verdict.add(health_level::warning,
                    "the rule files do not load (a reload or restart would fail)");
    if (!s.view_error.empty())
        verdict.add(health_level::warning,
                    "the daemon's live view cannot be read: " + s.view_error);
    if (s.cluster) add_cluster_verdict(verdict, *s.cluster);
    if (!s.live) return verdict;
    switch (s.view->credentials.state) {
    case daemon::credentials_state::refused:
    case daemon::credentials_state::lacking:
        verdict.add(health_level::critical, s.view->credentials.summary);
        break;
    case daemon::credentials_state::not_verified:
        verdict.add(health_level::warning, s.view->credentials.summary);
        break;
    default:
        break;
    }
    if (!s.view->audit_writable)
        verdict.add(health_level::critical,
                    "the daemon cannot write the audit log: it pays nothing");
    if (s.view->ha) add_ha_verdict(verdict, *s.view->ha);
    return verdict;
}

// --- status --json -------------------------------------------------------------------------

void add_reply_excerpt(const status_facts& s, json::object& item, const std::string& occurrence)
{
    if (const auto w = s.facts.words.find(occurrence);
        w != s.facts.words.end() && !w->second.excerpt.empty())
        item["reply_excerpt"] = w->second.excerpt;
}

json::array spending_json(const status_facts& s)
{
    json::array spending;
    for (const auto& code : s.currencies) {
        auto totals = s.ledger.currency_totals(code, s.now);
        const auto it = s.cfg.policy.limits.currencies.find(code);
        json::object item{{"currency", code},
                          {"today", inspect::format_total(totals.day, code)},
                          {"this_month", inspect::format_total(totals.month, code)}};
        if (it != s.cfg.policy.limits.currencies.end()) {
            if (it->second.daily)
                item["daily_limit"] = inspect::format_total(*it->second.daily, code);
            if (it->second.monthly)
                item["monthly_limit"] = inspect::format_total(*it->second.monthly, code);
        }
        spending.push_back(std::move(item));
    }
    return spending;
}

// In doubt, unconfirmed and needing attention.
void add_open_json(const status_facts& s, json::object& out)
{
    json::array open;
    for (const auto* o : s.doubts) {
        json::object item{{"occurrence", o->ref.occurrence},
                          {"state", std::string(audit::to_string(o->state))},
                          {"reason", o->reason}};
        if (o->payment) {
            item["payee"] = o->payment->payee;
            item["amount"] = money::format_with_code(o->payment->amount);
        }
        add_reply_excerpt(s, item, o->ref.occurrence);
        open.push_back(std::move(item));
    }
    out["in_doubt"] = std::move(open);
    json::array unconfirmed;
    for (const auto* o : s.unconfirmed)
        unconfirmed.push_back(json::object{{"occurrence", o->ref.occurrence},
                                           {"payee", o->payment->payee},
                                           {"amount", money::format_with_code(o->payment->amount)},
                                           {"reason", o->reason}});
    out["unconfirmed"] = std::move(unconfirmed);
    json::array recent;
    for (const auto& item : s.attention) {
        json::object entry{{"occurrence", item.status->ref.occurrence},
                           {"state", std::string(audit::to_string(item.status->state))},
                           {"at", audit::format_ts(item.at)},
                           {"reason", item.words ? item.words->reason : std::string()}};
        add_reply_excerpt(s, entry, item.status->ref.occurrence);
        recent.push_back(std::move(entry));
    }
    out["needs_attention"] = std::move(recent);
}

// The audit log's and the rule files' facts.
void add_log_json(const status_facts& s, json::object& out)
{
    const auto& facts = s.facts;
    out["audit_log_exists"] = facts.exists;
    out["records"] = facts.records;
    out["last_seq"] = facts.projection.last_seq();
    if (facts.problem) out["audit_problem"] = facts.problem->message;
    if (facts.last_record) out["last_record_ts"] = audit::format_ts(*facts.last_record);
    out["rules_in_files"] = s.on_disk.size();
    out["rules_loaded_by_daemon"] = s.loaded.size();
    out["rule_files_load"] = s.rule_set.has_value();
    out["rule_files_changed_since_load"] =
        s.rule_set && facts.last_rules_loaded && s.on_disk != s.loaded;
}

// The last start and stop, and what the rule files schedule next.
void add_history_json(const status_facts& s, std::size_t next, json::object& out)
{
    const auto& facts = s.facts;
    if (facts.last_started) {
        const auto& r = std::get<audit::started_record>(facts.last_started->body);
        out["last_start"] = json::object{{"at", audit::format_ts(facts.last_started->ts)},
                                         {"version", r.version},
                                         {"pid", r.pid}};
    }
    if (facts.last_stopped) {
        const auto& r = std::get<audit::stopped_record>(facts.last_stopped->body);
        out["last_stop"] =
            json::object{{"at", audit::format_ts(facts.last_stopped->ts)}, {"reason", r.reason}};
    }
    json::array upcoming;
    if (s.rule_set)
        for (const auto& d : rules::next_occurrences(*s.rule_set, s.now, next))
            upcoming.push_back(json::object{
                {"occurrence",
                 schedule::to_string(schedule::occurrence_id{d.source->id, d.occ.local})},
                {"rule", d.source->id},
                {"local", inspect::format_local(d.source->zone, d.occ.instant)},
                {"utc", audit::format_utc(d.occ.instant)}});
    out["next_occurrences"] = std::move(upcoming);
}

// What the running daemon's live view says: credentials, its rules, the last reload.
void add_live_json(const status_facts& s, json::object& out)
{
    const auto& view = *s.view;
    out["credentials"] = daemon::to_json(view.credentials);
    out["rules"] = daemon::live_rules_json(view, s.now);
    json::array diffs;
    for (const auto& d : s.rule_differences) diffs.emplace_back(d);
    out["rule_differences"] = std::move(diffs);
    if (view.last_reload) out["last_reload"] = daemon::to_json(*view.last_reload);
    if (view.ha) out["ha"] = daemon::to_json(*view.ha);
}

json::object status_json(const status_facts& s, const inspect::status_verdict& verdict,
                         std::size_t next)
{
    json::object out;
    out["running"] = s.holder.has_value();
    if (s.holder) out["pid"] = *s.holder;
    out["clock_synchronised"] = !s.unsynchronised;
    out["health"] = std::string(inspect::to_string(verdict.level()));
    json::array findings;
    for (const auto& f : verdict.findings())
        findings.push_back(
            json::object{{"level", std::string(inspect::to_string(f.level))}, {"text", f.text}});
    out["findings"] = std::move(findings);
    add_log_json(s, out);
    out["spending"] = spending_json(s);
    out["payments_today"] = s.ledger.payments_on_day(s.now);
    if (s.cluster && s.cluster->view) {
        out["other_nodes_payments_counted"] = s.others_counted;
        out["other_nodes_payments_without_amount"] = s.others_without_amount;
    }
    add_open_json(s, out);
    add_history_json(s, next, out);
    if (s.grant) out["grant"] = *s.grant;
    if (s.view)
        out["live_view"] = json::object{{"live", s.live},
                                        {"pid", s.view->pid},
                                        {"written_at", audit::format_utc(s.view->written_at)},
                                        {"started_at", audit::format_utc(s.view->started_at)}};
    else
        out["live_view"] = nullptr;
    if (s.live) add_live_json(s, out);
    if (s.cluster) out["cluster"] = cluster_json(*s.cluster);
    return out;
}

// --- status (text) -------------------------------------------------------------------------

// Running or not, the last start and stop, the clock, the credentials and the last reload.
void print_process(const status_facts& s)
{
    const auto& facts = s.facts;
    if (s.holder)
        fmt::print("paymand is running (pid {})\n", *s.holder);
    else
        fmt::print("paymand is not running\n");
    if (facts.last_started) {
        const auto& r = std::get<audit::started_record>(facts.last_started->body);
        fmt::print("  last start: {} (version {}, pid {})\n",
                   audit::format_ts(facts.last_started->ts), r.version, r.pid);
    }
    if (facts.last_stopped &&
        (!facts.last_started || facts.last_stopped->seq > facts.last_started->seq)) {
        const auto& r = std::get<audit::stopped_record>(facts.last_stopped->body);
        fmt::print("  last stop: {} ({})\n", audit::format_ts(facts.last_stopped->ts), r.reason);
    } else if (!s.holder && facts.last_started) {
        fmt::print("  the last run ended without a stop record (crash or kill): intents it left "
                   "are in doubt at the next start\n");
    }
    if (s.unsynchronised) fmt::print("  WARNING: the system clock is not synchronised (NTP)\n");
    if (s.live) {
        const auto& c = s.view->credentials;
        fmt::print("credentials: {}{}\n",
                   c.summary.empty() ? daemon::to_string(c.state) : c.summary,
                   c.checked_at ? " (checked " + audit::format_utc(*c.checked_at) + ")" : "");
        for (const auto& f : c.findings) fmt::print("  {}\n", one_line(f));
        if (s.view->last_reload) {
            const auto& l = *s.view->last_reload;
            fmt::print("last reload: {} {}: {}\n", audit::format_utc(l.at), l.ok ? "ok" : "FAILED",
                       l.ok ? daemon::describe_changes(l.changes) : l.error);
        }
        if (s.view->ha) fmt::print("{}\n", ha_line(*s.view->ha));
    } else if (s.view) {
        fmt::print("live view: STALE: written {} by pid {}, which {}; what follows comes from the "
                   "files and the audit log\n",
                   audit::format_utc(s.view->written_at), s.view->pid,
                   s.view->stopped ? "has stopped" : "no longer holds the state lock");
    }
    if (s.grant) fmt::print("{}\n", *s.grant);  // authorization_code mode
}

void print_audit_log(const status_facts& s)
{
    const auto& facts = s.facts;
    if (!facts.exists)
        fmt::print("audit log {}: no audit log yet (the daemon creates it when it first "
                   "starts)\n",
                   s.cfg.audit_log.string());
    else
        fmt::print("audit log {}: {} records, last seq {}{}\n", s.cfg.audit_log.string(),
                   facts.records, facts.projection.last_seq(),
                   facts.last_record ? ", last at " + audit::format_ts(*facts.last_record) : "");
    if (facts.problem)
        fmt::print("  CORRUPT: {}; the daemon refuses to pay until an operator acts "
                   "(paymand audit verify)\n",
                   facts.problem->message);
    if (auto appendable = check_appendable(s.cfg.audit_log); !appendable)
        fmt::print("  UNWRITABLE: {}; the daemon pays nothing until it can record\n",
                   appendable.error().message);
}

// The rules the daemon runs (its live view) or, without it, what the files hold.
void print_rules(const status_facts& s, std::size_t next)
{
    const auto& dir = s.cfg.rules_directory;
    if (s.live) {
        fmt::print("rules the daemon runs: {} (its live view, written {}):\n", s.view->rules.size(),
                   audit::format_utc(s.view->written_at));
        const auto table =
            daemon::live_rules_table(*s.view, s.rule_set ? &*s.rule_set : nullptr, s.now);
        for (std::size_t at = 0; at < table.size();) {
            const auto nl = table.find('\n', at);
            fmt::print("  {}\n", table.substr(at, nl - at));
            at = nl + 1;
        }
        if (!s.rule_set)
            fmt::print("  the files in {} do not load ({} errors; `paymand check` lists them); "
                       "the daemon keeps running the rules above\n",
                       dir.string(), s.rule_diags.size());
        for (const auto& d : s.rule_differences) fmt::print("  {}\n", d);
        if (!s.rule_differences.empty())
            fmt::print("  `paymand check`, then `systemctl reload paymand`\n");
        return;
    }
    if (!s.rule_set) {
        fmt::print("rules: the files in {} do not load ({} errors; `paymand check` lists them); "
                   "a running daemon keeps its last good rules\n",
                   dir.string(), s.rule_diags.size());
        return;
    }
    fmt::print("rules: {} in {}", s.on_disk.size(), dir.string());
    if (s.facts.last_rules_loaded) {
        fmt::print("; the daemon last loaded {} at {}", s.loaded.size(),
                   audit::format_ts(s.facts.last_rules_loaded->ts));
        if (s.on_disk != s.loaded)
            fmt::print("\n  the rule files changed since: `paymand check`, then `systemctl "
                       "reload paymand`");
    }
    fmt::print("\n");
    const auto upcoming = rules::next_occurrences(*s.rule_set, s.now, next);
    if (!upcoming.empty()) fmt::print("next occurrences:\n");
    for (const auto& d : upcoming)
        fmt::print("  {:<26}  {}  {}\n", inspect::format_local(d.source->zone, d.occ.instant),
                   audit::format_utc(d.occ.instant),
                   schedule::to_string(schedule::occurrence_id{d.source->id, d.occ.local}));
}

void print_limits(const status_facts& s)
{
    fmt::print("payments (completed or possibly completed) against limits, {} calendar:\n",
               s.cfg.policy.timezone);
    const auto& lim = s.cfg.policy.limits;
    for (const auto& code : s.currencies) {
        auto totals = s.ledger.currency_totals(code, s.now);
        const auto it = lim.currencies.find(code);
        const bool has = it != lim.currencies.end();
        fmt::print("  {}: today {} of {}; this month {} of {}\n", code,
                   inspect::format_total(totals.day, code),
                   has ? limit_text(it->second.daily, code) : "no limit",
                   inspect::format_total(totals.month, code),
                   has ? limit_text(it->second.monthly, code) : "no limit");
    }
    fmt::print("  payments today: {}{}\n", s.ledger.payments_on_day(s.now),
               lim.max_payments_per_day ? fmt::format(" of {}", *lim.max_payments_per_day) : "");
    if (!lim.enabled) fmt::print("  (limits: none — nothing is limited)\n");
    if (s.cluster && !s.cluster->view)
        fmt::print("  (this node's payments only: the other nodes' cannot be read from the "
                   "shared ledger)\n");
    if (s.others_counted > 0)
        fmt::print("  (with {} payment(s) of other nodes from the shared ledger)\n",
                   s.others_counted);
    if (s.others_without_amount > 0)
        fmt::print("  ({} payment(s) of other nodes have no amount in the shared ledger (gated "
                   "before its schema version 3): not in these figures)\n",
                   s.others_without_amount);
}

// In doubt, unconfirmed and needing attention. Server text (reasons, replies) and file text
// (payees, occurrences) are escaped for the terminal: no CSI, no bidi override reaches it.
void print_open(const status_facts& s)
{
    if (s.doubts.empty()) {
        fmt::print("in doubt: none\n");
    } else {
        fmt::print("IN DOUBT: {} occurrence{} an operator:\n", s.doubts.size(),
                   s.doubts.size() == 1 ? " needs" : "s need");
        for (const auto* o : s.doubts) {
            fmt::print("  {}  {}{}: {}\n", one_line(o->ref.occurrence), audit::to_string(o->state),
                       o->payment
                           ? fmt::format(" ({} to {})", money::format_with_code(o->payment->amount),
                                         one_line(o->payment->payee))
                           : "",
                       one_line(o->reason));
            if (auto reply = reply_line(s.facts, o->ref.occurrence); !reply.empty())
                fmt::print("    {}\n", reply);
            fmt::print("    check Payman, then: paymand audit resolve {} --paid|--not-paid "
                       "--note \"...\"{}\n",
                       one_line(o->ref.occurrence), s.config_arg);
        }
    }
    if (!s.unconfirmed.empty()) {
        fmt::print("UNCONFIRMED: {} payment{} the agent reported done that no transaction listing "
                   "showed (absence proves nothing; check Payman's dashboard):\n",
                   s.unconfirmed.size(), s.unconfirmed.size() == 1 ? "" : "s");
        for (const auto* o : s.unconfirmed)
            fmt::print("  {}  {} to {}: {}\n", one_line(o->ref.occurrence),
                       money::format_with_code(o->payment->amount), one_line(o->payment->payee),
                       one_line(o->reason));
    }
    if (s.attention.empty()) {
        fmt::print("needs attention (last 24 h): none\n");
        return;
    }
    fmt::print("NEEDS ATTENTION (last 24 h): {}\n", s.attention.size());
    for (const auto& item : s.attention) {
        const auto& o = *item.status;
        fmt::print("  {}  {}  {}: {}\n", audit::format_ts(item.at), one_line(o.ref.occurrence),
                   audit::to_string(o.state),
                   one_line(item.words ? item.words->reason : std::string()));
        if (auto reply = reply_line(s.facts, o.ref.occurrence); !reply.empty())
            fmt::print("    {}\n", reply);
    }
}

int run_status(const status_args& a)
{
    auto gathered = gather(a);
    if (const auto* code = std::get_if<int>(&gathered)) return *code;
    const auto& s = *std::get<std::unique_ptr<status_facts>>(gathered);
    const auto verdict = verdict_of(s);
    if (a.json) {
        std::cout << json::serialize(status_json(s, verdict, a.next)) << "\n";
        return verdict.exit_code();
    }
    fmt::print("{}\n", verdict.summary());
    print_process(s);
    print_audit_log(s);
    print_rules(s, a.next);
    print_limits(s);
    print_open(s);
    if (s.cluster) print_cluster(*s.cluster);
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
                "With an ha: section, last, the shared ledger (a few seconds at most): who\n"
                "leads by the database's clock, the nodes, and what other nodes left in doubt\n"
                "or sending, each with the command to resolve it on that node.\n"
                "The first line is the verdict. Exit codes: the monitoring-plugin convention,\n"
                "0 OK, 1 WARNING (something in doubt or mismatched, an outcome of the last\n"
                "24 h that needs attention, rule files that do not load, credentials not\n"
                "verified; in HA mode no node leads, another node's occurrence in doubt, or\n"
                "the ledger cannot be read: 'cluster: cannot tell'), 2 CRITICAL (the daemon\n"
                "is not running, the audit log is corrupt or its file system is read-only or\n"
                "full, credentials refused, or lacking a scope, payee or wallet the rules\n"
                "need), 3 UNKNOWN (the configuration or the state cannot be read: the error\n"
                "names the errno and the fix; also a bad command line).\n"
                "Example: paymand status --config /etc/paymand/paymand.yaml");
    return {cmd, [a] { return run_status(*a); }, static_cast<int>(health_level::unknown)};
}

}  // namespace paymand::app
