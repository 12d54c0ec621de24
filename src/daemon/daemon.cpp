#include "paymand/daemon/daemon.hpp"

#include "handover.hpp"
#include "paymand/audit/async_audit_writer.hpp"
#include "paymand/audit/attention.hpp"
#include "paymand/audit/file_audit_store.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/audit/reader.hpp"
#include "paymand/audit/state_file.hpp"
#include "paymand/audit/time_format.hpp"
#include "paymand/config/daemon_config.hpp"
#include "paymand/config/secret_source.hpp"
#include "paymand/core/clock.hpp"
#include "paymand/core/task_group.hpp"
#include "paymand/daemon/ha_node.hpp"
#include "paymand/daemon/inbox.hpp"
#include "paymand/daemon/instrumented_agent.hpp"
#include "paymand/daemon/live_view.hpp"
#include "paymand/daemon/load.hpp"
#include "paymand/daemon/trigger_outcome.hpp"
#include "paymand/daemon/user_grant.hpp"
#include "paymand/daemon/world_check.hpp"
#include "paymand/engine/agent.hpp"
#include "paymand/engine/engine.hpp"
#include "paymand/inspect/balances.hpp"
#include "paymand/log/logging.hpp"
#include "paymand/metrics/http_server.hpp"
#include "paymand/metrics/registry.hpp"
#include "paymand/payman/client.hpp"
#include "paymand/rules/rule_loader.hpp"
#include "paymand/service/clock_watch.hpp"
#include "paymand/service/notify.hpp"
#include "paymand/text/display.hpp"
#include "paymand/text/suggest.hpp"
#include "paymand/version.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <limits>
#include <map>

