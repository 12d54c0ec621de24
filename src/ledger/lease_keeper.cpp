#include "paymand/ledger/lease_keeper.hpp"

#include "paymand/ledger/lease.hpp"
#include "paymand/ledger/schema.hpp"
#include "paymand/text/word_table.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace paymand::ledger {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using namespace std::chrono_literals;

struct lease_keeper::state {
    asio::any_io_executor executor;
    keeper_settings settings;
    lost_handler on_lost;
    gained_handler on_gained;
    std::shared_ptr<const core::clock> clock;
    connection conn;
    keeper_status status;
    steady_clock::time_point trust_until{};
    steady_clock::time_point next_renewal{};
    std::int64_t last_acquired = 0;  // the last term acquired in this run, for the release
    bool stop_requested = false;
    bool ended = false;
    bool connect_failure_logged = false;

    state(asio::any_io_executor ex, keeper_settings s, lost_handler lost,
          std::shared_ptr<const core::clock> c)
        : executor(ex), settings(std::move(s)), on_lost(std::move(lost)), clock(std::move(c)),
          conn(ex)
    {
        status.highest_epoch = settings.memory.highest_epoch;
    }

    bool leading(steady_clock::time_point now) const
    {
        return status.role == keeper_role::leader && now < trust_until;
    }

    // The lease is gone for this node: say so first, then act.
    void lose(loss_reason reason)
    {
        if (status.role != keeper_role::leader) return;
        status.role = reason == loss_reason::stopped ? keeper_role::stopped : keeper_role::standby;
        trust_until = {};
        ++status.losses;
        if (reason == loss_reason::stopped)
            spdlog::info("ha: node {} steps down from epoch {}", settings.identity.node,
                         status.epoch);
        else
            spdlog::error("ha: node {} lost the lease of epoch {}: {}", settings.identity.node,
                          status.epoch, to_string(reason));
        if (on_lost) on_lost(status.epoch, reason);
    }

    void become_leader(steady_clock::time_point sent, const lease_grant& grant)
    {
        status.role = keeper_role::leader;
        status.epoch = grant.epoch;
        status.highest_epoch = std::max(status.highest_epoch, grant.epoch);
        ++status.takeovers;
        trust_until = sent + grant.remaining - settings.safety_margin;
        next_renewal = sent + settings.renew;
        spdlog::info("ha: node {} leads with epoch {} ({} claims released, {} sends put in "
                     "doubt)",
                     settings.identity.node, grant.epoch, grant.released, grant.in_doubt);
        if (on_gained) on_gained(grant.epoch);
    }

    void set_not_eligible(std::string reason)
    {
        if (reason != status.not_eligible)
            spdlog::error("ha: node {} does not campaign for the lease: {}", settings.identity.node,
                          reason);
        status.not_eligible = std::move(reason);
        status.role = keeper_role::not_eligible;
    }

    void set_eligible()
    {
        if (!status.not_eligible.empty())
            spdlog::info("ha: node {} may campaign for the lease again", settings.identity.node);
        status.not_eligible.clear();
    }
};

