// The engine's occurrence_gate on the PostgreSQL ledger (see ledger_gate.hpp).

#include "paymand/daemon/ledger_gate.hpp"

#include "paymand/engine/occurrence_machine.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/errc.hpp>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>

namespace paymand::daemon {

namespace asio = boost::asio;
using engine::claim_verdict;
using engine::gate_verdict;

gate_lease from_keeper(ledger::lease_keeper& keeper, std::string node)
{
    return {.node = std::move(node),
            .fence = [&keeper] { return keeper.current_fence(); },
            .note_refused = [&keeper] { keeper.note_refused_gate(); }};
}

namespace {

ledger::occurrence_state state_of(engine::ledger_end end)
{
    switch (end) {
    case engine::ledger_end::paid:
        return ledger::occurrence_state::paid;
    case engine::ledger_end::failed:
        return ledger::occurrence_state::failed;
    case engine::ledger_end::skipped:
        return ledger::occurrence_state::skipped;
    case engine::ledger_end::in_doubt:
        break;
    }
    return ledger::occurrence_state::in_doubt;
}

// The other nodes' payments as the engine counts them.
std::vector<engine::other_payment> others(std::vector<ledger::others_payment> rows)
{
    std::vector<engine::other_payment> out;
    out.reserve(rows.size());
    for (auto& row : rows) {
        std::optional<limits::payment_record> payment;
        if (row.payment)
            payment = limits::payment_record{.amount = row.payment->amount_minor,
                                             .currency = std::move(row.payment->currency),
                                             .payee = std::move(row.payment->payee),
                                             .instant = row.payment->due};
        out.push_back({std::move(row.identity), std::move(payment)});
    }
    return out;
}

struct waiter {
    asio::steady_timer timer;
    bool handed = false;  // the connection is this waiter's now
};

}  // namespace

struct ledger_gate::state {
    ledger::connection conn;
    ledger::connection_settings settings;
    gate_lease lease;
    asio::any_io_executor executor;
    bool busy = false;
    std::deque<std::shared_ptr<waiter>> waiters;
    // The fence that claimed each row this node holds: results and settles are its.
    std::map<std::string, ledger::fence, std::less<>> claims;
};

ledger_gate::ledger_gate(asio::any_io_executor executor, ledger::connection_settings settings,
                         gate_lease lease)
    : s_(std::make_unique<state>(state{.conn = ledger::connection(executor),
                                       .settings = std::move(settings),
                                       .lease = std::move(lease),
                                       .executor = executor}))
{
}

ledger_gate::~ledger_gate() = default;

ledger::connection& ledger_gate::connection() noexcept
{
    return s_->conn;
}

asio::awaitable<core::result<void, ledger::db_error>> ledger_gate::acquire()
{
    if (s_->busy) {
        auto w = std::make_shared<waiter>(
            waiter{asio::steady_timer(s_->executor, asio::steady_timer::time_point::max())});
        s_->waiters.push_back(w);
        boost::system::error_code ec;
        co_await w->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (!w->handed) {  // cancelled while waiting
            std::erase(s_->waiters, w);
            ledger::db_error cancelled{{.code = ledger::ledger_errc::cancelled,
                                        .message = "cancelled while waiting for the connection"}};
            co_return cancelled;
        }
    }
    s_->busy = true;
    if (s_->conn.is_open()) co_return core::result<void, ledger::db_error>{};
    auto connected = co_await s_->conn.async_connect(s_->settings);
    if (!connected) release();
    co_return connected;
}

void ledger_gate::release() noexcept
{
    if (s_->waiters.empty()) {
        s_->busy = false;
        return;
    }
    auto next = s_->waiters.front();
    s_->waiters.pop_front();
    next->handed = true;
    next->timer.cancel();
}

std::optional<std::chrono::milliseconds> connection_retry_delay(const ledger::db_error& e,
                                                                int attempt)
{
    using ledger::ledger_errc;
    const bool connection =
        e.code == ledger_errc::connect_failed || e.code == ledger_errc::connect_timeout ||
        e.code == ledger_errc::not_connected || e.code == ledger_errc::reply_timeout ||
        e.code == ledger_errc::connection_lost;
    if (!connection || attempt >= connection_attempts) return std::nullopt;
    // 50 ms doubling to 1 s: about 4 s in all, enough for a server's restart.
    return std::min(std::chrono::milliseconds(50 << std::min(attempt - 1, 5)),
                    std::chrono::milliseconds(1000));
}

asio::awaitable<bool> ledger_gate::pause_to_retry(std::string_view statement,
                                                  const std::string& identity,
                                                  const ledger::db_error& e, int attempt)
{
    const auto delay = connection_retry_delay(e, attempt);
    if (!delay) co_return false;
    spdlog::warn("ha: the {} of {} failed ({}); trying again in {} ms", statement, identity,
                 e.what(), delay->count());
    asio::steady_timer timer(s_->executor, *delay);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
}

// One claim. A failure of the connection is tried again, under the same term only (a new term
// released whatever the old one claimed): giving up would record the occurrence failed for want
// of a second's database. An attempt whose outcome was unknown may have committed, so a later
// "taken" is checked against the row: claimed by this term, it is this node's claim.
asio::awaitable<engine::claim_answer> ledger_gate::claim(std::string identity, std::string rule)
{
    const auto who = s_->lease.fence();
    if (!who)
        co_return engine::claim_answer{claim_verdict::not_leader,
                                       "this node does not hold the lease"};
    bool maybe_ours = false;
    for (int attempt = 1;; ++attempt) {
        auto claimed = co_await claim_once(*who, identity, rule, maybe_ours);
        if (claimed) {
            auto answer = answer_claim(identity, *who, *claimed);
            co_return answer;
        }
        engine::claim_answer failed{claim_verdict::failed, claimed.error().what()};
        if (!co_await pause_to_retry("claim", identity, claimed.error(), attempt)) co_return failed;
        if (const auto now = s_->lease.fence(); !now || now->epoch != who->epoch) {
            engine::claim_answer ended{
                claim_verdict::not_leader,
                fmt::format("the lease of epoch {} ended while its claim was tried again: {}",
                            who->epoch, failed.why)};
            co_return ended;
        }
    }
}

asio::awaitable<core::result<ledger::claim_outcome, ledger::db_error>>
ledger_gate::claim_once(const ledger::fence& who, const std::string& identity,
                        const std::string& rule, bool& maybe_ours)
{
    if (auto ready = co_await acquire(); !ready) co_return ready.error();
    auto claimed = co_await ledger::async_claim(s_->conn, who, identity, rule);
    if (claimed && *claimed == ledger::claim_outcome::taken && maybe_ours) {
        auto row = co_await ledger::async_read_occurrence(s_->conn, identity);
        if (!row)
            claimed = row.error();
        else if (*row && (*row)->node == who.node && (*row)->epoch == who.epoch &&
                 (*row)->state == ledger::occurrence_state::claimed)
            claimed = ledger::claim_outcome::claimed;
    }
    release();
    if (!claimed && claimed.error().outcome_unknown()) {
        // It may have committed: the row may be ours, to settle.
        maybe_ours = true;
        s_->claims.insert_or_assign(identity, who);
    }
    co_return claimed;
}

engine::claim_answer ledger_gate::answer_claim(const std::string& identity,
                                               const ledger::fence& who,
                                               ledger::claim_outcome outcome)
{
    switch (outcome) {
    case ledger::claim_outcome::claimed:
        s_->claims.insert_or_assign(identity, who);
        return {claim_verdict::claimed, {}};
    case ledger::claim_outcome::taken:
        return {claim_verdict::taken, "another claim holds it, or it was settled"};
    case ledger::claim_outcome::not_leader:
        break;
    }
    return {claim_verdict::not_leader,
            fmt::format("the lease of {} (epoch {}) is not current in the database", who.node,
                        who.epoch)};
}

asio::awaitable<engine::gate_answer> ledger_gate::open(std::string identity,
                                                       limits::payment_record payment)
{
    auto it = s_->claims.find(identity);
    const auto refuse = [&](std::string why) {
        s_->lease.note_refused();
        return engine::gate_answer{gate_verdict::refused, std::move(why)};
    };
    if (it == s_->claims.end()) co_return refuse("the row is not this node's claim");
    // A connection that cannot be made changed nothing: tried again (a restarting server) while
    // the window holds, which is checked before each attempt.
    for (int attempt = 1;; ++attempt) {
        if (auto now = s_->lease.fence(); !now || now->epoch != it->second.epoch)
            co_return refuse(fmt::format("the lease claimed with (epoch {}) is over or outside "
                                         "its trusted window",
                                         it->second.epoch));
        auto ready = co_await acquire();
        if (ready) break;
        engine::gate_answer failed{gate_verdict::failed, ready.error().what()};
        if (!co_await pause_to_retry("gate", identity, ready.error(), attempt)) co_return failed;
    }
    // Named first: GCC 12 mishandles a braced temporary in a co_await expression.
    auto pays = ledger::row_payment{.payee = payment.payee,
                                    .amount_minor = payment.amount,
                                    .currency = payment.currency,
                                    .due = payment.instant};
    auto opened = co_await ledger::async_open_gate(s_->conn, it->second, identity, pays);
    release();
    if (!opened)
        co_return engine::gate_answer{opened.error().outcome_unknown() ? gate_verdict::unknown
                                                                       : gate_verdict::failed,
                                      opened.error().what()};
    if (!*opened)
        co_return refuse(fmt::format("the database refused epoch {}: not the current lease, or "
                                     "the row is not this node's claim",
                                     it->second.epoch));
    // Committed: the row is `sending`. Just before the request is written, the window again.
    if (auto after = s_->lease.fence(); !after || after->epoch != it->second.epoch)
        co_return engine::gate_answer{gate_verdict::withdrawn,
                                      "the lease's trusted window ran out right after it"};
    co_return engine::gate_answer{gate_verdict::passed, {}};
}

// A result, tried again after failures of the connection (the request is out: its truth must
// reach the row, else the row stays `sending` until a takeover that may never come).
asio::awaitable<engine::ledger_answer> ledger_gate::record(std::string identity,
                                                           engine::ledger_end end)
{
    auto it = s_->claims.find(identity);
    if (it == s_->claims.end()) co_return engine::ledger_answer{false, "not this node's row"};
    const auto who = it->second;
    auto recorded =
        co_await run_statement("result", &ledger::async_record_result, who, identity, end);
    if (!recorded) {
        engine::ledger_answer failed{false, recorded.error().what()};
        co_return failed;
    }
    if (!*recorded) {
        engine::ledger_answer refused{false, "the row is not this node's send, or it ended"};
        co_return refused;
    }
    s_->claims.erase(identity);
    engine::ledger_answer done{true, {}};
    co_return done;
}

// A claim ended without a send, tried again like a result (the statement is fenced: a node that
// lost its lease is refused, and the takeover releases the row instead).
asio::awaitable<engine::ledger_answer> ledger_gate::settle_unsent(std::string identity,
                                                                  engine::ledger_end end)
{
    auto it = s_->claims.find(identity);
    if (it == s_->claims.end()) co_return engine::ledger_answer{false, "not this node's claim"};
    const auto who = it->second;
    s_->claims.erase(it);
    auto settled =
        co_await run_statement("settlement", &ledger::async_settle_unsent, who, identity, end);
    if (!settled) {
        engine::ledger_answer failed{false, settled.error().what()};
        co_return failed;
    }
    engine::ledger_answer answer{*settled, *settled ? std::string()
                                                    : "refused: not this node's claim, or its "
                                                      "lease is not current"};
    co_return answer;
}

asio::awaitable<core::result<bool, ledger::db_error>>
ledger_gate::run_statement(std::string_view name, statement_fn statement, const ledger::fence& who,
                           const std::string& identity, engine::ledger_end end)
{
    for (int attempt = 1;; ++attempt) {
        core::result<bool, ledger::db_error> done = ledger::db_error{};
        if (auto ready = co_await acquire(); !ready) {
            done = ready.error();
        } else {
            done = co_await statement(s_->conn, who, identity, state_of(end));
            release();
        }
        if (done) co_return done;
        if (!co_await pause_to_retry(name, identity, done.error(), attempt)) co_return done;
    }
}

asio::awaitable<core::result<std::vector<std::string>>> ledger_gate::own_in_doubt()
{
    if (auto ready = co_await acquire(); !ready)
        co_return core::error{.code = ready.error().code, .message = ready.error().what()};
    auto read = co_await ledger::async_read_in_doubt(s_->conn, s_->lease.node);
    release();
    if (!read) co_return core::error{.code = read.error().code, .message = read.error().what()};
    co_return std::move(*read);
}

asio::awaitable<engine::ledger_answer> ledger_gate::settle_in_doubt(std::string identity,
                                                                    engine::ledger_end end)
{
    if (auto ready = co_await acquire(); !ready) {
        engine::ledger_answer failed{false, ready.error().what()};
        co_return failed;
    }
    auto settled = co_await ledger::async_settle_in_doubt(s_->conn, s_->lease.node,
                                                          std::move(identity), state_of(end));
    release();
    if (!settled) {
        engine::ledger_answer failed{false, settled.error().what()};
        co_return failed;
    }
    engine::ledger_answer answer{*settled,
                                 *settled ? std::string() : "the row is no longer in doubt there"};
    co_return answer;
}

asio::awaitable<core::result<std::vector<engine::rule_progress>>> ledger_gate::progress()
{
    const auto failed = [](const ledger::db_error& e) {
        return core::error{.code = e.code,
                           .message =
                               "the shared ledger's progress could not be read: " + e.what()};
    };
    // The reader's name leaves its own payments out of the others' (its audit log has them).
    const auto who = s_->lease.fence();
    if (!who) {
        core::error not_leading{
            .code = make_error_code(boost::system::errc::operation_not_permitted),
            .message = "the shared ledger's progress is read only while leading, and this node "
                       "no longer leads"};
        co_return not_leading;
    }
    if (auto ready = co_await acquire(); !ready) co_return failed(ready.error());
    auto read = co_await ledger::async_read_progress(s_->conn, std::string(engine::manual_suffix),
                                                     who->node);
    release();
    if (!read) co_return failed(read.error());
    std::vector<engine::rule_progress> out;
    out.reserve(read->size());
    for (auto& r : *read)
        out.push_back(
            engine::rule_progress{.rule = std::move(r.rule),
                                  .latest = std::move(r.latest),
                                  .released = std::move(r.released),
                                  .others_paid = others(std::move(r.others_paid)),
                                  .others_in_doubt = others(std::move(r.others_in_doubt))});
    co_return out;
}

}  // namespace paymand::daemon