namespace paymand::daemon {

namespace asio = boost::asio;

namespace {

// Loads configuration and rules; every error goes to the log (or stderr before it exists).
std::optional<loaded> load_all(const std::filesystem::path& path, spdlog::logger* log)
{
    yaml::diagnostics diags;
    auto result = load_configuration(path, diags);
    for (const auto& d : diags.items()) {
        if (log != nullptr)
            log->error("{}", d.to_string());
        else
            std::cerr << d.to_string() << "\n";
    }
    return result;
}

// The credential check's part of STATUS=: short, with `paymand status` for the details.
std::string credentials_status(const credentials_report& c)
{
    switch (c.state) {
    case credentials_state::not_checked:
        return {};
    case credentials_state::checking:
        return "; checking credentials";
    case credentials_state::verified:
        return "; credentials verified";
    case credentials_state::not_verified:
        return "; credentials NOT VERIFIED (paymand status)";
    case credentials_state::lacking:
        return "; CREDENTIALS LACK what the rules need (paymand status)";
    case credentials_state::refused:
        return {};  // first, as CRITICAL
    }
    return {};
}

std::string status_line(const engine::engine& eng, const user_grant* grant,
                        const credentials_report* credentials = nullptr)
{
    auto s = eng.status();
    std::string line = fmt::format("{} rules ({} enabled)", s.rules, s.enabled);
    if (grant != nullptr && grant->refused())
        line = fmt::format("CRITICAL: {}; {}", grant_invalid_line, line);
    else if (credentials != nullptr && credentials->state == credentials_state::refused)
        line = fmt::format("CRITICAL: credentials refused by Payman; {}", line);
    if (credentials != nullptr) line += credentials_status(*credentials);
    if (s.next)
        line +=
            fmt::format("; next: {} at {}", s.next->identity, audit::format_utc(s.next->instant));
    if (s.in_doubt > 0) line += fmt::format("; IN DOUBT: {}", s.in_doubt);
    if (s.unconfirmed > 0) line += fmt::format("; unconfirmed: {}", s.unconfirmed);
    if (!s.audit_writable) line += "; AUDIT LOG UNWRITABLE";
    if (service::read_clock_sync() == service::clock_sync::unsynchronised)
        line += "; clock unsynchronised";
    return line;
}

payman::logger client_logger(std::shared_ptr<spdlog::logger> log)
{
    return [log](payman::log_level level, std::string_view line) {
        switch (level) {
        case payman::log_level::debug:
            log->debug("payman: {}", line);
            break;
        case payman::log_level::info:
            log->info("payman: {}", line);
            break;
        case payman::log_level::warning:
            log->warn("payman: {}", line);
            break;
        case payman::log_level::error:
            log->error("payman: {}", line);
            break;
        }
    };
}

// One line per occurrence outcome, at the priority its state deserves (audit/attention.hpp):
// error for every outcome that needs attention (failed, denied, missed, in doubt, mismatch,
// ...), warning for skipped, info for a dry run's would-pay and a report; with the reason and
// the agent's reply, escaped. A completed payment has the engine's own "paid" line.
void log_outcome(spdlog::logger& log, const audit::record& r)
{
    // A completed payment (most records of a busy day) has no line here: not worth describing.
    if (audit::outcome_state(r) == audit::occurrence_state::completed) return;
    auto line = audit::describe_outcome(r);
    if (!line) return;
    switch (line->attention) {
    case audit::attention::error:
        log.error("{}", line->text);
        break;
    case audit::attention::warning:
        log.warn("{}", line->text);
        break;
    case audit::attention::none:
        if (line->state != audit::occurrence_state::completed) log.info("{}", line->text);
        break;
    }
}

void warn_clock_sync(spdlog::logger& log)
{
    if (service::read_clock_sync() == service::clock_sync::unsynchronised)
        log.warn("the system clock is not synchronised (adjtimex): occurrences fire by a clock "
                 "that may drift; enable an NTP client such as systemd-timesyncd");
}

// Names the settings a reload cannot change in a running daemon.
std::vector<std::string> restart_only_changes(const config::daemon_config& a,
                                              const config::daemon_config& b)
{
    std::vector<std::string> changed;
    if (a.client_id != b.client_id) changed.push_back("payman.client_id");
    if (a.client.base_url != b.client.base_url || a.client.environment != b.client.environment)
        changed.push_back("payman endpoint");
    if (a.client_secret.from != b.client_secret.from ||
        a.client_secret.name != b.client_secret.name)
        changed.push_back("payman.client_secret");
    if (a.state_directory != b.state_directory) changed.push_back("state_directory");
    if (a.audit_log != b.audit_log) changed.push_back("audit_log");
    if (a.metrics.listen != b.metrics.listen) changed.push_back("metrics.listen");
    if (a.grant.mode != b.grant.mode) changed.push_back("payman.grant");
    if (a.ha.has_value() != b.ha.has_value() || (a.ha && !same_ha_settings(*a.ha, *b.ha)))
        changed.push_back("ha");
    return changed;
}

// The credential check's latest report; a check in flight whose result is moot (a newer
// check started) drops it.
struct world_slot {
    credentials_report report{.state = credentials_state::not_checked};
    std::uint64_t generation = 0;
};

struct daemon_state;
void task_failed(daemon_state& d, std::string_view task, std::exception_ptr e);

struct daemon_state {
    asio::io_context& io;
    std::shared_ptr<spdlog::logger> log;
    const run_options& options;
    loaded current;
    engine::engine& eng;
    metrics::registry* metrics = nullptr;  // set when metrics.listen is configured
    ha_node* ha = nullptr;                 // with an ha: section (not in a dry run)
    std::shared_ptr<user_grant> grant;     // in authorization_code mode
    std::optional<payman::client> client;  // a copy of the engine's (none with assumed balances)
    const audit::audit_projection* projection = nullptr;
    service::notifier notifier;
    bool stopping = false;
    std::string stop_reason = "engine stopped";  // the signal's name once one arrived
    int exit_code = exit_ok;                     // exit_software once a task failed
    world_slot world;
    // The live view: published by publish_view when dirty, at most every live_view_pause.
    std::chrono::sys_seconds started_at = core::now_seconds();
    std::optional<live_reload> last_reload;
    asio::steady_timer* view_timer = nullptr;
    bool view_dirty = true;
    std::chrono::steady_clock::time_point view_changed_at{};  // the last change
    bool view_waiting = false;  // publish_view waits for the next change
    bool view_closed = false;
    std::string view_error;  // the last write's failure, logged once
    // Every coroutine of the daemon beside the engine (signals, watchdog, clock, inbox, live
    // view, credential check): serve() cancels them and waits for them in one place.
    core::task_group tasks{io.get_executor(), [this](std::string_view task, std::exception_ptr e) {
                               task_failed(*this, task, e);
                           }};
};

// A watcher that dies leaves the daemon blind to what it watched: a bug, stopped for systemd
// to restart rather than run on half-deaf.
void task_failed(daemon_state& d, std::string_view task, std::exception_ptr e)
{
    std::string what = "unknown exception";
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        what = ex.what();
    } catch (...) {
    }
    d.log->critical("internal error in {}: {}; stopping", task, what);
    d.exit_code = exit_software;
    if (!d.stopping) {
        d.stopping = true;
        d.stop_reason = "internal error";
        d.notifier.stopping();
        d.eng.stop();
    }
}

// The node's part of STATUS= (ha: only): its role on the shared ledger.
std::string ha_status(const ha_node& ha)
{
    const auto s = ha.status();
    switch (s.role) {
    case ledger::keeper_role::leader:
        return fmt::format("; ha: {} LEADS (epoch {})", ha.node(), s.epoch);
    case ledger::keeper_role::not_eligible:
        return fmt::format("; ha: {} NOT ELIGIBLE: {}", ha.node(), s.not_eligible);
    default:
        return fmt::format("; ha: {} {}", ha.node(), ledger::to_string(s.role));
    }
}

std::string status_line(const daemon_state& d)
{
    auto line = status_line(d.eng, d.grant.get(), &d.world.report);
    if (d.ha != nullptr) {
        line += ha_status(*d.ha);
        // A leader that cannot read the ledger's progress schedules nothing: never "LEADS" alone.
        if (const auto s = d.eng.status(); !s.catchup_error.empty())
            line += fmt::format("; NOT SCHEDULING: {}", s.catchup_error);
    }
    return line;
}

// Something the live view shows changed: publish it soon.
void mark_view_dirty(daemon_state& d)
{
    d.view_dirty = true;
    d.view_changed_at = std::chrono::steady_clock::now();
    if (d.view_waiting && d.view_timer != nullptr) d.view_timer->cancel();
}

// The gauges read at scrape time (metrics::server_params::refresh).
void refresh_gauges(daemon_state& d)
{
    if (d.metrics == nullptr) return;
    auto s = d.eng.status();
    d.metrics->set_rules(s.rules, s.enabled);
    d.metrics->set_next_occurrence(s.next ? std::optional(s.next->instant) : std::nullopt);
    d.metrics->set_in_doubt(s.in_doubt);
    d.metrics->set_unconfirmed(s.unconfirmed);
    d.metrics->set_audit_writable(s.audit_writable);
    d.metrics->set_clock_synchronised(service::read_clock_sync() !=
                                      service::clock_sync::unsynchronised);
    d.metrics->set_credentials(std::string(to_string(d.world.report.state)));
    if (d.ha != nullptr) d.metrics->set_ha(ha_figures_of(d.ha->status()));
}

// Starts the metrics endpoint when configured; false (logged) when it cannot listen.
bool start_metrics(daemon_state& d, std::unique_ptr<metrics::http_server>& server)
{
    const auto& listen = d.current.config.metrics.listen;
    if (d.metrics == nullptr || !listen) return true;
    metrics::server_params params;
    params.refresh = [&d] { refresh_gauges(d); };
    auto health = [&d]() -> metrics::health_status {
        if (d.stopping) return {false, "stopping"};
        if (!d.eng.status().audit_writable) return {false, "audit log unwritable"};
        if (d.grant && d.grant->refused()) return {false, std::string(grant_invalid_line)};
        if (d.world.report.state == credentials_state::refused)
            return {false, "credentials refused by Payman"};
        return {true, {}};
    };
    auto started = metrics::http_server::start(d.io.get_executor(), *listen, *d.metrics,
                                               std::move(health), std::move(params));
    if (!started) {
        d.log->critical("{}", started.error().message);
        return false;
    }
    server = std::make_unique<metrics::http_server>(std::move(*started));
    const auto where = server->local_endpoint();
    auto host = where.address().to_string();
    if (where.address().is_v6()) host = fmt::format("[{}]", host);
    d.log->info("metrics: serving http://{}:{}/metrics and /healthz", host, where.port());
    return true;
}

// The check's outcome: journal (a refused or lacking credential at error priority),
// STATUS=, metrics and the live view.
void apply_world_report(daemon_state& d, credentials_report report)
{
    switch (report.state) {
    case credentials_state::refused:
        d.log->error("{}: nothing can be paid; fix payman.client_id or the client secret, then "
                     "`systemctl restart paymand` (`paymand auth test` checks them)",
                     report.summary);
        break;
    case credentials_state::lacking:
        d.log->error("{}", report.summary);
        for (const auto& f : report.findings) d.log->error("credential check: {}", f);
        break;
    case credentials_state::not_verified:
        d.log->warn("{}", report.summary);
        for (std::size_t i = 1; i < report.findings.size(); ++i)
            d.log->warn("credential check: {}", report.findings[i]);
        break;
    case credentials_state::verified:
        d.log->info("{}", report.summary);
        break;
    case credentials_state::checking:
    case credentials_state::not_checked:
        break;
    }
    d.world.report = std::move(report);
    if (d.metrics != nullptr)
        d.metrics->set_credentials(std::string(to_string(d.world.report.state)));
    d.notifier.status(status_line(d));
    mark_view_dirty(d);
}

// Starts the credential and world check for the rules now running; it never blocks the
// engine, and a newer check makes an older one's result moot.
// The check's result, unless a newer check started or the daemon is closing. Whatever throws
// in it says only that the credentials are not verified.
asio::awaitable<void> check_world(daemon_state& d, std::uint64_t generation, world_needs needs)
{
    credentials_report report;
    std::string failure;
    try {
        report = co_await async_check_world(*d.client, std::move(needs));
    } catch (const boost::system::system_error& e) {
        if (e.code() == asio::error::operation_aborted) throw;  // the daemon is closing
        failure = e.what();
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (d.view_closed || d.world.generation != generation) co_return;
    if (!failure.empty())
        report = credentials_report{
            .state = credentials_state::not_verified,
            .summary = fmt::format("credentials not verified: the check failed: {}", failure)};
    apply_world_report(d, std::move(report));
}

void start_world_check(daemon_state& d)
{
    if (!d.client) return;  // assumed balances: nothing is asked
    const auto generation = ++d.world.generation;
    d.world.report = credentials_report{.state = credentials_state::checking,
                                        .summary = "checking the credentials and the rules' "
                                                   "payees and wallets in Payman"};
    if (d.metrics != nullptr) d.metrics->set_credentials("checking");
    mark_view_dirty(d);
    d.tasks.spawn("credential check", check_world(d, generation, world_needs_of(*d.current.rules)));
}

// What the daemon runs, as `paymand status` and `paymand next` read it.
live_view build_view(const daemon_state& d)
{
    live_view v;
    v.pid = ::getpid();
    v.version = std::string(version);
    v.config_path = d.options.config_path.string();
    v.started_at = d.started_at;
    v.written_at = core::now_seconds();
    std::map<std::string, engine::upcoming_occurrence, std::less<>> next;
    for (auto& u : d.eng.upcoming(std::numeric_limits<std::size_t>::max()))
        next.emplace(u.rule, std::move(u));
    for (const auto& r : d.current.rules->rules()) {
        live_rule lr{.id = r.id, .sha256 = r.content_hash, .enabled = r.enabled};
        if (const auto it = next.find(r.id); it != next.end()) {
            lr.next_occurrence = it->second.identity;
            lr.next = it->second.instant;
        }
        if (const auto* ref = d.projection->last_handled(r.id)) {
            lr.last_occurrence = ref->occurrence;
            lr.last = ref->utc;
            if (const auto* st = d.projection->find(ref->occurrence))
                lr.last_outcome = std::string(audit::to_string(st->state));
        }
        v.rules.push_back(std::move(lr));
    }
    for (const auto* o : d.projection->in_doubt()) v.in_doubt.push_back(o->ref.occurrence);
    for (const auto* o : d.projection->unconfirmed()) v.unconfirmed.push_back(o->ref.occurrence);
    const auto s = d.eng.status();
    v.in_flight = s.in_flight;
    v.audit_writable = s.audit_writable;
    v.credentials = d.world.report;
    v.last_reload = d.last_reload;
    v.stopped = d.view_closed;
    if (d.ha != nullptr) {
        const auto s = d.ha->status();
        v.ha = live_ha{.node = d.ha->node(),
                       .role = std::string(ledger::to_string(s.role)),
                       .epoch = s.epoch,
                       .lease_remaining_ms = s.lease_remaining.count(),
                       .not_eligible = s.not_eligible};
    }
    return v;
}

void write_view(daemon_state& d)
{
    d.view_dirty = false;
    const auto file = live_view_path(d.current.config.state_directory);
    auto written = write_live_view(file, build_view(d));
    if (!written) {
        auto error = written.error().message;
        // Once per kind of failure: `paymand status` then says the view is stale.
        if (error != d.view_error) d.log->error("the live view cannot be published: {}", error);
        d.view_error = std::move(error);
        return;
    }
    d.view_error.clear();
    // A large view (10,000 rules: about 2.4 MB of text, twice that while it is built) leaves
    // its pages to the heap, where the idle daemon would keep them: give them back.
    constexpr std::size_t large_view_bytes = 256 * 1024;
    if (*written >= large_view_bytes) ::malloc_trim(0);
}

// Publishes the live view when something changed (live_view_write_at: after a burst of changes,
// at most every live_view_pause), and once every refresh_interval when nothing did: an idle
// daemon wakes for it once a minute.
asio::awaitable<void> publish_view(daemon_state& d, asio::steady_timer& timer)
{
    // Catch-up occurrences become due and LEFT counts down without a record: a refresh now
    // and then keeps `written_at` recent.
    constexpr auto refresh_interval = std::chrono::minutes(1);
    auto next_write = std::chrono::steady_clock::time_point{};
    for (;;) {
        if (d.view_closed) co_return;
        if (d.view_dirty) {
            const auto began = std::chrono::steady_clock::now();
            write_view(d);
            const auto ended = std::chrono::steady_clock::now();
            next_write = ended + live_view_pause(ended - began);
        }
        // Until a change (mark_view_dirty cancels the wait) or the refresh is due.
        d.view_waiting = true;
        timer.expires_after(refresh_interval);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        d.view_waiting = false;
        if (d.view_closed) co_return;
        if (!ec) {
            d.view_dirty = true;
            continue;
        }
        // A change: written when changes pause (live_view_write_at); the changes that come
        // meanwhile only move d.view_changed_at.
        const auto first_change = std::chrono::steady_clock::now();
        for (;;) {
            const auto at = live_view_write_at(first_change, d.view_changed_at, next_write);
            if (std::chrono::steady_clock::now() >= at) break;
            timer.expires_at(at);
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            if (d.view_closed) co_return;
        }
    }
}

// A failed reload: the running rules stay; `why` is what the live view says.
void reload_failed(daemon_state& d, std::chrono::sys_seconds now, std::string why)
{
    d.last_reload = live_reload{.at = now, .ok = false, .error = std::move(why)};
    mark_view_dirty(d);
    if (d.metrics != nullptr) d.metrics->set_reload(false, core::system_clock()->wall_now());
    d.notifier.ready(status_line(d));
}

// A node publishes its rule set's and policy's hashes when it starts (the other nodes compare
// them before they campaign); a reload that changes them would make that a lie. An error
// saying so, or nothing when the reload may go on.
core::result<void> ha_reload_allowed(const daemon_state& d, const loaded& next)
{
    if (d.ha == nullptr) return {};
    const auto& published = d.ha->identity();
    if (rule_set_hash(*next.rules) == published.rules_hash &&
        policy_hash(next.config.policy) == published.policy_hash)
        return {};
    return core::error{
        .code = make_error_code(std::errc::operation_not_permitted),
        .message = "ha: the rules or the policy changed, and this node published the hashes of "
                   "those it started with: restart the node (`systemctl restart paymand`) to run "
                   "them; the rules running were kept"};
}

asio::awaitable<void> reload(daemon_state& d)
{
    d.notifier.reloading();
    d.log->info("reloading configuration {} and rules", d.options.config_path.string());
    auto next = load_all(d.options.config_path, d.log.get());
    const auto now = core::now_seconds();
    if (!next) {
        d.log->error("reload failed: keeping the rules that are running");
        reload_failed(d, now,
                      "the configuration or the rules do not load (the journal and `paymand "
                      "check` say why); the rules running were kept");
        co_return;
    }
    if (auto allowed = ha_reload_allowed(d, *next); !allowed) {
        d.log->error("reload refused: {}", allowed.error().message);
        reload_failed(d, now, allowed.error().message);
        co_return;
    }
    for (const auto& name : restart_only_changes(d.current.config, next->config))
        d.log->warn("reload: {} changed; it takes effect only after a restart", name);
    if (next->config.sha256 != d.current.config.sha256) {
        d.eng.set_policy(next->config.policy, next->prompts);
        std::vector<audit::record_body> records;
        records.push_back(
            audit::config_loaded_record{d.options.config_path.string(), next->config.sha256});
        co_await d.eng.async_record(std::move(records));
    }
    auto changes = diff_rules(*d.current.rules, *next->rules);
    co_await d.eng.async_set_rules(next->rules);
    d.current.rules = next->rules;
    d.current.config.sha256 = next->config.sha256;
    // The new rules may name other payees, wallets or scopes: checked again from here on.
    start_world_check(d);
    d.log->info("reloaded: {}; {}", describe_changes(changes), status_line(d));
    if (d.metrics != nullptr) d.metrics->set_reload(true, core::system_clock()->wall_now());
    d.last_reload = live_reload{.at = now, .ok = true, .changes = std::move(changes)};
    mark_view_dirty(d);
    next.reset();  // the old set and the parse trees are gone: return the heap
    ::malloc_trim(0);
    d.notifier.ready(status_line(d));
}

asio::awaitable<void> handle_signals(daemon_state& d, asio::signal_set& signals)
{
    for (;;) {
        auto [ec, signo] = co_await signals.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        if (signo == SIGHUP) {
            co_await reload(d);
            continue;
        }
        if (!d.stopping) {
            d.stopping = true;
            d.stop_reason = signo == SIGTERM ? "SIGTERM" : "SIGINT";
            d.log->info("received {}; stopping (in-flight occurrences get up to {} s)",
                        d.stop_reason, d.current.config.engine.shutdown_grace.count());
            d.notifier.stopping();
            d.eng.stop();
        }
    }
}

asio::awaitable<void> ping_watchdog(daemon_state& d, asio::steady_timer& timer)
{
    auto interval = *d.notifier.watchdog_interval();
    std::string last_status;
    for (;;) {
        d.notifier.watchdog();
        // STATUS= follows what fired since (next occurrence, in doubt) at the ping's pace.
        if (auto now = status_line(d); now != last_status) {
            d.notifier.status(now);
            last_status = std::move(now);
        }
        timer.expires_after(interval);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
    }
}

asio::awaitable<void> watch_clock(daemon_state& d, service::clock_step_watch& watch)
{
    for (;;) {
        auto ec = co_await watch.async_wait_step();
        if (ec == asio::error::operation_aborted) co_return;
        if (ec) {
            d.log->error("the clock-step watch failed ({}); a wall clock step is noticed only at "
                         "the next occurrence",
                         ec.message());
            co_return;
        }
        d.log->warn("the wall clock was set; re-planning (occurrence identities make a backward "
                    "step harmless; a forward step is handled like downtime)");
        warn_clock_sync(*d.log);
        d.eng.replan();
    }
}

// Records the verdicts `paymand audit resolve` leaves in the inbox, oldest first: those
// waiting at start, then each time inotify reports a new file.
asio::awaitable<void> watch_inbox(daemon_state& d, inbox_watch& watch)
{
    for (;;) {
        const auto files = pending_requests(watch.directory());
        for (const auto& file : files) {
            auto read = read_request(file);
            if (!read) {
                reject_request(file, read.error().message);
                d.log->error("inbox: {}", read.error().message);
                continue;
            }
            if (const auto* wanted = std::get_if<trigger_request>(&*read)) {
                // `paymand trigger` handed over: run it here and leave the identity for the
                // command, which reads the outcome from the log.
                d.log->info("inbox: trigger {} requested by an operator",
                            text::escape_for_display(wanted->rule));
                auto ran = co_await d.eng.async_trigger(wanted->rule);
                if (!ran) {
                    reject_request(file, ran.error().message);
                    d.log->error("inbox: trigger {} refused: {}",
                                 text::escape_for_display(wanted->rule), ran.error().message);
                } else {
                    complete_request(file, *ran);
                }
                continue;
            }
            const auto* request = &std::get<audit::resolution_request>(*read);
            auto resolved = co_await d.eng.async_resolve(*request);
            if (!resolved) {
                reject_request(file, resolved.error().message);
                d.log->error("inbox: resolution of {} refused: {}", request->occurrence,
                             resolved.error().message);
                continue;
            }
            d.log->warn("{}: resolved by an operator as {} (audit record {}): {}",
                        request->occurrence, audit::to_string(request->verdict), resolved->seq,
                        request->note);
            std::error_code ec;
            std::filesystem::remove(file, ec);
        }
        if (!files.empty()) d.notifier.status(status_line(d));
        if (co_await watch.async_wait_change()) co_return;
    }
}

// The daemon's own tasks end: the live view closes (nothing is published over the last one),
// every task is cancelled and waited for.
asio::awaitable<void> close_tasks(daemon_state& d)
{
    d.view_closed = true;
    d.tasks.cancel(asio::cancellation_type::terminal);
    co_await d.tasks.async_wait();
}

// What `run` and `trigger` record before anything else: the configuration in force, and
// every intent a previous process left without a result as in doubt (never re-sent); then
// the rules. False when the audit log cannot be written.
asio::awaitable<bool> open_audit(engine::engine& eng, std::vector<audit::record_body> opening,
                                 std::vector<audit::occurrence_ref> interrupted,
                                 std::shared_ptr<const rules::rule_set> rules)
{
    // Each is logged at error priority as it is recorded (log_outcome).
    for (auto& ref : interrupted) {
        opening.push_back(audit::in_doubt_record{
            std::move(ref), "the daemon stopped after the intent was recorded and before the "
                            "result; the payment may have been sent"});
    }
    if (!co_await eng.async_record(std::move(opening))) co_return false;
    const bool ok = co_await eng.async_set_rules(std::move(rules));
    // Loading parsed YAML trees and built the set: give the freed heap back to the system,
    // so a large rule set does not keep its parse-time peak for the daemon's life.
    ::malloc_trim(0);
    co_return ok;
}

// The node joins the shared ledger before the engine runs, and the engine waits (at most a
// connect and a statement) for the keeper's first campaign: the first occurrences (catch-up)
// meet a node that knows whether it leads, not one still connecting.
asio::awaitable<void> start_ha(daemon_state& d)
{
    if (d.ha == nullptr) co_return;
    d.ha->start(
        [&d] {
            mark_view_dirty(d);
            d.notifier.status(status_line(d));
        },
        [&d](bool leading) { d.eng.set_leading(leading); },
        [&d](std::string_view task, std::exception_ptr e) { task_failed(d, task, e); });
    const auto clock = core::system_clock();
    const auto& t = d.current.config.ha->timeouts;
    const auto deadline = clock->steady_now() + t.connect + t.reply;
    asio::steady_timer timer(d.io);
    while (d.ha->status().role == ledger::keeper_role::starting && !d.stopping &&
           clock->steady_now() < deadline) {
        timer.expires_after(std::chrono::milliseconds(50));
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
    }
}

// After the engine wound down (sends in flight recorded their results): the keeper releases
// the lease with NOTIFY, so a standby takes over at once.
asio::awaitable<void> stop_ha(daemon_state& d)
{
    if (d.ha == nullptr) co_return;
    const auto& t = d.current.config.ha->timeouts;
    co_await d.ha->async_stop(
        std::chrono::duration_cast<std::chrono::milliseconds>(t.connect + t.reply));
}

asio::awaitable<int> serve(daemon_state& d, std::vector<audit::occurrence_ref> interrupted)
{
    std::vector<audit::record_body> opening;
    opening.push_back(
        audit::started_record{std::string(version), static_cast<std::int64_t>(::getpid())});
    opening.push_back(
        audit::config_loaded_record{d.options.config_path.string(), d.current.config.sha256});
    if (!co_await open_audit(d.eng, std::move(opening), std::move(interrupted), d.current.rules)) {
        d.log->critical("the audit log cannot be written; refusing to run");
        throw std::runtime_error("audit log unwritable at start");
    }

    // The watchers live in this frame, which outlives every task of d.tasks (close_tasks).
    auto clock_watch = service::clock_step_watch::open(d.io.get_executor());
    if (!clock_watch) {
        d.log->critical("cannot watch the wall clock for steps: timerfd: {}",
                        clock_watch.error().message());
        co_return exit_unavailable;
    }
    auto inbox =
        inbox_watch::open(d.io.get_executor(), inbox_directory(d.current.config.state_directory));
    if (!inbox) {
        d.log->critical("cannot watch the inbox for operators' requests: {}", inbox.error());
        co_return exit_cant_create;
    }
    asio::signal_set signals(d.io, SIGTERM, SIGINT, SIGHUP);
    asio::steady_timer watchdog(d.io);
    asio::steady_timer view_timer(d.io);
    d.view_timer = &view_timer;

    d.tasks.spawn("signal handling", handle_signals(d, signals));
    if (d.notifier.watchdog_interval()) d.tasks.spawn("watchdog", ping_watchdog(d, watchdog));
    d.tasks.spawn("clock-step watch", watch_clock(d, *clock_watch));
    // A dry run shares the state directory: it never takes the real daemon's requests nor
    // publishes over its live view.
    if (!d.options.dry_run) d.tasks.spawn("inbox", watch_inbox(d, *inbox));

    std::unique_ptr<metrics::http_server> metrics_server;
    if (!start_metrics(d, metrics_server)) {
        co_await close_tasks(d);
        co_return exit_unavailable;
    }

    warn_clock_sync(*d.log);
    // Checked beside the engine, not before it: a slow or unreachable Payman must not hold
    // back readiness, and the rules run whatever the check finds.
    start_world_check(d);
    co_await start_ha(d);
    if (!d.options.dry_run) d.tasks.spawn("live view", publish_view(d, view_timer));
    d.log->info("paymand {} running{}: {}", version, d.options.dry_run ? " (DRY RUN)" : "",
                status_line(d));
    d.notifier.ready(status_line(d));

    const auto unfinished = co_await d.eng.async_run();

    std::vector<audit::record_body> closing;
    closing.push_back(audit::stopped_record{d.stop_reason, static_cast<std::uint32_t>(unfinished)});
    co_await d.eng.async_record(std::move(closing));
    co_await stop_ha(d);
    if (unfinished > 0)
        d.log->warn("stopped with {} occurrence(s) unfinished; those with a recorded intent are "
                    "in doubt after the next start",
                    unfinished);
    co_await close_tasks(d);
    if (!d.options.dry_run) write_view(d);  // the last view says it stopped
    if (metrics_server) metrics_server->stop();
    d.log->info("stopped");
    co_return d.exit_code;
}

}  // namespace

namespace {

// Everything `run` and `trigger` share before the engine exists: configuration and rules
// loaded, logging set up, the state locked and the audit log replayed, Payman reachable.
struct prepared {
    std::optional<loaded> initial;
    std::shared_ptr<spdlog::logger> log;
    std::optional<engine::assumed_balances> assumed;
    std::unique_ptr<audit::file_audit_store> store;
    audit::audit_projection projection;
    audit::replay_report replay;
    std::shared_ptr<engine::agent> agent;
    // When metrics.listen is set (not for a dry run, which may run beside the daemon).
    std::unique_ptr<metrics::registry> metrics;
    // The daemon held the lock and prepare_hooks::when_locked did the work: its code is final.
    bool handed_over = false;
    std::shared_ptr<user_grant> grant;     // payman.grant: authorization_code
    std::optional<payman::client> client;  // shares the agent's session and token
    std::unique_ptr<ha_node> ha;           // `run` with an ha: section, not a dry run
    // `run` with an ha: section, not a dry run: the store's stamps and durable seqs.
    std::shared_ptr<audit_link> link;
};

// The stored grant a daemon in authorization_code mode needs, or why it cannot start.
std::shared_ptr<user_grant> open_user_grant(const run_options& options,
                                            const config::daemon_config& cfg,
                                            const std::shared_ptr<spdlog::logger>& log)
{
    const std::string login =
        fmt::format("paymand auth login --config {}", options.config_path.string());
    if (options.dry_run) {
        log->critical("a dry run in payman.grant: authorization_code mode needs --assume-balance: "
                      "asking Payman would rotate the refresh token the daemon holds");
        return nullptr;
    }
    const auto file = cfg.grant_path();
    auto loaded = grant::load_grant(file);
    if (!loaded) {
        log->critical("the user's grant cannot be read: {}", loaded.error().message);
        return nullptr;
    }
    if (!*loaded) {
        log->critical("payman.grant is authorization_code but no grant is stored in {}: a person "
                      "who owns the wallets must consent first: run {}",
                      file.string(), login);
        return nullptr;
    }
    auto& g = **loaded;
    if (g.refused_at) {
        log->error("{} (the server refused it at {}: {}): run {}", grant_invalid_line,
                   audit::format_utc(*g.refused_at), g.refused_reason, login);
        return nullptr;
    }
    if (g.client_id != cfg.client_id) {
        log->critical("the stored grant was made for client {}, but payman.client_id is {}: run {}",
                      g.client_id, cfg.client_id, login);
        return nullptr;
    }
    return std::make_shared<user_grant>(file, std::move(g), log, core::system_clock());
}

// What `trigger` adds to prepare: a check of what was loaded before the state lock is
// asked for, and what to do instead when the daemon holds it. Each returns an exit code.
struct prepare_hooks {
    std::function<int(const loaded&)> before_lock;
    std::function<int(const loaded&)> when_locked;
};

// A node's records carry its name and epoch (no link: a single node's carry nothing).
std::function<std::optional<audit::node_stamp>()> ha_stamp(std::shared_ptr<audit_link> link)
{
    if (!link) return {};
    return [link] { return link->stamp(); };
}

// A node's durable seqs go to its audit shipper, once attached.
std::function<void(std::uint64_t)> ha_durable(std::shared_ptr<audit_link> link)
{
    if (!link) return {};
    return [link](std::uint64_t seq) { link->durable(seq); };
}

// The audit log locked and replayed into p.projection; exit_ok, or the exit code. When the
// daemon holds the lock, hooks.when_locked decides (p.handed_over).
int open_audit_log(const run_options& options, prepared& p, const prepare_hooks& hooks)
{
    const auto& cfg = p.initial->config;
    auto& log = p.log;
    const auto audit_path = options.dry_run ? cfg.dry_run_audit_log() : cfg.audit_log;
    p.store = std::make_unique<audit::file_audit_store>(audit::file_store_params{
        .log_path = audit_path,
        // A dry run has its own log and lock: it may run beside the real daemon.
        .lock_path = options.dry_run ? std::filesystem::path(audit_path.string() + ".lock")
                                     : cfg.lock_path(),
        .dry_run = options.dry_run,
        // Stamped by the daemon's wall clock: rule activation times come from these stamps.
        .clock = core::system_clock(),
        .stamp = ha_stamp(p.link),
        .on_durable = ha_durable(p.link)});
    if (auto locked = p.store->lock(); !locked) {
        if (locked.error().code == audit::audit_errc::locked && hooks.when_locked) {
            p.handed_over = true;
            return hooks.when_locked(*p.initial);
        }
        log->critical("{}", locked.error().message);
        return locked.error().code == audit::audit_errc::locked ? exit_locked : exit_cant_create;
    }
    auto replay = p.store->replay(p.projection);
    if (!replay) {
        log->critical("{}", replay.error().message);
        return exit_cant_create;
    }
    p.replay = std::move(*replay);
    if (p.replay.torn_tail)
        log->warn("the audit log ended in a torn line (a crash mid-write): removed {} bytes at "
                  "offset {}",
                  p.replay.torn_tail->bytes, p.replay.torn_tail->offset);
    if (p.replay.corruption) {
        log->critical("{} is corrupt: {}; paymand refuses to pay until an operator has looked "
                      "(`paymand audit verify`)",
                      p.store->describe(), p.replay.corruption->message);
        return exit_data_error;
    }
    log->info("replayed {} records from {}", p.replay.records, p.store->describe());
    return exit_ok;
}

// The Payman client (and the person's grant in authorization_code mode), unless balances are
// assumed; exit_ok, or the exit code.
int open_payman(const run_options& options, asio::io_context& io, prepared& p)
{
    const auto& cfg = p.initial->config;
    auto& log = p.log;
    if (p.assumed) return exit_ok;
    auto secret = config::load_secret(cfg.client_secret, process_environment());
    config::forget_secret_environment(cfg.client_secret);
    if (!secret) {
        log->critical("{}", secret.error().message);
        return exit_unavailable;
    }
    auto client_config = cfg.client;
    client_config.logger = client_logger(log);
    // log.level debug shows the client's own debug lines (each ask sent and answered) too.
    client_config.log_threshold =
        log->should_log(spdlog::level::debug) ? payman::log_level::debug : payman::log_level::info;
    const bool user = cfg.grant.mode == config::grant_mode::authorization_code;
    if (user) {
        p.grant = open_user_grant(options, cfg, log);
        if (!p.grant) return exit_no_grant;
        client_config.grant_events = p.grant->observer();
    }
    auto client =
        user ? payman::client::with_refresh_token(io.get_executor(), client_config, cfg.client_id,
                                                  std::move(*secret), p.grant->held().refresh_token)
             : payman::client::with_credentials(io.get_executor(), client_config, cfg.client_id,
                                                std::move(*secret));
    if (!client) {
        log->critical("{}", client.error().what());
        return exit_unavailable;
    }
    p.client = *client;
    p.agent = engine::make_client_agent(std::move(*client));
    if (p.grant) p.agent = p.grant->guard(std::move(p.agent));
    return exit_ok;
}

int prepare(const run_options& options, asio::io_context& io, prepared& p,
            const prepare_hooks& hooks = {})
{
    // No core dumps: memory holds the client secret and access tokens.
    config::protect_process();
    // A file-size limit must fail the audit append with EFBIG (and be reported), not kill us.
    ::signal(SIGXFSZ, SIG_IGN);

    // Until the configuration names its log format, log in the automatic one, so that even
    // a configuration error reaches the journal with its priority.
    log::init_default_logger("paymand", log::log_config{});
    p.initial = load_all(options.config_path, spdlog::default_logger().get());
    if (!p.initial) return exit_failure;
    auto& cfg = p.initial->config;
    log::init_default_logger("paymand", cfg.log);
    p.log = spdlog::default_logger();
    auto& log = p.log;
    if (cfg.ha && options.dry_run)
        log->info("dry run: the ha: section is left aside: no database is opened and nothing is "
                  "claimed; the dry run decides as a single node would (docs/ha.md)");
    if (cfg.ha && !options.dry_run) p.link = std::make_shared<audit_link>(cfg.ha->node);

    if (options.assume_balance) {
        if (!options.dry_run) {
            log->error("--assume-balance needs --dry-run");
            return exit_failure;
        }
        auto amount = inspect::parse_balance(*options.assume_balance);
        if (!amount) {
            log->error("--assume-balance: {}", amount.error());
            return exit_failure;
        }
        p.assumed = engine::assumed_balances{{}, *amount};
    }

    // The state directory (0700 when we create it) and its inbox, whose requests are operator
    // verdicts: ours or root's, writable by nobody else, the inbox no symlink, under systemd
    // or not.
    for (const auto& [dir, follow] : {std::pair{cfg.state_directory, true},
                                      std::pair{inbox_directory(cfg.state_directory), false}}) {
        if (auto made = audit::make_state_directory(dir, follow); !made) {
            log->critical("the state directory cannot be used: {}", made.error().message);
            return exit_cant_create;
        }
    }

    if (hooks.before_lock) {
        if (int code = hooks.before_lock(*p.initial); code != exit_ok) return code;
    }

    if (int code = open_audit_log(options, p, hooks); code != exit_ok || p.handed_over) return code;
    if (int code = open_payman(options, io, p); code != exit_ok) return code;
    if (cfg.metrics.listen && !options.dry_run) {
        p.metrics = std::make_unique<metrics::registry>(core::system_clock()->wall_now(),
                                                        std::string(version));
        if (p.agent) p.agent = instrument(p.agent, *p.metrics);
    }
    return exit_ok;
}

// Runs `body` with an engine on `io` and returns its exit code; exceptions are fatal. Every
// durable record is logged (log_outcome), counted (metrics) and handed to `observe`;
// `writable` hears of the audit log refusing writes or taking them again.
int with_engine(const run_options& options, asio::io_context& io, prepared& p,
                const std::function<asio::awaitable<int>(engine::engine&)>& body,
                std::function<void(const audit::record&)> observe = nullptr,
                std::function<void(bool)> writable = nullptr)
{
    const auto& cfg = p.initial->config;
    int exit = exit_ok;
    auto writer = std::make_unique<audit::async_audit_writer>(std::move(p.store));
    auto clk = engine::make_system_clock(io.get_executor());
    engine::engine eng(io.get_executor(),
                       {.settings = cfg.engine,
                        .policy = cfg.policy,
                        .prompts = p.initial->prompts,
                        .client_id = cfg.client_id,
                        .dry_run = options.dry_run,
                        .assumed = p.assumed,
                        .on_record =
                            [log = p.log, reg = p.metrics.get(), observe](const audit::record& r) {
                                log_outcome(*log, r);
                                if (reg != nullptr) reg->observe(r);
                                if (observe) observe(r);
                            },
                        .on_audit_writable = std::move(writable),
                        .gate = p.ha ? p.ha->gate() : nullptr},
                       *clk, p.agent, *writer, p.projection, p.log);
    if (p.grant) {
        // Rotations happen inside asks; their records join the engine's in order.
        p.grant->set_recorder([&eng](audit::record_body body) {
            std::vector<audit::record_body> records;
            records.push_back(std::move(body));
            eng.record_soon(std::move(records));
        });
    }
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { exit = co_await body(eng); },
        [&](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    p.log->critical("fatal: {}", ex.what());
                }
                exit = exit_software;
            }
            io.stop();
        });
    io.run();
    // The writer finishes what is queued before the engine and the io_context go.
    writer.reset();
    return exit;
}

}  // namespace

