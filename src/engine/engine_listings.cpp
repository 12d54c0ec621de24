// Transaction listings: confirmation of completed payments and reconciliation of payments
// in doubt.

#include "engine/engine_impl.hpp"
#include "engine/engine_leadership.hpp"
#include "paymand/engine/reconcile.hpp"
#include "paymand/money/amount.hpp"
#include "paymand/prompt/memo_tag.hpp"
#include "paymand/reply/transactions.hpp"
#include "paymand/schedule/identity.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace paymand::engine {

// Looks for each in-doubt payment in a recent transaction listing: a listed transaction
// with the occurrence's memo tag, amount and payee proves it was paid, and settles that
// occurrence only. Absence proves nothing (the listing may be short or late): it is
// recorded once per occurrence as evidence and the occurrence stays in doubt.
asio::awaitable<void> engine::impl::reconcile_once()
{
    std::vector<const audit::occurrence_status*> doubts;
    for (const auto* o : state.in_doubt())
        if (o->state == audit::occurrence_state::in_doubt && o->payment) doubts.push_back(o);
    if (doubts.empty() || !payman) co_return;
    auto text = params.prompts.render_transactions(params.settings.reconcile_transactions);
    if (!text) co_return;
    auto deadline = clk.wall_now() + params.settings.occurrence_timeout;
    auto attempt = co_await read_with_retry(*text, listing_options("reconcile"), deadline);
    if (!attempt.outcome) {
        log->warn("reconciliation: the transaction listing failed: {}",
                  attempt.outcome.error().what());
        co_return;
    }
    const auto reply_text = attempt.outcome->reply_text();
    const auto entries = reply::read_transactions(reply_text);
    std::vector<const audit::occurrence_status*> looked_up;
    std::vector<sought_payment> sought;
    for (const auto* o : doubts) {
        auto tag = reconcile_tag(*o);
        if (!tag) {
            log->error("{}: cannot be reconciled: its identity does not parse", o->ref.occurrence);
            continue;
        }
        looked_up.push_back(o);
        sought.push_back({*tag, o->payment->amount, o->payment->payee});
    }
    const auto matches = match_listed(entries, sought);
    std::vector<audit::record_body> records;
    for (std::size_t i = 0; i < looked_up.size(); ++i) {
        const auto* o = looked_up[i];
        if (matches[i]) {
            log->info("{}: reconciled: the transaction listing shows it paid", o->ref.occurrence);
            records.push_back(audit::reconciled_record{
                .ref = o->ref,
                .result = audit::reconcile_outcome::paid,
                .transaction_id = std::nullopt,
                .evidence =
                    audit::make_excerpt(listed_line(reply_text, entries[*matches[i]].line))});
        } else if (!o->not_found_recorded) {
            records.push_back(audit::reconciled_record{
                .ref = o->ref,
                .result = audit::reconcile_outcome::not_found,
                .transaction_id = std::nullopt,
                .evidence =
                    fmt::format("none of the {} listed transaction(s) has the tag {} with {} to {}",
                                entries.size(), prompt::format_memo_tag(sought[i].tag),
                                money::format_with_code(o->payment->amount), o->payment->payee)});
        }
    }
    if (!records.empty()) co_await append(std::move(records));
}

// The tag an in-doubt occurrence's payment carried; a manual run's identity is the
// scheduled form plus "~manual".
std::optional<prompt::memo_tag> engine::impl::reconcile_tag(const audit::occurrence_status& o)
{
    auto id = parse_identity(o.ref.occurrence);
    if (!id) return std::nullopt;
    return occurrence_tag(o.ref.rule, id->local, o.ref.occurrence.ends_with(manual_suffix));
}

// A transaction listing's options: its own idempotency key, fresh for each listing (a
// repeated key would be answered with the first listing) and reused by its retries.
payman::ask_options engine::impl::listing_options(std::string_view purpose)
{
    payman::ask_options options;
    options.idempotency_key =
        derive_key(fmt::format("{}\nlisting {}\n{}", params.client_id, purpose, rng()));
    return options;
}

std::uint64_t engine::impl::confirm_depth() const
{
    const std::uint64_t oldest = unsettled.empty() ? 0 : payments_back - *unsettled.begin() + 1;
    return oldest + payments_sending;
}

// How deep the oldest unsettled payment may lie before new payments wait: within a
// listing's reach, and within the count of every listing being read.
std::uint64_t engine::impl::gate_limit() const
{
    if (listing_caps.empty()) return confirm_window;
    return std::min<std::uint64_t>(confirm_window,
                                   static_cast<std::uint64_t>(*listing_caps.begin()));
}