namespace {

using state_ptr = std::shared_ptr<lease_keeper::state>;

// How long to wait before trying again after a failed statement or connect.
milliseconds retry_delay(const keeper_settings& s)
{
    return std::max(milliseconds(20), s.renew / 4);
}

asio::awaitable<bool> cancelled()
{
    auto cs = co_await asio::this_coro::cancellation_state;
    co_return cs.cancelled() != asio::cancellation_type::none;
}

// Waits until `until`, a stop request, or (when not leader) a notification on the lease channel,
// whichever comes first, in slices short enough that a stop is seen at once. A broken
// connection ends the wait too (the keeper reconnects).
asio::awaitable<void> idle(state_ptr s, steady_clock::time_point until)
{
    asio::steady_timer timer(s->executor);
    for (;;) {
        const auto now = steady_clock::now();
        if (s->stop_requested || now >= until) co_return;
        const auto slice =
            std::min<milliseconds>(std::chrono::ceil<milliseconds>(until - now), milliseconds(100));
        if (!s->conn.is_open()) {
            timer.expires_after(slice);
            auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            continue;
        }
        auto heard = co_await s->conn.async_wait_notification(slice);
        if (!heard) co_return;
        if (heard->has_value() && s->status.role != keeper_role::leader) co_return;
    }
}

asio::awaitable<core::result<void, db_error>> connect_and_listen(state_ptr s)
{
    auto settings = s->settings.connection;
    auto connected = co_await s->conn.async_connect(std::move(settings));
    if (!connected) co_return connected.error();
    auto listening = co_await s->conn.async_query("LISTEN " + std::string(lease_channel));
    if (!listening) co_return listening.error();
    co_return core::result<void, db_error>{};
}

// Why the node must not campaign now (nullopt: it may), from the database's answers.
asio::awaitable<core::result<std::optional<std::string>, db_error>> check_eligibility(state_ptr s)
{
    eligibility_facts facts{.max_clock_skew = s->settings.max_clock_skew};
    auto version = co_await async_schema_version(s->conn);
    if (!version) co_return version.error();
    facts.schema = judge_schema_version(*version, known_schema_version());
    if (facts.schema) co_return judge_eligibility(facts);

    auto position = co_await async_read_position(s->conn, s->settings.identity.node);
    if (!position) co_return position.error();
    auto memory = s->settings.memory;
    memory.highest_epoch = std::max(memory.highest_epoch, s->status.highest_epoch);
    facts.history = judge_continuity(*position, memory);
    if (facts.history == continuity::intact)
        s->status.highest_epoch = std::max(s->status.highest_epoch, position->epoch);

    const auto sent = s->clock->wall_now();
    auto published = co_await async_publish_node(s->conn, s->settings.identity, s->settings.lease);
    if (!published) co_return published.error();
    facts.clock = clock_reading{
        .sent = sent, .answered = s->clock->wall_now(), .database = published->database_time};
    s->status.clock_skew = clock_skew(*facts.clock);
    facts.differing = std::move(published->differing);
    co_return judge_eligibility(facts);
}

// One renewal of the term held; retried by the caller until the window runs out.
asio::awaitable<void> renew(state_ptr s)
{
    const auto sent = steady_clock::now();
    auto renewed = co_await async_renew_lease(s->conn, s->settings.identity.node, s->status.epoch,
                                              s->settings.lease);
    if (s->status.role != keeper_role::leader) co_return;  // the window ran out meanwhile
    if (!renewed) {
        spdlog::warn("ha: node {} could not renew epoch {} ({}); retrying inside the window",
                     s->settings.identity.node, s->status.epoch, renewed.error().what());
        s->next_renewal = steady_clock::now() + retry_delay(s->settings);
        co_return;
    }
    if (!renewed->has_value()) {
        ++s->status.refused_renewals;
        s->lose(loss_reason::renewal_refused);
        co_return;
    }
    s->trust_until = sent + **renewed - s->settings.safety_margin;
    s->next_renewal = sent + s->settings.renew;
    // The node stays alive in the node table with its rule set and policy.
    auto published = co_await async_publish_node(s->conn, s->settings.identity, s->settings.lease);
    if (!published)
        spdlog::warn("ha: node {} could not publish itself: {}", s->settings.identity.node,
                     published.error().what());
}

// Not leader: check eligibility, then campaign once.
asio::awaitable<void> campaign(state_ptr s)
{
    auto verdict = co_await check_eligibility(s);
    if (!verdict) {
        spdlog::warn("ha: node {} could not check its eligibility: {}", s->settings.identity.node,
                     verdict.error().what());
        co_await idle(s, steady_clock::now() + retry_delay(s->settings));
        co_return;
    }
    if (*verdict) {
        s->set_not_eligible(std::move(**verdict));
        co_await idle(s, steady_clock::now() + s->settings.renew);
        co_return;
    }
    s->set_eligible();
    const auto sent = steady_clock::now();
    auto got = co_await async_acquire_lease(s->conn, s->settings.identity.node, s->settings.lease);
    if (!got) {
        spdlog::warn("ha: node {} could not campaign: {}", s->settings.identity.node,
                     got.error().what());
        co_await idle(s, steady_clock::now() + retry_delay(s->settings));
        co_return;
    }
    if (got->has_value()) {
        s->last_acquired = (*got)->epoch;
        // Acquired while stop() was asked: never lead, the release follows at once.
        if (!s->stop_requested) s->become_leader(sent, **got);
        co_return;
    }
    s->status.role = keeper_role::standby;
    co_await idle(s, steady_clock::now() + s->settings.renew);
}

// The graceful end: release the last term acquired (NOTIFY; nothing happens when it is over
// already) and retire the node's row.
asio::awaitable<void> step_down(state_ptr s)
{
    const auto held = s->last_acquired;
    if (!s->conn.is_open()) co_return;
    if (held > 0) {
        auto released = co_await async_release_lease(s->conn, s->settings.identity.node, held);
        if (!released)
            spdlog::warn("ha: node {} could not release epoch {}: {}", s->settings.identity.node,
                         held, released.error().what());
    }
    auto retired = co_await async_retire_node(s->conn, s->settings.identity.node);
    if (!retired)
        spdlog::warn("ha: node {} could not retire its row: {}", s->settings.identity.node,
                     retired.error().what());
}

// However the keeper's task ends (stop, cancellation, an exception), the node is no longer
// leader and says so.
struct keeper_end {
    state_ptr s;
    explicit keeper_end(state_ptr p) : s(std::move(p)) {}
    keeper_end(const keeper_end&) = delete;
    keeper_end& operator=(const keeper_end&) = delete;
    ~keeper_end()
    {
        s->lose(loss_reason::stopped);
        s->status.role = keeper_role::stopped;
        s->conn.close();
        s->ended = true;
    }
};

asio::awaitable<void> keep(state_ptr s)
{
    const keeper_end end{s};
    while (!s->stop_requested && !co_await cancelled()) {
        if (!s->conn.is_open()) {
            if (s->status.role != keeper_role::leader) s->status.role = keeper_role::starting;
            auto connected = co_await connect_and_listen(s);
            if (!connected) {
                if (!s->connect_failure_logged)
                    spdlog::error("ha: node {} cannot reach the ledger: {}",
                                  s->settings.identity.node, connected.error().what());
                s->connect_failure_logged = true;
                s->conn.close();
                co_await idle(s, steady_clock::now() + retry_delay(s->settings));
                continue;
            }
            s->connect_failure_logged = false;
        }
        if (s->status.role == keeper_role::leader) {
            co_await idle(s, s->next_renewal);
            if (s->stop_requested || s->status.role != keeper_role::leader) continue;
            co_await renew(s);
            continue;
        }
        co_await campaign(s);
    }
    s->lose(loss_reason::stopped);
    s->status.role = keeper_role::stopped;
    if (s->stop_requested && !co_await cancelled()) co_await step_down(s);
}

// Takes the lease away the moment the trusted window ends, whatever the keeper is waiting for.
asio::awaitable<void> watch_window(state_ptr s)
{
    asio::steady_timer timer(s->executor);
    while (!s->ended) {
        const auto now = steady_clock::now();
        if (s->status.role == keeper_role::leader && now >= s->trust_until) {
            s->lose(loss_reason::window_ran_out);
            continue;
        }
        auto next = now + milliseconds(100);
        if (s->status.role == keeper_role::leader) next = std::min(next, s->trust_until);
        timer.expires_at(next);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
    }
}

}  // namespace

