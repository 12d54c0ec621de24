// A node on the PostgreSQL ledger of several nodes (see ha_node.hpp).

#include "paymand/daemon/ha_node.hpp"

#include "paymand/config/ha_config.hpp"
#include "paymand/core/clock.hpp"
#include "paymand/core/sha256.hpp"
#include "paymand/daemon/atomic_file.hpp"
#include "paymand/daemon/audit_shipper.hpp"
#include "paymand/daemon/ledger_gate.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

namespace paymand::daemon {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr int memory_format = 1;
// A memory file is a line; anything far larger is not ours.
constexpr std::uintmax_t max_memory_bytes = 4096;
// How often the node looks at the keeper for a higher epoch to save and a change to show.
constexpr auto watch_interval = std::chrono::milliseconds(200);

core::error memory_error(const std::filesystem::path& file, std::string_view what)
{
    return core::error{make_error_code(boost::system::errc::bad_message), 0,
                       fmt::format("the node's memory {} {}; the node must not lead on a ledger "
                                   "it cannot compare with what it saw (docs/ha.md, \"The node's "
                                   "memory\")",
                                   file.string(), what)};
}

std::optional<std::int64_t> count_in(const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (v == nullptr || !(v->is_int64() || v->is_uint64())) return std::nullopt;
    if (v->is_uint64() && v->get_uint64() > static_cast<std::uint64_t>(INT64_MAX))
        return std::nullopt;
    const auto n = v->to_number<std::int64_t>();
    if (n < 0) return std::nullopt;
    return n;
}

core::result<std::string> read_small_file(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        const int err = errno;
        return core::error{{err, boost::system::system_category()},
                           0,
                           fmt::format("cannot read {}: {}", file.string(), std::strerror(err))};
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string optional_amount(const std::optional<std::int64_t>& v)
{
    return v ? std::to_string(*v) : "-";
}

}  // namespace

std::filesystem::path node_memory_path(const std::filesystem::path& state_directory)
{
    return state_directory / "ha-node.json";
}

std::string serialize_node_memory(const std::string& node, const ledger::node_memory& memory)
{
    const json::object out{{"format", memory_format},
                           {"node", node},
                           {"highest_epoch", memory.highest_epoch},
                           {"shipped_seq", memory.shipped_seq}};
    return json::serialize(out) + "\n";
}

core::result<ledger::node_memory> read_node_memory(const std::filesystem::path& file,
                                                   const std::string& node)
{
    std::error_code ec;
    const auto status = std::filesystem::symlink_status(file, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
        return memory_error(file, "cannot be read: " + ec.message());
    if (!std::filesystem::exists(status)) return ledger::node_memory{};
    if (!std::filesystem::is_regular_file(status))
        return memory_error(file, "is not a regular file");
    if (std::filesystem::file_size(file, ec) > max_memory_bytes && !ec)
        return memory_error(file, fmt::format("is larger than {} bytes", max_memory_bytes));
    auto text = read_small_file(file);
    if (!text) return memory_error(file, "cannot be read: " + text.error().message);
    json::parse_options strict;
    auto parsed = json::parse(*text, ec, {}, strict);
    if (ec || !parsed.is_object()) return memory_error(file, "is not JSON");
    const auto& o = parsed.get_object();
    const auto format = count_in(o, "format");
    if (!format || *format != memory_format)
        return memory_error(file, fmt::format("is not of format {}", memory_format));
    const auto* owner = o.if_contains("node");
    if (owner == nullptr || !owner->is_string()) return memory_error(file, "names no node");
    if (owner->get_string() != node)
        return memory_error(file, fmt::format("belongs to node '{}', not to '{}' (ha.node)",
                                              std::string_view(owner->get_string()), node));
    const auto epoch = count_in(o, "highest_epoch");
    const auto seq = count_in(o, "shipped_seq");
    if (!epoch || !seq)
        return memory_error(file, "lacks highest_epoch or shipped_seq (non-negative integers)");
    if (o.size() != 4) return memory_error(file, "holds keys this paymand does not know");
    return ledger::node_memory{.highest_epoch = *epoch, .shipped_seq = *seq};
}

core::result<void> write_node_memory(const std::filesystem::path& file, const std::string& node,
                                     const ledger::node_memory& memory)
{
    return write_atomically(file, serialize_node_memory(node, memory), 0600, durability::synced);
}

std::string rule_set_hash(const rules::rule_set& rules)
{
    std::vector<const rules::rule*> sorted;
    for (const auto& r : rules.rules()) sorted.push_back(&r);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto* a, const auto* b) { return a->id < b->id; });
    std::string text;
    for (const auto* r : sorted)
        text += fmt::format("{} {} {}\n", r->id, r->content_hash, r->enabled ? 1 : 0);
    return core::sha256_hex(text);
}