namespace {

// The node on the shared ledger (ha:, not in a dry run); exit_ok, or the exit code.
int open_ha(asio::io_context& io, prepared& p)
{
    const auto& cfg = p.initial->config;
    if (!cfg.ha) return exit_ok;
    auto node = ha_node::open(io.get_executor(), cfg, *p.initial->rules, process_environment(),
                              p.log, p.link);
    if (cfg.ha->conninfo_source) config::forget_secret_environment(*cfg.ha->conninfo_source);
    if (!node) {
        p.log->critical("{}", node.error().message);
        return node.error().code == boost::system::errc::bad_message ? exit_data_error
                                                                     : exit_unavailable;
    }
    p.ha = std::move(*node);
    return exit_ok;
}

}  // namespace

int run(const run_options& options)
{
    asio::io_context io;
    prepared p;
    if (int code = prepare(options, io, p); code != exit_ok) return code;
    if (!options.dry_run) {
        if (int code = open_ha(io, p); code != exit_ok) return code;
    }
    // Every durable record, and the audit log's writability, may change what the live view
    // shows.
    daemon_state* running = nullptr;
    return with_engine(
        options, io, p,
        [&](engine::engine& eng) -> asio::awaitable<int> {
            daemon_state state{.io = io,
                               .log = p.log,
                               .options = options,
                               .current = std::move(*p.initial),
                               .eng = eng,
                               .metrics = p.metrics.get(),
                               .ha = p.ha.get(),
                               .grant = p.grant,
                               .client = p.client,
                               .projection = &p.projection};
            running = &state;
            struct forget {
                daemon_state*& running;
                ~forget() { running = nullptr; }
            } forget_on_exit{running};
            co_return co_await serve(state, std::move(p.replay.interrupted));
        },
        [&running](const audit::record&) {
            if (running != nullptr) mark_view_dirty(*running);
        },
        [&running](bool) {
            if (running != nullptr) mark_view_dirty(*running);
        });
}

