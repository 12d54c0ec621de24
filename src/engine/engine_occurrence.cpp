// The driver of one occurrence: performs the steps its machine asks for, nothing more.

#include "engine/engine_impl.hpp"
#include "paymand/core/crash_point.hpp"
#include "paymand/engine/backoff.hpp"

#include <boost/asio/post.hpp>

namespace paymand::engine {

// True when the rule of `t` was changed or removed since `t` was planned.
bool engine::impl::definition_replaced(const task& t) const
{
    auto it = slots.find(t.rule->id);
    return it == slots.end() || it->second.rule->content_hash != t.rule->content_hash;
}

audit::occurrence_ref engine::impl::ref_of(const task& t) const
{
    return {t.rule->id, t.identity, t.occ.instant};
}

asio::awaitable<engine::impl::ask_attempt>
engine::impl::read_with_retry(std::string text, payman::ask_options options, sys_time deadline)
{
    unsigned attempts = 0;
    options.read_only = true;
    for (;;) {
        ++attempts;
        auto outcome = co_await payman->async_ask(text, options);
        if (outcome || stopping) co_return ask_attempt{std::move(outcome), attempts};
        auto delay = retry_delay(params.settings.retry, outcome.error(), attempts, true,
                                 clk.wall_now(), deadline, draw());
        if (!delay) co_return ask_attempt{std::move(outcome), attempts};
        log->warn("transaction listing failed ({}); retrying in {} ms", outcome.error().what(),
                  delay->count());
        co_await sleep_real(*delay);
    }
}

void engine::impl::reserve(const std::string& identity, limits::payment_record r)
{
    ledger.add(r);
    reservations.emplace(identity, std::move(r));
}

// The reservation ends: the intent is durable (the projection counts it from now on, and
// the ledger keeps the amount), or it never will be (the amount is taken back).
void engine::impl::release(const std::string& identity)
{
    auto it = reservations.find(identity);
    if (it == reservations.end()) return;
    if (!state.handled(identity) || !state.find(identity)->payment) ledger.remove(it->second);
    reservations.erase(it);
}

occurrence_context engine::impl::context_of(const task& t) const
{
    return {.rule = *t.rule,
            .occ = t.occ,
            .identity = t.identity,
            .manual = t.manual,
            .settings = params.settings,
            .policy = params.policy,
            .prompts = params.prompts,
            .client_id = params.client_id,
            .dry_run = params.dry_run,
            .has_payman = payman != nullptr,
            .assumed = params.assumed ? &*params.assumed : nullptr,
            .confirm = confirming(),
            .shared_ledger = params.gate != nullptr && !params.dry_run,
            .state = state,
            .ledger = ledger};
}

// Drives one occurrence's machine: performs each step it asks for, nothing more.
// A bug, or the cancellation that ends the grace period, unwinds it: the audit state decides
// what a restart does (an intent without a result is in doubt, never sent again).
asio::awaitable<void> engine::impl::run_occurrence(task t)
{
    auto place = co_await concurrency.acquire();
    occurrence_machine machine(context_of(t));
    occurrence_driver driver{*this, t.identity, std::move(place)};
    auto next = machine.start(moment(), definition_replaced(t));
    while (!std::holds_alternative<step::done>(next)) {
        auto outcome = co_await driver.perform(std::move(next));
        next = machine.resume(std::move(outcome), moment());
    }
}

// A read that every occurrence due at one moment asks (the balance of the wallet they pay
// from) is asked once for all of them: each member joined before the ask went, so each sees a
// balance read after it asked, as its own ask would have. The first asker's ask goes, with its
// keys; those who ask in the same turn of the engine's thread (handlers already ready: a
// firing pass, the occurrences one audit commit released) wait for its answer.
struct engine::impl::read_group {
    explicit read_group(asio::any_io_executor ex) : answered(ex) {}
    std::optional<ask_outcome> outcome;
    signal answered;
};

namespace {

// The members' answer when the asker ended without one (its coroutine cancelled): nothing
// was asked for them.
payman::client_error read_abandoned()
{
    payman::client_error e;
    e.code = payman::make_error_code(payman::payman_errc::send_failed);
    e.message = "the shared balance read ended without an answer; nothing was asked for this "
                "occurrence";
    e.kind = payman::error_class::not_sent;
    return e;
}

}  // namespace

asio::awaitable<ask_outcome> engine::impl::ask(const step::ask& a)
{
    if (!a.shareable) co_return co_await payman->async_ask(a.text, a.options);
    if (auto it = gathering.find(a.text); it != gathering.end()) {
        const auto group = it->second;
        co_await group->answered.wait();
        if (!group->outcome) co_return read_abandoned();
        co_return *group->outcome;
    }
    const auto group = std::make_shared<read_group>(executor);
    gathering.emplace(a.text, group);
    // Closed to newcomers when the ask goes; its members woken however this coroutine ends.
    struct closing {
        impl& d;
        const std::string& text;
        const std::shared_ptr<read_group>& group;
        void close() const
        {
            auto it = d.gathering.find(text);
            if (it != d.gathering.end() && it->second == group) d.gathering.erase(it);
        }
        ~closing()
        {
            close();
            group->answered.notify_all();
        }
    } guard{*this, a.text, group};
    co_await asio::post(executor, asio::use_awaitable);
    guard.close();
    group->outcome = co_await payman->async_ask(a.text, a.options);
    co_return *group->outcome;
}

void engine::impl::say(const step::say& line)
{
    switch (line.priority) {
    case step::say::level::info:
        log->info("{}", line.text);
        break;
    case step::say::level::warning:
        log->warn("{}", line.text);
        break;
    case step::say::level::error:
        log->error("{}", line.text);
        break;
    }
}

asio::awaitable<occurrence_event> engine::impl::occurrence_driver::perform(occurrence_step next)
{
    if (auto* a = std::get_if<step::ask>(&next)) {
        auto outcome = co_await d.ask(*a);
        const std::uint32_t jitter = outcome ? 0 : d.draw();
        co_return event::answered{std::move(outcome), jitter};
    }
    if (auto* a = std::get_if<step::append>(&next)) co_return co_await append(*a);
    if (auto* w = std::get_if<step::wait>(&next)) {
        co_await d.sleep_real(w->delay);
    } else if (std::holds_alternative<step::pass_limits_gate>(next)) {
        co_await d.wait_for_confirmations();
        // Counted as being sent from the gate on, before anything is awaited: payments
        // passing the gate together each see the others.
        sending.emplace(d.payments_sending);
        if (d.ledger_stale) d.rebuild_ledger();
        co_return event::passed{};
    } else if (const auto* g = std::get_if<step::pass_send_gate>(&next)) {
        if (!g->shared) co_return event::passed{};
        const auto asked_in = d.leadership.term;
        auto answer = co_await d.params.gate->open(identity, g->payment);
        if (answer.verdict == gate_verdict::refused) note_refused(d.leadership, identity, asked_in);
        if (answer.verdict == gate_verdict::passed) PAYMAND_CRASH_POINT("after_gate");
        co_return answer;
    } else if (const auto* c = std::get_if<step::claim>(&next)) {
        const auto asked_in = d.leadership.term;
        auto answer = co_await d.params.gate->claim(identity, c->rule);
        if (answer.verdict == claim_verdict::not_leader)
            note_refused(d.leadership, identity, asked_in);
        if (answer.verdict == claim_verdict::claimed) PAYMAND_CRASH_POINT("after_claim");
        co_return answer;
    } else if (const auto* s = std::get_if<step::settle_unsent>(&next)) {
        co_return co_await d.params.gate->settle_unsent(identity, s->end);
    } else if (const auto* r = std::get_if<step::record_end>(&next)) {
        co_return co_await d.params.gate->record(identity, r->end);
    } else if (std::holds_alternative<step::payment_back>(next)) {
        if (sending) sending->done();
        back_at = ++d.payments_back;
        place.reset();
    } else if (auto* s = std::get_if<step::say>(&next)) {
        d.say(*s);
    } else if (auto* k = std::get_if<step::keep>(&next)) {
        d.keep_unrecorded(std::move(k->records));
    } else if (auto* c = std::get_if<step::await_confirmation>(&next)) {
        d.await_confirmation(std::move(*c), back_at);
    }
    co_return event::performed{};
}

asio::awaitable<occurrence_event> engine::impl::occurrence_driver::append(step::append& a)
{
    // Counted from the check on, before anything is awaited (see reservations).
    if (a.reserve) d.reserve(identity, *a.reserve);
    const bool written = co_await d.append(std::move(a.records), a.deadline);
    if (a.reserve) d.release(identity);
    if (written && a.crash_point != nullptr) PAYMAND_CRASH_POINT(a.crash_point);
    if (a.ends_unpaid) d.ledger_stale = true;
    co_return event::appended{written};
}

}  // namespace paymand::engine