// Before a payment is sent: a burst must not push the payments still to be confirmed out
// of every listing's reach, so it waits (asking for a listing at once) until they are
// settled. Confirmation keeps up with one listing per ~40 payments.
asio::awaitable<void> engine::impl::wait_for_confirmations()
{
    if (!confirming()) co_return;
    while (confirm_depth() + 1 > gate_limit() && !stopping) {
        ++confirm_gate_waiters;
        confirm_timer.cancel();
        co_await confirm_progress.wait();
        --confirm_gate_waiters;
    }
}

bool engine::impl::confirming() const
{
    return payman && !params.dry_run && params.settings.confirm_payments;
}

void engine::impl::await_confirmation(step::await_confirmation payment, std::uint64_t seq)
{
    if (!confirming()) return;
    enqueue_confirmation(awaiting_payment{.ref = std::move(payment.ref),
                                          .sought = std::move(payment.sought),
                                          .listings = 0,
                                          .completed_seq = seq});
    unsettled.insert(seq);
}

void engine::impl::enqueue_confirmation(awaiting_payment p)
{
    awaiting.push_back(
        {std::move(p), std::chrono::steady_clock::now() + params.settings.confirm_delay});
    // Wake the loop when there was nothing to wait for, or a listing's worth is waiting.
    if (awaiting.size() == 1 || awaiting.size() >= confirm_batch) confirm_timer.cancel();
}

// At start: completed payments of the last two days that no listing settled yet (the
// daemon stopped before it could confirm them).
void engine::impl::queue_unsettled_confirmations()
{
    if (!confirming()) return;
    const auto since = to_seconds(clk.wall_now()) - std::chrono::days(2);
    for (const auto* o : state.awaiting_confirmation(since)) {
        auto tag = reconcile_tag(*o);
        if (!tag || !o->payment) continue;
        enqueue_confirmation(
            awaiting_payment{.ref = o->ref,
                             .sought = {*tag, o->payment->amount, o->payment->payee},
                             .listings = 0,
                             .completed_seq = ++payments_back});
        unsettled.insert(payments_back);
    }
}

// Takes the payments a listing may look up now, at most a batch: those due, and payments no
// listing looked for yet at once while a full batch of them waits or payments wait at the gate
// for them. One a listing missed always waits engine.confirm_delay (the listing may be late):
// looked up again with the next full batch, its attempts would all fall within one burst's few
// milliseconds.
std::vector<awaiting_payment> engine::impl::take_ready_confirmations()
{
    const auto fresh = [](const awaiting_entry& e) { return e.payment.listings == 0; };
    const bool hurry = confirm_gate_waiters > 0 ||
                       static_cast<std::size_t>(
                           std::count_if(awaiting.begin(), awaiting.end(), fresh)) >= confirm_batch;
    const auto now = std::chrono::steady_clock::now();
    std::vector<awaiting_payment> ready;
    for (auto it = awaiting.begin(); it != awaiting.end() && ready.size() < confirm_batch;) {
        if (it->due > now && !(hurry && fresh(*it))) {
            ++it;
            continue;
        }
        ready.push_back(std::move(it->payment));
        it = awaiting.erase(it);
    }
    return ready;
}

// One listing for the payments ready now: confirmed, mismatch or unconfirmed records for
// those it settles; the others are looked up again after confirm_delay.
asio::awaitable<void> engine::impl::confirm_round(std::vector<awaiting_payment> queue)
{
    struct round {
        impl& d;
        explicit round(impl& i) : d(i) { ++d.confirm_rounds; }
        ~round()
        {
            --d.confirm_rounds;
            d.confirm_progress.notify_all();
        }
    } counted(*this);
    co_await confirm_listing(std::move(queue));
}