std::string policy_hash(const rules::policy& p)
{
    // One line per fact, each list in the order the file gives (order matters to nobody, but
    // two nodes with one file write it alike). Names are length-prefixed: no separator games.
    std::string text =
        fmt::format("zone {}\ninterval {}\nany_payee {}\nany_wallet {}\n", p.timezone,
                    p.min_pay_interval.count(), p.any_payee, p.any_wallet);
    for (const auto& payee : p.payees) text += fmt::format("payee {}:{}\n", payee.size(), payee);
    for (const auto& w : p.wallets) text += fmt::format("wallet {}:{}\n", w.size(), w);
    if (p.default_wallet)
        text += fmt::format("default_wallet {}:{}\n", p.default_wallet->size(), *p.default_wallet);
    const auto& l = p.limits;
    text +=
        fmt::format("limits {} per_day {}\n", l.enabled, optional_amount(l.max_payments_per_day));
    for (const auto& [code, c] : l.currencies)
        text +=
            fmt::format("currency {} {} {} {} {} {}\n", code, optional_amount(c.per_transaction),
                        optional_amount(c.daily), optional_amount(c.monthly),
                        optional_amount(c.payee_daily), optional_amount(c.payee_monthly));
    for (const auto& [payee, by_code] : l.payees)
        for (const auto& [code, c] : by_code)
            text += fmt::format("payee_limit {}:{} {} {} {}\n", payee.size(), payee, code,
                                optional_amount(c.daily), optional_amount(c.monthly));
    return core::sha256_hex(text);
}

ledger::keeper_settings make_keeper_settings(const config::ha_config& ha, std::string conninfo,
                                             ledger::node_identity identity,
                                             ledger::node_memory memory)
{
    using std::chrono::milliseconds;
    ledger::keeper_settings s;
    s.connection.conninfo = std::move(conninfo);
    s.connection.connect_timeout = ha.timeouts.connect;
    s.connection.reply_timeout = ha.timeouts.reply;
    s.connection.statement_timeout = ha.timeouts.statement;
    s.connection.lock_timeout = ha.timeouts.lock;
    s.connection.idle_in_transaction_session_timeout = ha.timeouts.idle_in_transaction;
    s.identity = std::move(identity);
    s.lease = milliseconds(ha.lease);
    s.renew = milliseconds(ha.renew);
    s.safety_margin = milliseconds(ha.safety_margin);
    s.max_clock_skew = milliseconds(ha.max_clock_skew);
    s.memory = memory;
    return s;
}

bool same_ha_settings(const config::ha_config& a, const config::ha_config& b)
{
    const auto same_source = [](const auto& x, const auto& y) {
        return x.has_value() == y.has_value() && (!x || (x->from == y->from && x->name == y->name));
    };
    const auto& ta = a.timeouts;
    const auto& tb = b.timeouts;
    return a.conninfo == b.conninfo && same_source(a.conninfo_source, b.conninfo_source) &&
           a.node == b.node && a.lease == b.lease && a.renew == b.renew &&
           a.safety_margin == b.safety_margin && a.max_clock_skew == b.max_clock_skew &&
           ta.connect == tb.connect && ta.reply == tb.reply && ta.statement == tb.statement &&
           ta.lock == tb.lock && ta.idle_in_transaction == tb.idle_in_transaction;
}

metrics::ha_figures ha_figures_of(const ledger::keeper_status& s)
{
    return {.leader = s.role == ledger::keeper_role::leader,
            .eligible = s.role != ledger::keeper_role::not_eligible,
            .epoch = s.epoch,
            .lease_remaining = s.lease_remaining,
            .takeovers = s.takeovers,
            .lease_losses = s.losses,
            .refused_renewals = s.refused_renewals,
            .refused_gates = s.refused_gates,
            .clock_skew = s.clock_skew};
}