namespace {

constexpr auto role_words = text::make_word_table<keeper_role>({
    {keeper_role::starting, "starting"},
    {keeper_role::standby, "standby"},
    {keeper_role::leader, "leader"},
    {keeper_role::not_eligible, "not_eligible"},
    {keeper_role::stopped, "stopped"},
});

}  // namespace

std::string_view to_string(keeper_role role) noexcept
{
    return role_words.word(role, "unknown");
}

std::string_view to_string(loss_reason reason) noexcept
{
    switch (reason) {
    case loss_reason::renewal_refused:
        return "the database refused the renewal (the term expired or another node took it)";
    case loss_reason::window_ran_out:
        return "no renewal succeeded within the trusted window";
    case loss_reason::stopped:
        return "stopped";
    }
    return "unknown";
}

lease_keeper::lease_keeper(asio::any_io_executor executor, keeper_settings settings,
                           lost_handler on_lost, std::shared_ptr<const core::clock> clock)
    : state_(std::make_shared<state>(executor, std::move(settings), std::move(on_lost),
                                     std::move(clock)))
{
}

lease_keeper::~lease_keeper()
{
    // Tasks that outlive the keeper (an io_context destroyed with them) call no one back.
    state_->on_lost = nullptr;
    state_->on_gained = nullptr;
}

void lease_keeper::on_gained(gained_handler handler)
{
    state_->on_gained = std::move(handler);
}

void lease_keeper::start(core::task_group& group)
{
    group.spawn("lease keeper", keep(state_));
    group.spawn("lease window", watch_window(state_));
}

void lease_keeper::stop()
{
    state_->stop_requested = true;
    state_->lose(loss_reason::stopped);
}

bool lease_keeper::is_leader() const
{
    return state_->leading(steady_clock::now());
}

std::optional<fence> lease_keeper::current_fence() const
{
    if (!is_leader()) return std::nullopt;
    return fence{.node = state_->settings.identity.node, .epoch = state_->status.epoch};
}

milliseconds lease_keeper::trust_remaining() const
{
    const auto now = steady_clock::now();
    if (!state_->leading(now)) return milliseconds(0);
    return std::chrono::duration_cast<milliseconds>(state_->trust_until - now);
}

keeper_status lease_keeper::status() const
{
    auto out = state_->status;
    out.lease_remaining = trust_remaining();
    if (out.role == keeper_role::leader && out.lease_remaining <= milliseconds(0))
        out.role = keeper_role::standby;  // the window ended; the watch says so in a moment
    return out;
}

void lease_keeper::note_refused_gate()
{
    ++state_->status.refused_gates;
}

}  // namespace paymand::ledger
