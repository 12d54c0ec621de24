#include "paymand/daemon/audit_shipper.hpp"

#include "daemon/audit_log_cursor.hpp"
#include "paymand/ledger/audit_shipping.hpp"
#include "paymand/text/word_table.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <utility>

namespace paymand::daemon {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

// What the writer's thread touches: atomics only, so that it never owns the shipper's state
// (its timer and connection belong to the executor's thread).
struct durable_feed {
    std::atomic<std::uint64_t> durable{0};
    std::atomic<bool> known{false};
    std::atomic<bool> wake_posted{false};

    void advance(std::uint64_t seq)
    {
        std::uint64_t seen = durable.load();
        while (seen < seq && !durable.compare_exchange_weak(seen, seq)) {
        }
        known.store(true);
    }
};

}  // namespace

struct audit_shipper::state {
    state(asio::any_io_executor ex, audit_shipper_settings s, acknowledged_handler ack,
          diverged_handler div)
        : executor(ex), settings(std::move(s)), on_acknowledged(std::move(ack)),
          on_diverged(std::move(div)), conn(ex), wake(ex), log(settings.log_path)
    {
        status.acknowledged = settings.acknowledged;
    }

    asio::any_io_executor executor;
    audit_shipper_settings settings;
    acknowledged_handler on_acknowledged;
    diverged_handler on_diverged;
    ledger::connection conn;
    asio::steady_timer wake;  // waits for the writer; notify_durable cancels it
    detail::audit_log_cursor log;

    std::shared_ptr<durable_feed> feed = std::make_shared<durable_feed>();
    std::atomic<bool> has_diverged{false};

    // The executor's thread only.
    shipper_status status;
    milliseconds next_retry{0};
    bool failing_logged = false;

    void acknowledge(std::int64_t seq)
    {
        if (seq <= status.acknowledged) return;
        status.acknowledged = seq;
        if (on_acknowledged) on_acknowledged(seq);
    }

    void fail(const core::error& e)
    {
        ++status.failures;
        status.last_error = e.message;
        if (!failing_logged) {
            spdlog::warn("ha: node {} cannot ship its audit log (will retry): {}", settings.node,
                         e.message);
        }
        failing_logged = true;
    }

    void succeeded()
    {
        if (failing_logged) spdlog::info("ha: node {} ships its audit log again", settings.node);
        failing_logged = false;
        status.last_error.clear();
        next_retry = milliseconds(0);
    }

    void diverge(core::error e)
    {
        status.state = shipper_state::diverged;
        status.last_error = e.message;
        has_diverged.store(true);
        spdlog::error("ha: node {}: {}", settings.node, e.message);
        if (on_diverged) on_diverged(e);
    }
};