struct ha_node::state {
    asio::any_io_executor executor;
    std::shared_ptr<spdlog::logger> log;
    std::filesystem::path memory_file;
    ledger::node_identity identity;
    ledger::node_memory saved;  // what the file holds
    std::unique_ptr<ledger::lease_keeper> keeper;
    std::shared_ptr<ledger_gate> gate;
    std::shared_ptr<audit_link> link;        // the audit store's; null without shipping
    std::unique_ptr<audit_shipper> shipper;  // with a link
    leading_handler leading;
    std::optional<core::task_group> tasks;     // the keeper's and the memory watch, from start()
    std::optional<core::task_group> shipping;  // the audit shipper's, from start()
    changed_handler changed;
    std::string save_error;  // the last failure to save, logged once

    state(asio::any_io_executor ex, std::shared_ptr<spdlog::logger> l)
        : executor(ex), log(std::move(l))
    {
    }

    // Each failure kind is logged once; the caller may try again.
    core::result<void> save(ledger::node_memory next)
    {
        if (auto written = write_node_memory(memory_file, identity.node, next); !written) {
            if (written.error().message != save_error)
                log->error("ha: the node's memory cannot be saved: {}", written.error().message);
            save_error = written.error().message;
            return written.error();
        }
        save_error.clear();
        saved = next;
        return {};
    }

    // The highest epoch the keeper saw, saved when it grew.
    void remember_epoch(std::int64_t epoch)
    {
        if (epoch <= saved.highest_epoch) return;
        auto next = saved;
        next.highest_epoch = epoch;
        static_cast<void>(save(next));  // logged; the watch tries again
    }

    // The last audit seq the ledger acknowledged, saved when it grew.
    core::result<void> record_shipped(std::int64_t seq)
    {
        if (seq <= saved.shipped_seq) return {};
        auto next = saved;
        next.shipped_seq = seq;
        return save(next);
    }

    // The keeper lost the lease. Claims and gates already read the keeper's fence at every
    // call (from_keeper), so they stop by themselves; this is where more goes (the engine
    // stops scheduling).
    void lost(std::int64_t epoch, ledger::loss_reason reason)
    {
        if (reason != ledger::loss_reason::stopped)
            log->warn("ha: node {} no longer claims nor opens gates (epoch {} ended: {})",
                      identity.node, epoch, to_string(reason));
        if (link) link->set_epoch(0);
        if (leading) leading(false);
        if (changed) changed();
    }

    // The keeper took the lease: records carry the epoch, the engine schedules.
    void gained(std::int64_t epoch)
    {
        if (shipper && shipper->diverged()) {
            // Never lead on a ledger whose copy of this node's chain is not its log.
            log->critical("ha: node {} steps down: its audit chain and the ledger's diverged",
                          identity.node);
            // Not from inside the keeper's own call: it goes on once this handler returns.
            asio::post(executor, [this] { keeper->stop(); });
            return;
        }
        if (link) link->set_epoch(epoch);
        if (leading) leading(true);
        if (changed) changed();
    }

    void diverged(const core::error& e)
    {
        log->critical("ha: node {} must not lead until an operator acts: {}", identity.node,
                      e.message);
        if (keeper->is_leader()) keeper->stop();
        if (changed) changed();
    }
};

ha_node::ha_node(std::unique_ptr<state> s) : s_(std::move(s)) {}

ha_node::~ha_node() = default;

core::result<std::unique_ptr<ha_node>>
ha_node::open(asio::any_io_executor executor, const config::daemon_config& cfg,
              const rules::rule_set& rules, const config::env_lookup& getenv,
              std::shared_ptr<spdlog::logger> log, std::shared_ptr<audit_link> link)
{
    const auto& ha = *cfg.ha;
    auto conninfo = config::load_conninfo(ha, getenv);
    if (!conninfo) return conninfo.error();
    const auto file = node_memory_path(cfg.state_directory);
    auto memory = read_node_memory(file, ha.node);
    if (!memory) return memory.error();
    auto s = std::make_unique<state>(executor, std::move(log));
    s->memory_file = file;
    s->identity = {.node = ha.node,
                   .rules_hash = rule_set_hash(rules),
                   .policy_hash = policy_hash(cfg.policy)};
    s->saved = *memory;
    auto settings = make_keeper_settings(ha, std::string(conninfo->expose()), s->identity, *memory);
    const auto work = settings.connection;
    // The state owns the keeper, whose destructor drops the handler: never called after it.
    auto* raw = s.get();
    s->keeper = std::make_unique<ledger::lease_keeper>(
        executor, std::move(settings),
        [raw](std::int64_t epoch, ledger::loss_reason reason) { raw->lost(epoch, reason); },
        core::unaccelerated_clock());
    s->keeper->on_gained([raw](std::int64_t epoch) { raw->gained(epoch); });
    s->gate = std::make_shared<ledger_gate>(executor, work, from_keeper(*s->keeper, ha.node));
    if (link) {
        s->link = std::move(link);
        s->shipper = std::make_unique<audit_shipper>(
            executor,
            audit_shipper_settings{.connection = work,
                                   .node = s->identity.node,
                                   .log_path = cfg.audit_log,
                                   .acknowledged = memory->shipped_seq},
            [raw](std::int64_t seq) { static_cast<void>(raw->record_shipped(seq)); },
            [raw](const core::error& e) { raw->diverged(e); });
        s->link->attach(s->shipper->durable_hook());
    }
    return std::unique_ptr<ha_node>(new ha_node(std::move(s)));
}