namespace {

// "no such rule 'rnet'; did you mean 'rent'? (rules in /etc/paymand/rules)", before any lock.
int check_rule_exists(const loaded& l, const std::string& rule_id, spdlog::logger& log)
{
    if (l.rules->find(rule_id) != nullptr) return exit_ok;
    std::vector<std::string> ids;
    for (const auto& r : l.rules->rules()) ids.push_back(r.id);
    const auto hint = text::did_you_mean(text::nearest(rule_id, ids));
    log.error("no such rule '{}'{} (the rules in {}; `paymand next` lists them)",
              text::escape_for_display(rule_id), hint.empty() ? "" : ": " + hint,
              l.config.rules_directory.string());
    return exit_failure;
}

// The outcome on stdout, as a line or (--json) one JSON object; its exit code.
int print_outcome(const std::string& identity, const trigger_outcome& outcome, bool json,
                  bool by_daemon)
{
    if (json)
        std::cout << trigger_json(identity, outcome, by_daemon) << "\n";
    else
        std::cout << outcome.line << (by_daemon ? " (run by the daemon)" : "") << "\n";
    return outcome.exit_code;
}

// The daemon holds the lock: hand the run to it and report the outcome it recorded.
int hand_trigger_to_daemon(const loaded& l, const std::string& rule_id, bool json,
                           spdlog::logger& log)
{
    const auto& cfg = l.config;
    // Read-only, to the end: the outcome's records are those the daemon appends after this.
    auto reader = audit::audit_reader::open(cfg.audit_log);
    if (!reader) {
        log.critical("{}", reader.error().message);
        return exit_cant_create;
    }
    if (auto read = reader->read_to_end([](const audit::record&) {}); !read) {
        log.critical("{}", read.error().message);
        return exit_data_error;
    }
    // The daemon runs it within its occurrence deadline; a margin for the hand-over itself.
    const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        cfg.engine.occurrence_timeout + std::chrono::seconds(15));
    auto answer = hand_over(cfg, trigger_request{rule_id}, timeout, nullptr);
    switch (answer.what) {
    case handover_answer::kind::not_posted:
        log.critical("the daemon is running and its inbox cannot be written: {}", answer.text);
        return exit_cant_create;
    case handover_answer::kind::rejected:
        log.error("the running daemon refused it: {}", answer.text);
        return exit_failure;
    case handover_answer::kind::timed_out:
        log.error("the running daemon has not run it within {} s; the request stays queued in "
                  "{} (see `paymand audit tail`)",
                  std::chrono::duration_cast<std::chrono::seconds>(timeout).count(),
                  answer.posted.string());
        return exit_locked;
    case handover_answer::kind::answered:
    case handover_answer::kind::done:
        break;
    }
    auto records = reader->read_new();
    if (!records) {
        log.critical("{}", records.error().message);
        return exit_data_error;
    }
    return print_outcome(answer.text, describe_trigger(answer.text, *records), json, true);
}

}  // namespace