asio::awaitable<void> engine::impl::confirm_listing(std::vector<awaiting_payment> queue)
{
    auto plan = plan_listing(queue, confirm_batch, payments_back, payments_sending,
                             params.settings.concurrency, params.settings.reconcile_transactions);
    std::vector<std::uint64_t> looked_up;
    for (const auto* group : {&plan.batch, &plan.out_of_reach})
        for (const auto& p : *group) looked_up.push_back(p.completed_seq);
    auto records = unreachable(plan.out_of_reach);
    const auto max = params.settings.confirm_attempts;
    if (!plan.batch.empty()) {
        auto text = params.prompts.render_transactions(plan.count);
        confirmation_round round;
        if (!text) {
            round = settle_without_listing(std::move(plan.batch), text.error().message, max);
        } else {
            const auto deadline = clk.wall_now() + params.settings.occurrence_timeout;
            // While it is read, payments that would push this batch deeper than the
            // listing reaches wait at the gate.
            const auto cap = listing_caps.insert(plan.count - listing_slack);
            auto attempt = co_await read_with_retry(*text, listing_options("confirm"), deadline);
            listing_caps.erase(cap);
            if (attempt.outcome) {
                const auto reply_text = attempt.outcome->reply_text();
                const auto entries = reply::read_transactions(reply_text);
                round = settle_listing(std::move(plan.batch), entries, reply_text, max);
            } else {
                const auto why = attempt.outcome.error().what();
                log->warn("confirmation: the transaction listing failed: {}", why);
                round = settle_without_listing(std::move(plan.batch), why, max);
            }
        }
        for (auto& r : round.records) records.push_back(std::move(r));
        for (auto& p : round.again) enqueue_confirmation(std::move(p));
    }
    if (!records.empty() && !co_await append(std::move(records)))
        log->error("confirmation: the outcome could not be recorded; the payments are "
                   "looked up again at the next start");
    // Settled (or left to the next start): no longer holding new payments back. Those
    // looked up again keep their place.
    std::multiset<std::uint64_t> again;
    for (const auto& e : awaiting) again.insert(e.payment.completed_seq);
    for (auto seq : looked_up)
        if (!again.contains(seq))
            if (auto it = unsettled.find(seq); it != unsettled.end()) unsettled.erase(it);
}

// Confirms payments as they become due, for as long as the engine runs.
asio::awaitable<void> engine::impl::confirm_loop()
{
    auto self = shared_from_this();
    confirm_loop_running = true;
    while (!stopping) {
        if (auto ready = take_ready_confirmations(); !ready.empty()) {
            co_await confirm_round(std::move(ready));
            continue;
        }
        confirm_timer.expires_at(awaiting.empty() ? std::chrono::steady_clock::time_point::max()
                                                  : awaiting.front().due);
        co_await confirm_timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    confirm_loop_running = false;
}

// Until every awaiting payment is settled (`trigger`, tests), running rounds itself when
// no loop does, and waiting for each payment to be due.
asio::awaitable<void> engine::impl::settle_confirmations()
{
    while ((!awaiting.empty() || confirm_rounds > 0) && !stopping) {
        if (confirm_rounds > 0) {
            co_await confirm_progress.wait();
        } else if (auto ready = take_ready_confirmations(); !ready.empty()) {
            co_await confirm_round(std::move(ready));
        } else {
            asio::steady_timer until(executor, awaiting.front().due);
            co_await until.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }
}

namespace {

// How a row in doubt ends in the shared ledger, from this node's audit log: nothing while the
// log is not sure either.
std::optional<ledger_end> settled_end(audit::occurrence_state state)
{
    switch (state) {
    case audit::occurrence_state::completed:
    case audit::occurrence_state::confirmed:
    case audit::occurrence_state::resolved_paid:
    case audit::occurrence_state::reconciled_paid:
        return ledger_end::paid;
    case audit::occurrence_state::failed:
    case audit::occurrence_state::resolved_not_paid:
        return ledger_end::failed;
    default:
        return std::nullopt;
    }
}

}  // namespace

asio::awaitable<void> settle_doubts_in_ledger(engine::impl& d)
{
    if (d.params.gate == nullptr || d.params.dry_run) co_return;
    auto rows = co_await d.params.gate->own_in_doubt();
    if (!rows) {
        d.log->warn("shared ledger: this node's rows in doubt could not be read ({}); tried "
                    "again at the next reconciliation pass",
                    rows.error().message);
        co_return;
    }
    for (const auto& identity : *rows) {
        const auto* o = d.state.find(identity);
        const auto end = o != nullptr ? settled_end(o->state) : std::nullopt;
        if (!end) continue;
        const auto state = o->state;
        auto answer = co_await d.params.gate->settle_in_doubt(identity, *end);
        if (answer.done)
            d.log->info("{}: its row in the shared ledger is settled as this node's audit log "
                        "says ({})",
                        identity, audit::to_string(state));
        else
            d.log->warn("{}: {} in this node's audit log, but its row in the shared ledger stays "
                        "in doubt ({}); tried again at the next reconciliation pass",
                        identity, audit::to_string(state), answer.why);
    }
}

asio::awaitable<void> engine::impl::reconcile_loop()
{
    auto self = shared_from_this();
    asio::steady_timer next(executor);
    // At start too: a crash may have left payments in doubt.
    while (!stopping) {
        co_await reconcile_once();
        co_await settle_doubts_in_ledger(*this);
        next.expires_after(params.settings.reconcile_interval);
        co_await next.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

void engine::impl::stop()
{
    if (stopping) return;
    stopping = true;
    clk.interrupt();
    leadership.timer.cancel();
    // The loops have nothing a stop would lose: a listing is asked again at the next start.
    loops.cancel(asio::cancellation_type::terminal);
    confirm_progress.notify_all();
}

}  // namespace paymand::engine