std::shared_ptr<engine::occurrence_gate> ha_node::gate() const
{
    return s_->gate;
}

namespace {

// Saves a higher epoch as soon as the keeper saw it, and tells of changes an operator sees;
// ends once the keeper stopped.
asio::awaitable<void> watch_keeper(ha_node::state& s)
{
    asio::steady_timer timer(s.executor);
    auto last = s.keeper->status();
    while (last.role != ledger::keeper_role::stopped) {
        const auto now = s.keeper->status();
        s.remember_epoch(now.highest_epoch);
        if (now.role != last.role || now.epoch != last.epoch ||
            now.not_eligible != last.not_eligible) {
            if (s.changed) s.changed();
        }
        last = now;
        timer.expires_after(watch_interval);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
    }
}

}  // namespace

void ha_node::start(changed_handler changed, leading_handler leading,
                    core::task_group::failure_handler failed)
{
    s_->changed = std::move(changed);
    s_->leading = std::move(leading);
    s_->tasks.emplace(s_->executor, failed);
    s_->log->info("ha: node {} joins the ledger (rules {}, policy {}; remembers epoch {}, "
                  "audit seq {})",
                  s_->identity.node, s_->identity.rules_hash.substr(0, 12),
                  s_->identity.policy_hash.substr(0, 12), s_->saved.highest_epoch,
                  s_->saved.shipped_seq);
    s_->keeper->start(*s_->tasks);
    s_->tasks->spawn("ha node memory", watch_keeper(*s_));
    if (s_->shipper) {
        s_->shipping.emplace(s_->executor, std::move(failed));
        s_->shipper->start(*s_->shipping);
    }
}

asio::awaitable<void> ha_node::async_stop(std::chrono::milliseconds grace)
{
    s_->keeper->stop();
    if (!s_->tasks) co_return;
    s_->remember_epoch(s_->keeper->status().highest_epoch);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    if (!co_await s_->tasks->async_wait_until(deadline)) {
        s_->log->warn("ha: node {} did not release the lease within {} ms; the other nodes take "
                      "over when it expires",
                      s_->identity.node, grace.count());
    }
    s_->tasks->cancel(asio::cancellation_type::terminal);
    co_await s_->tasks->async_wait();
    // The shipper has no end of its own: it ships until it is stopped. What it did not ship yet
    // it ships at the node's next start, from the ledger's tail.
    if (s_->shipping) {
        s_->shipping->cancel(asio::cancellation_type::terminal);
        co_await s_->shipping->async_wait();
    }
}

ledger::keeper_status ha_node::status() const
{
    return s_->keeper->status();
}

const std::string& ha_node::node() const noexcept
{
    return s_->identity.node;
}

const ledger::node_identity& ha_node::identity() const noexcept
{
    return s_->identity;
}

audit_link::audit_link(std::string node) : node_(std::move(node)) {}

std::optional<audit::node_stamp> audit_link::stamp() const
{
    return audit::node_stamp{.node = node_, .epoch = static_cast<std::uint64_t>(epoch_.load())};
}

void audit_link::set_epoch(std::int64_t epoch) noexcept
{
    epoch_.store(epoch);
}

void audit_link::durable(std::uint64_t last_seq)
{
    const std::lock_guard lock(mutex_);
    last_durable_ = std::max(last_durable_, last_seq);
    if (hook_) hook_(last_seq);
}

void audit_link::attach(std::function<void(std::uint64_t)> hook)
{
    const std::lock_guard lock(mutex_);
    hook_ = std::move(hook);
    if (last_durable_ > 0) hook_(last_durable_);
}

core::result<void> ha_node::record_shipped(std::int64_t seq)
{
    return s_->record_shipped(seq);
}

}  // namespace paymand::daemon