namespace {

using state_ptr = std::shared_ptr<audit_shipper::state>;

enum class step { next, retry, stop };

asio::awaitable<bool> cancelled()
{
    auto cs = co_await asio::this_coro::cancellation_state;
    co_return cs.cancelled() != asio::cancellation_type::none;
}

core::error diverged_error(std::string message)
{
    return {make_error_code(ledger::ledger_errc::audit_diverged), 0, std::move(message)};
}

// Waits until the writer makes something new durable (or `for_at_most` passed).
asio::awaitable<void> wait_for_writer(state_ptr s, milliseconds for_at_most)
{
    s->wake.expires_after(for_at_most);
    auto [ec] = co_await s->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ec;  // cancelled by notify_durable, or the time passed: either way, look again
}

asio::awaitable<void> back_off(state_ptr s)
{
    const auto& cfg = s->settings;
    s->next_retry = s->next_retry == milliseconds(0) ? cfg.retry_first
                                                     : std::min(cfg.retry_max, s->next_retry * 2);
    s->status.state = shipper_state::retrying;
    asio::steady_timer timer(s->executor);
    timer.expires_after(s->next_retry);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ec;
}

// Compares the ledger's copy of the chain with the log and positions the log after it.
asio::awaitable<step> resume(state_ptr s)
{
    s->status.state = shipper_state::resuming;
    const auto& node = s->settings.node;
    if (!s->conn.is_open()) {
        auto settings = s->settings.connection;
        auto connected = co_await s->conn.async_connect(std::move(settings));
        if (!connected) {
            s->conn.close();
            s->fail(connected.error());
            co_return step::retry;
        }
    }
    auto tail = co_await ledger::async_shipped_tail(s->conn, node);
    if (!tail) {
        s->fail(tail.error());
        co_return step::retry;
    }
    const std::uint64_t durable = s->feed->durable.load();
    const auto held = static_cast<std::uint64_t>(tail->seq);
    if (tail->seq < s->status.acknowledged) {
        s->diverge(diverged_error(fmt::format(
            "the ledger holds {} records of this node's audit chain, but acknowledged {} "
            "before: it is an older copy; shipping stopped, and the node must not lead",
            tail->seq, s->status.acknowledged)));
        co_return step::stop;
    }
    if (held > durable) {
        s->diverge(diverged_error(
            fmt::format("the ledger holds records {}..{} of this node's audit chain, which its "
                        "log {} (durable through {}) does not have; shipping stopped, and the "
                        "node must not lead",
                        durable + 1, held, s->settings.log_path.string(), durable)));
        co_return step::stop;
    }
    s->log.rewind();
    if (held > 0) {
        auto mine = s->log.skip_through(held);
        if (!mine) {
            s->fail(mine.error());
            co_return step::retry;
        }
        if (*mine != tail->hash) {
            s->diverge(diverged_error(fmt::format(
                "the ledger holds another record at seq {} of this node's audit chain (hash {}, "
                "the log's is {}); shipping stopped, and the node must not lead",
                held, tail->hash, *mine)));
            co_return step::stop;
        }
    }
    s->acknowledge(tail->seq);
    s->status.state = shipper_state::shipping;
    co_return step::next;
}

// Ships the next batch of durable records, or waits for the writer when there is none.
asio::awaitable<step> ship_next(state_ptr s)
{
    const std::uint64_t durable = s->feed->durable.load();
    if (static_cast<std::uint64_t>(s->status.acknowledged) >= durable) {
        co_await wait_for_writer(s, milliseconds(60000));
        co_return step::next;
    }
    auto batch = s->log.read(durable, s->settings.batch_records);
    if (!batch) {
        s->fail(batch.error());
        co_return step::retry;
    }
    const std::int64_t last = batch->back().seq;
    auto shipped = co_await ledger::async_ship_audit(s->conn, s->settings.node, std::move(*batch));
    if (!shipped) {
        s->fail(shipped.error());
        co_return step::retry;
    }
    ++s->status.batches;
    s->succeeded();
    s->acknowledge(last);
    co_return step::next;
}

asio::awaitable<void> ship(state_ptr s)
{
    bool resumed = false;
    while (!co_await cancelled()) {
        if (!s->feed->known.load()) {
            s->status.state = shipper_state::waiting_for_log;
            co_await wait_for_writer(s, milliseconds(60000));
            continue;
        }
        const step next = resumed ? co_await ship_next(s) : co_await resume(s);
        if (next == step::stop) {
            s->conn.close();
            co_return;
        }
        if (next == step::retry) {
            resumed = false;
            if (co_await cancelled()) break;
            co_await back_off(s);
            continue;
        }
        resumed = true;
    }
    s->status.state = shipper_state::stopped;
    s->conn.close();
}

constexpr auto state_words = text::make_word_table<shipper_state>({
    {shipper_state::waiting_for_log, "waiting_for_log"},
    {shipper_state::resuming, "resuming"},
    {shipper_state::shipping, "shipping"},
    {shipper_state::retrying, "retrying"},
    {shipper_state::diverged, "diverged"},
    {shipper_state::stopped, "stopped"},
});

}  // namespace

std::string_view to_string(shipper_state s) noexcept
{
    return state_words.word(s, "unknown");
}

audit_shipper::audit_shipper(asio::any_io_executor executor, audit_shipper_settings settings,
                             acknowledged_handler on_acknowledged, diverged_handler on_diverged)
    : state_(std::make_shared<state>(executor, std::move(settings), std::move(on_acknowledged),
                                     std::move(on_diverged)))
{
}

audit_shipper::~audit_shipper() = default;

void audit_shipper::start(core::task_group& group)
{
    group.spawn("audit shipper", ship(state_));
}

void audit_shipper::notify_durable(std::uint64_t last_seq)
{
    durable_hook()(last_seq);
}

std::function<void(std::uint64_t)> audit_shipper::durable_hook() const
{
    return [feed = state_->feed, weak = std::weak_ptr<state>(state_),
            ex = state_->executor](std::uint64_t seq) {
        feed->advance(seq);
        // One wake in flight is enough: it reads the latest seq when it runs.
        if (feed->wake_posted.exchange(true)) return;
        asio::post(ex, [feed, weak] {
            feed->wake_posted.store(false);
            if (auto s = weak.lock()) s->wake.cancel();
        });
    };
}

bool audit_shipper::diverged() const
{
    return state_->has_diverged.load();
}

shipper_status audit_shipper::status() const
{
    auto out = state_->status;
    out.durable = state_->feed->durable.load();
    return out;
}

}  // namespace paymand::daemon