int trigger(const run_options& options, const std::string& rule_id)
{
    asio::io_context io;
    prepared p;
    prepare_hooks hooks;
    hooks.before_lock = [&](const loaded& l) {
        return check_rule_exists(l, rule_id, *spdlog::default_logger());
    };
    // A dry run has its own log and lock, and a dry-run daemon takes no requests.
    if (!options.dry_run)
        hooks.when_locked = [&](const loaded& l) {
            return hand_trigger_to_daemon(l, rule_id, options.json, *spdlog::default_logger());
        };
    if (int code = prepare(options, io, p, hooks); code != exit_ok || p.handed_over) return code;
    if (p.initial->config.ha && !options.dry_run) {
        // Only a running node passes the ledger's gate: a trigger on its own would not.
        p.log->critical("ha: no paymand runs on this node, and a trigger on its own would pay "
                        "without the shared ledger's gate (another node may pay the same "
                        "occurrence): start `paymand run` here and trigger again (it hands the "
                        "rule to the daemon), or trigger on a node that runs (docs/ha.md)");
        return exit_failure;
    }
    std::vector<audit::record> seen;
    const auto keep = [&seen](const audit::record& r) {
        if (audit::occurrence_of(r.body) != nullptr) seen.push_back(r);
    };
    return with_engine(
        options, io, p,
        [&](engine::engine& eng) -> asio::awaitable<int> {
            std::vector<audit::record_body> opening;
            opening.push_back(audit::config_loaded_record{options.config_path.string(),
                                                          p.initial->config.sha256});
            if (!co_await open_audit(eng, std::move(opening), std::move(p.replay.interrupted),
                                     p.initial->rules)) {
                p.log->critical("the audit log cannot be written; nothing was run");
                co_return exit_cant_create;
            }
            auto result = co_await eng.async_trigger(rule_id);
            if (!result) {
                p.log->error("{}", result.error().message);
                co_return exit_failure;
            }
            if (p.grant && p.grant->refused()) co_return exit_no_grant;
            if (!eng.status().audit_writable) {
                p.log->critical("{}: the audit log could not be written: nothing was sent after "
                                "the first record that failed; see the errors above",
                                *result);
                co_return exit_cant_create;
            }
            co_return print_outcome(*result, describe_trigger(*result, seen), options.json, false);
        },
        keep);
}

}  // namespace paymand::daemon
