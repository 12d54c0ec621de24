#include "paymand/engine/engine.hpp"

#include "paymand/audit/time_format.hpp"
#include "paymand/core/crash_point.hpp"
#include "paymand/engine/already_paid.hpp"
#include "paymand/engine/backoff.hpp"
#include "paymand/engine/confirm.hpp"
#include "paymand/engine/occurrence_machine.hpp"
#include "paymand/engine/reconcile.hpp"
#include "paymand/limits/check.hpp"
#include "paymand/prompt/memo.hpp"
#include "paymand/prompt/memo_tag.hpp"
#include "paymand/reply/balance.hpp"
#include "paymand/reply/payment.hpp"
#include "paymand/reply/transactions.hpp"
#include "paymand/rules/condition.hpp"
#include "paymand/rules/pay_period.hpp"
#include "paymand/rules/payment_limits.hpp"
#include "paymand/rules/rule.hpp"
#include "paymand/schedule/catchup.hpp"
#include "paymand/schedule/identity.hpp"
#include "paymand/schedule/occurrence.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <list>
#include <random>

namespace paymand::engine {

namespace asio = boost::asio;
using std::chrono::sys_seconds;
using namespace std::chrono_literals;

namespace {

sys_seconds to_seconds(sys_time t)
{
    return std::chrono::floor<std::chrono::seconds>(t);
}

// A waitable flag: coroutines wait until notify_all() is called. Single-threaded use.
class signal {
public:
    explicit signal(asio::any_io_executor ex) : timer_(ex, asio::steady_timer::time_point::max()) {}
    asio::awaitable<void> wait()
    {
        co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    void notify_all() { timer_.cancel(); }

private:
    asio::steady_timer timer_;
};

}  // namespace

// One occurrence to run: the rule set it belongs to is held so a reload cannot pull the rule
// from under it.
struct task {
    std::shared_ptr<const rules::rule_set> set;
    const rules::rule* rule = nullptr;
    schedule::occurrence occ;
    std::string identity;
    bool manual = false;
};

struct rule_slot {
    std::shared_ptr<const rules::rule_set> set;
    const rules::rule* rule = nullptr;  // in *set
    // Identities up to and including this one are handled or planned.
    std::optional<schedule::local_minutes> handled_through;
    // For a rule with nothing handled yet: occurrences after this instant are due.
    sys_seconds active_since{};
    std::optional<schedule::occurrence> next;  // the first occurrence not yet handled
    bool in_flight = false;
    // overlap: queue. A list, not a deque: an empty std::deque allocates ~600 bytes, and
    // every rule has a slot (10,000 rules: 6 MB for queues that are almost always empty).
    std::list<task> queue;
};

struct engine::impl : std::enable_shared_from_this<engine::impl> {
    impl(asio::any_io_executor ex, engine_params p, clock& c, std::shared_ptr<agent> a,
         audit::async_audit_writer& w, audit::audit_projection& s,
         std::shared_ptr<spdlog::logger> l)
        : executor(ex), params(std::move(p)), clk(c), payman(std::move(a)), writer(w), state(s),
          log(std::move(l)), ledger(params.policy.zone), slots_changed(ex), work_done(ex),
          firing_done(ex), concurrency_freed(ex),
          rng(params.seed != 0 ? params.seed : std::random_device{}()), reconcile_timer(ex),
          flush_timer(ex), confirm_timer(ex), confirm_progress(ex)
    {
        rebuild_ledger();
    }

    asio::any_io_executor executor;
    engine_params params;
    clock& clk;
    std::shared_ptr<agent> payman;
    audit::async_audit_writer& writer;
    audit::audit_projection& state;
    std::shared_ptr<spdlog::logger> log;

    limits::spending_ledger ledger;
    bool ledger_stale = false;
    // Payments that passed the limits and whose intent is not durable yet, by identity: they
    // count at once, so two payments checked together each see the other.
    std::map<std::string, limits::payment_record, std::less<>> reservations;
    std::map<std::string, rule_slot, std::less<>> slots;
    std::set<std::string, std::less<>> running;  // identities in flight in this process
    std::size_t active = 0;                      // occurrences holding a concurrency slot
    std::size_t live_tasks = 0;                  // started or queued, not finished
    bool stopping = false;
    bool audit_writable = true;
    signal slots_changed;
    signal work_done;
    // True while run_loop walks `slots` with awaits inside (firing due occurrences): a reload
    // waits for firing_done rather than replace the map under it.
    bool firing = false;
    signal firing_done;
    signal concurrency_freed;
    std::mt19937_64 rng;
    asio::steady_timer reconcile_timer;
    // Records the audit log refused, waiting to be written (see keep_unrecorded).
    std::vector<audit::record_body> unrecorded;
    bool flushing = false;
    asio::steady_timer flush_timer;
    // Completed payments waiting for a transaction listing to confirm them, in the order
    // they are due to be looked up (see confirm_loop).
    struct awaiting_entry {
        awaiting_payment payment;
        std::chrono::steady_clock::time_point due;
    };
    std::deque<awaiting_entry> awaiting;
    // Payment asks this process sent and got back (answered or not), counting on: how deep a
    // payment lies in a listing is the count since its own, plus those being sent.
    std::uint64_t payments_back = 0;
    std::size_t payments_sending = 0;
    // The counts (completed_seq) of payments not yet settled by a listing, oldest first.
    std::multiset<std::uint64_t> unsettled;
    // For each listing being read: how deep its payments may lie before it misses them.
    std::multiset<int> listing_caps;
    std::size_t confirm_gate_waiters = 0;  // payments waiting for confirmations to catch up
    bool confirm_loop_running = false;
    std::size_t confirm_rounds = 0;  // listings being asked or recorded
    asio::steady_timer confirm_timer;
    signal confirm_progress;  // a round ended

    // --- audit ---------------------------------------------------------------------------

    // Appends durably; on failure retries (the store re-verifies its tail) until `deadline`.
    // Returns false when the records could not be made durable: then nothing may be sent.
    asio::awaitable<bool> append(std::vector<audit::record_body> batch,
                                 std::optional<sys_time> deadline = std::nullopt)
    {
        unsigned attempt = 0;
        for (;;) {
            // GCC 12 destroys a braced temporary inside a co_await expression twice, so
            // every record in this file is built as a named object before it is awaited.
            auto pending = writer.async_append(std::vector<audit::record_body>(batch));
            auto receipt = co_await std::move(pending);
            if (receipt) {
                if (!audit_writable) log->warn("audit log is writable again");
                audit_writable = true;
                for (const auto& r : receipt->records) {
                    state.apply(r);
                    if (params.on_record) params.on_record(r);
                }
                co_return true;
            }
            if (audit_writable)
                log->error("AUDIT LOG UNWRITABLE: {}; no payment is sent until it can be "
                           "written",
                           receipt.error().message);
            audit_writable = false;
            ++attempt;
            auto now = clk.now();
            if (stopping || !deadline || now >= *deadline) co_return false;
            auto delay = backoff_delay(params.settings.retry, attempt, std::nullopt, draw());
            co_await sleep_real(std::min<sys_time::duration>(delay, *deadline - now));
        }
    }

    // One record: GCC 12 miscompiles initializer lists inside co_await expressions.
    asio::awaitable<bool> append_one(audit::record_body body,
                                     std::optional<sys_time> deadline = std::nullopt)
    {
        std::vector<audit::record_body> batch;
        batch.push_back(std::move(body));
        co_return co_await append(std::move(batch), deadline);
    }

    // True when the rule of `t` was changed or removed since `t` was planned.
    bool definition_replaced(const task& t) const
    {
        auto it = slots.find(t.rule->id);
        return it == slots.end() || it->second.rule->content_hash != t.rule->content_hash;
    }

    // Records that stay true whenever they are written (skipped, missed): when the log
    // refuses them now, they are kept and written as soon as it takes writes again.
    asio::awaitable<void> append_or_keep(std::vector<audit::record_body> batch)
    {
        auto copy = batch;
        const bool written = co_await append(std::move(copy));
        if (!written) keep_unrecorded(std::move(batch));
        co_return;
    }

    void keep_unrecorded(std::vector<audit::record_body> batch)
    {
        for (auto& r : batch) unrecorded.push_back(std::move(r));
        if (flushing || stopping) return;
        flushing = true;
        asio::co_spawn(executor, flush_unrecorded(), asio::detached);
    }

    // Writes the kept records once the audit log takes writes again, retrying with backoff
    // until then; a stop leaves them to the next start (found from the gaps they leave).
    asio::awaitable<void> flush_unrecorded()
    {
        auto self = shared_from_this();
        unsigned attempt = 0;
        while (!unrecorded.empty() && !stopping) {
            auto batch = std::exchange(unrecorded, {});
            const auto count = batch.size();
            auto copy = batch;
            const bool written = co_await append(std::move(copy));
            if (written) {
                log->warn("recorded {} occurrence outcome(s) held back while the audit log "
                          "could not be written",
                          count);
                attempt = 0;
                continue;
            }
            batch.insert(batch.end(), std::make_move_iterator(unrecorded.begin()),
                         std::make_move_iterator(unrecorded.end()));
            unrecorded = std::move(batch);
            flush_timer.expires_after(
                backoff_delay(params.settings.retry, ++attempt, std::nullopt, draw()));
            co_await flush_timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        flushing = false;
    }

    std::uint32_t draw() { return static_cast<std::uint32_t>(rng() % 1'000'000); }

    // Waits `delay` of real time (retry backoff) whatever the clock: backoff is about the
    // server, not about the schedule. Under a virtual clock it only moves virtual time. A
    // duration on a steady timer, not an instant of the engine's clock: under the crash
    // build's accelerated clock that instant would lie far in the real future.
    asio::awaitable<void> sleep_real(sys_time::duration delay)
    {
        if (clk.is_virtual()) {
            static_cast<virtual_clock&>(clk).advance_to(clk.now() + delay);
            co_return;
        }
        asio::steady_timer timer(executor, delay);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }

    void rebuild_ledger()
    {
        ledger = limits::spending_ledger(params.policy.zone);
        // Limits look at most a calendar month back; 32 days covers every month and zone.
        auto since = to_seconds(clk.now()) - std::chrono::days(32);
        for (const auto& e : state.spending(since))
            ledger.add({.amount = e.amount.minor_units(),
                        .currency = std::string(e.amount.unit().code()),
                        .payee = e.payee,
                        .instant = e.utc,
                        .status = e.in_doubt ? limits::payment_status::in_doubt
                                             : limits::payment_status::completed});
        for (const auto& [identity, r] : reservations) {
            const auto* o = state.find(identity);
            if (o == nullptr || !o->payment) ledger.add(r);  // not yet counted by the log
        }
        ledger_stale = false;
    }

    // --- one occurrence ------------------------------------------------------------------

    audit::occurrence_ref ref_of(const task& t) const
    {
        return {t.rule->id, t.identity, t.occ.instant};
    }

    asio::awaitable<void> acquire_slot()
    {
        while (active >= params.settings.concurrency) co_await concurrency_freed.wait();
        ++active;
    }

    void release_slot()
    {
        --active;
        concurrency_freed.notify_all();
    }

    // A read-only ask (a transaction listing) with the occurrence's retry rule.
    struct ask_attempt {
        ask_outcome outcome;
        unsigned attempts = 0;
    };

    asio::awaitable<ask_attempt> read_with_retry(std::string text, payman::ask_options options,
                                                 sys_time deadline)
    {
        unsigned attempts = 0;
        options.read_only = true;
        for (;;) {
            ++attempts;
            auto outcome = co_await payman->async_ask(text, options);
            if (outcome || stopping) co_return ask_attempt{std::move(outcome), attempts};
            auto delay = retry_delay(params.settings.retry, outcome.error(), attempts, true,
                                     clk.now(), deadline, draw());
            if (!delay) co_return ask_attempt{std::move(outcome), attempts};
            log->warn("transaction listing failed ({}); retrying in {} ms", outcome.error().what(),
                      delay->count());
            co_await sleep_real(*delay);
        }
    }

    // A reload that changes a rule at the moment an occurrence of its old definition is due
    // but not yet fired: the new definition starts at the reload, so each such occurrence is
    // recorded skipped, never dropped silently.
    void record_due_unfired(const rule_slot& old, sys_seconds now,
                            std::vector<audit::record_body>& out)
    {
        if (!old.next || old.next->instant > now) return;
        const auto& rule = *old.rule;
        constexpr std::size_t most = 1000;  // the rest is found from the gap at the next start
        for (const auto& occ : schedule::occurrences_between(rule.calendar, rule.zone,
                                                             old.next->instant, now + 1s, most)) {
            const auto identity = schedule::to_string({rule.id, occ.local});
            if (occ.local < old.next->local || state.handled(identity) ||
                running.contains(identity))
                continue;
            out.push_back(audit::skipped_record{
                .ref = {rule.id, identity, occ.instant},
                .reason = "the rule was changed when this occurrence was due, before it could "
                          "run; its new definition is scheduled from the reload on"});
        }
    }

    // Says at the reload, before it happens, that a changed rule's next occurrence will be
    // refused as already paid.
    void warn_if_already_paid(const rule_slot& slot)
    {
        if (!slot.next) return;
        if (auto warning =
                already_paid_warning(state, *slot.rule, *slot.next, params.policy.min_pay_interval))
            log->warn("{}", *warning);
    }

    // A payment counted in payments_sending until done() or its scope ends.
    struct sending_count {
        std::size_t& count;
        bool counted = true;
        explicit sending_count(std::size_t& c) : count(c) { ++count; }
        sending_count(const sending_count&) = delete;
        sending_count& operator=(const sending_count&) = delete;
        ~sending_count() { done(); }
        void done()
        {
            if (counted) --count;
            counted = false;
        }
    };

    void reserve(const std::string& identity, limits::payment_record r)
    {
        ledger.add(r);
        reservations.emplace(identity, std::move(r));
    }

    // The reservation ends: the intent is durable (the projection counts it from now on, and
    // the ledger keeps the amount), or it never will be (the amount is taken back).
    void release(const std::string& identity)
    {
        auto it = reservations.find(identity);
        if (it == reservations.end()) return;
        if (!state.handled(identity) || !state.find(identity)->payment) ledger.remove(it->second);
        reservations.erase(it);
    }

    occurrence_context context_of(const task& t) const
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
                .state = state,
                .ledger = ledger};
    }

    occurrence_moment moment() const { return {.now = clk.now(), .stopping = stopping}; }

    // Drives one occurrence's machine: performs each step it asks for, nothing more.
    asio::awaitable<void> run_occurrence(task t)
    {
        co_await acquire_slot();
        try {
            occurrence_machine machine(context_of(t));
            occurrence_driver driver{*this, t.identity};
            auto next = machine.start(moment(), definition_replaced(t));
            while (!std::holds_alternative<step::done>(next)) {
                auto outcome = co_await driver.perform(std::move(next));
                next = machine.resume(std::move(outcome), moment());
            }
        } catch (const std::exception& e) {
            // Only a bug gets here; the audit state decides what a restart does.
            log->critical("{}: internal error: {}", t.identity, e.what());
        }
        release_slot();
    }

    // What an occurrence's steps need of the engine while it runs.
    struct occurrence_driver {
        impl& d;
        const std::string& identity;
        std::optional<sending_count> sending;  // from the limits gate to the payment's answer
        std::uint64_t back_at = 0;             // the payment's place among those sent

        asio::awaitable<occurrence_event> perform(occurrence_step next)
        {
            if (auto* a = std::get_if<step::ask>(&next)) {
                auto outcome = co_await d.payman->async_ask(a->text, a->options);
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
            } else if (std::holds_alternative<step::pass_send_gate>(next)) {
                co_return event::passed{};
            } else if (std::holds_alternative<step::payment_back>(next)) {
                if (sending) sending->done();
                back_at = ++d.payments_back;
            } else if (auto* s = std::get_if<step::say>(&next)) {
                d.say(*s);
            } else if (auto* k = std::get_if<step::keep>(&next)) {
                d.keep_unrecorded(std::move(k->records));
            } else if (auto* c = std::get_if<step::await_confirmation>(&next)) {
                d.await_confirmation(std::move(*c), back_at);
            }
            co_return event::performed{};
        }

        asio::awaitable<occurrence_event> append(step::append& a)
        {
            // Counted from the check on, before anything is awaited (see reservations).
            if (a.reserve) d.reserve(identity, *a.reserve);
            const bool written = co_await d.append(std::move(a.records), a.deadline);
            if (a.reserve) d.release(identity);
            if (written && a.crash_point != nullptr) PAYMAND_CRASH_POINT(a.crash_point);
            if (a.ends_unpaid) d.ledger_stale = true;
            co_return event::appended{written};
        }
    };

    void say(const step::say& line)
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

    // --- scheduling ----------------------------------------------------------------------

    void start(task t)
    {
        auto& slot = slots.at(t.rule->id);
        slot.in_flight = true;
        running.insert(t.identity);
        ++live_tasks;
        asio::co_spawn(executor, run_then_next(std::move(t)), asio::detached);
    }

    asio::awaitable<void> run_then_next(task t)
    {
        auto self = shared_from_this();
        auto rule_id = t.rule->id;
        auto identity = t.identity;
        co_await run_occurrence(std::move(t));
        running.erase(identity);
        --live_tasks;
        auto it = slots.find(rule_id);
        if (it != slots.end() && stopping) {
            // Never started: not handled, so a restart plans them again.
            live_tasks -= it->second.queue.size();
            it->second.queue.clear();
        }
        if (it != slots.end()) {
            it->second.in_flight = false;
            if (!it->second.queue.empty() && !stopping) {
                auto next = std::move(it->second.queue.front());
                it->second.queue.pop_front();
                --live_tasks;  // start() counts it again
                start(std::move(next));
            }
        }
        work_done.notify_all();
    }

    // `behind_earlier`: an earlier occurrence of the same catch-up plan was just dispatched;
    // catch-up runs "one at a time", so this one queues behind it whatever the overlap
    // policy (which is about a previous occurrence still in flight when this one came due).
    asio::awaitable<void> dispatch(rule_slot& slot, const schedule::occurrence& occ,
                                   bool behind_earlier)
    {
        task t{slot.set, slot.rule, occ,
               schedule::to_string(schedule::occurrence_id{slot.rule->id, occ.local}), false};
        if (state.handled(t.identity) || running.contains(t.identity)) co_return;
        if (!slot.in_flight) {
            start(std::move(t));
            co_return;
        }
        if (slot.rule->overlap == schedule::overlap_policy::skip && !behind_earlier) {
            std::vector<audit::record_body> records;
            records.push_back(audit::skipped_record{.ref = ref_of(t),
                                                    .reason = "the previous occurrence is still "
                                                              "in flight (overlap: skip)"});
            co_await append_or_keep(std::move(records));
            co_return;
        }
        ++live_tasks;
        slot.queue.push_back(std::move(t));
    }

    asio::awaitable<void> record_missed(const rule_slot& slot, const schedule::catchup_plan& plan)
    {
        std::vector<audit::record_body> records;
        const auto& rule = *slot.rule;
        if (plan.unlisted_missed > 0 && plan.first_unlisted && plan.last_unlisted) {
            auto first = schedule::to_string({rule.id, *plan.first_unlisted});
            auto last = schedule::to_string({rule.id, *plan.last_unlisted});
            records.push_back(audit::missed_record{
                .ref = {rule.id, first, rule.zone.resolve(*plan.first_unlisted)},
                .reason = fmt::format("{} occurrences from {} to {} were missed (outside the "
                                      "catch-up window)",
                                      plan.unlisted_missed, first, last),
                .through = last});
        }
        for (const auto& m : plan.missed) {
            auto identity = schedule::to_string({rule.id, m.occ.local});
            if (state.handled(identity)) continue;
            records.push_back(audit::missed_record{
                .ref = {rule.id, identity, m.occ.instant},
                .reason = fmt::format("missed while the daemon was not running or the clock "
                                      "jumped ({})",
                                      schedule::to_string(m.reason))});
        }
        if (records.empty()) co_return;
        log->warn("{}: {} occurrence(s) recorded as missed", rule.id, plan.missed_total());
        co_await append_or_keep(std::move(records));
    }

    // Occurrences of the rule's current definition before the last one it handled that have
    // no record: a process stopped before it handled them, or the audit log could not be
    // written. Nothing was sent for them (no intent is durable); they are recorded missed.
    // Looks back at most gap_lookback from the last one handled, and not into a run of
    // occurrences that one missed record already stands for.
    void record_gaps(const rules::rule& rule, sys_seconds active_since, sys_seconds last_utc,
                     schedule::local_minutes last_local, std::vector<audit::record_body>& out)
    {
        constexpr auto gap_lookback = std::chrono::days(31);
        constexpr std::size_t max_listed_gaps = 100;
        std::optional<schedule::local_minutes> covered;
        if (auto through = state.missed_through(rule.id))
            if (auto id = schedule::parse_occurrence_id(*through)) covered = id->local;
        const auto from = std::max(active_since, last_utc - gap_lookback) + 1s;
        std::vector<schedule::occurrence> gaps;
        for (const auto& occ :
             schedule::occurrences_between(rule.calendar, rule.zone, from, last_utc + 1s)) {
            if (occ.local >= last_local || (covered && occ.local <= *covered)) continue;
            if (!state.handled(schedule::to_string({rule.id, occ.local}))) gaps.push_back(occ);
        }
        if (gaps.empty()) return;
        const std::string why = "no record of it was found at start: the daemon stopped or the "
                                "audit log could not be written before it was handled; nothing "
                                "was sent for it";
        log->warn("{}: {} occurrence(s) before its last recorded one have no record; recorded "
                  "as missed",
                  rule.id, gaps.size());
        if (gaps.size() <= max_listed_gaps) {
            for (const auto& g : gaps)
                out.push_back(audit::missed_record{
                    .ref = {rule.id, schedule::to_string({rule.id, g.local}), g.instant},
                    .reason = why});
            return;
        }
        auto first = schedule::to_string({rule.id, gaps.front().local});
        auto last = schedule::to_string({rule.id, gaps.back().local});
        out.push_back(audit::missed_record{.ref = {rule.id, first, gaps.front().instant},
                                           .reason = fmt::format("{} occurrences from {} to {}: {}",
                                                                 gaps.size(), first, last, why),
                                           .through = last});
    }

    void compute_next(rule_slot& slot)
    {
        const auto& rule = *slot.rule;
        slot.next.reset();
        if (!rule.enabled) return;
        if (slot.handled_through) {
            schedule::occurrence_cursor cursor(rule.calendar, rule.zone, *slot.handled_through);
            slot.next = cursor.next();
        } else {
            slot.next = schedule::next_occurrence(rule.calendar, rule.zone, slot.active_since);
        }
    }

    // Runs or records everything of `slot` that is due at `now`.
    asio::awaitable<void> fire_due(rule_slot& slot, sys_seconds now)
    {
        const auto& rule = *slot.rule;
        schedule::catchup_params cp{.policy = rule.catchup, .window = rule.catchup_window};
        auto plan = slot.handled_through ? schedule::plan_catchup(rule.calendar, rule.zone,
                                                                  *slot.handled_through, now, cp)
                                         : schedule::plan_catchup_since(rule.calendar, rule.zone,
                                                                        slot.active_since, now, cp);
        if (plan.handled_through) slot.handled_through = plan.handled_through;
        co_await record_missed(slot, plan);
        for (std::size_t i = 0; i < plan.run.size(); ++i)
            co_await dispatch(slot, plan.run[i], i > 0);
        compute_next(slot);
    }

    asio::awaitable<void> run_loop()
    {
        auto self = shared_from_this();
        while (!stopping) {
            auto now = to_seconds(clk.now());
            {
                struct firing_pass {
                    impl& d;
                    explicit firing_pass(impl& i) : d(i) { d.firing = true; }
                    ~firing_pass()
                    {
                        d.firing = false;
                        d.firing_done.notify_all();
                    }
                } pass(*this);
                for (auto& [id, slot] : slots)
                    if (slot.next && slot.next->instant <= now) co_await fire_due(slot, now);
            }
            if (stopping) break;
            std::optional<sys_seconds> earliest;
            for (const auto& [id, slot] : slots)
                if (slot.next && (!earliest || slot.next->instant < *earliest))
                    earliest = slot.next->instant;
            if (clk.is_virtual()) {
                // Deterministic: everything due so far finishes before time moves on.
                if (params.lockstep) co_await idle();
                if (!earliest || (params.stop_at && sys_time(*earliest) > *params.stop_at)) break;
            }
            auto until = earliest ? sys_time(*earliest) : clk.now() + std::chrono::hours(24);
            co_await clk.sleep_until(until);
        }
    }

    asio::awaitable<void> idle()
    {
        while (live_tasks > 0) co_await work_done.wait();
    }

    // --- reconciliation ------------------------------------------------------------------

    // Looks for each in-doubt payment in a recent transaction listing: a listed transaction
    // with the occurrence's memo tag, amount and payee proves it was paid, and settles that
    // occurrence only. Absence proves nothing (the listing may be short or late): it is
    // recorded once per occurrence as evidence and the occurrence stays in doubt.
    asio::awaitable<void> reconcile_once()
    {
        std::vector<const audit::occurrence_status*> doubts;
        for (const auto* o : state.in_doubt())
            if (o->state == audit::occurrence_state::in_doubt && o->payment) doubts.push_back(o);
        if (doubts.empty() || !payman) co_return;
        auto text = params.prompts.render_transactions(params.settings.reconcile_transactions);
        if (!text) co_return;
        auto deadline = clk.now() + params.settings.occurrence_timeout;
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
                log->error("{}: cannot be reconciled: its identity does not parse",
                           o->ref.occurrence);
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
                log->info("{}: reconciled: the transaction listing shows it paid",
                          o->ref.occurrence);
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
                    .evidence = fmt::format(
                        "none of the {} listed transaction(s) has the tag {} with {} to {}",
                        entries.size(), prompt::format_memo_tag(sought[i].tag),
                        money::format_with_code(o->payment->amount), o->payment->payee)});
            }
        }
        if (!records.empty()) co_await append(std::move(records));
    }

    // The tag an in-doubt occurrence's payment carried; a manual run's identity is the
    // scheduled form plus "~manual".
    static std::optional<prompt::memo_tag> reconcile_tag(const audit::occurrence_status& o)
    {
        std::string_view identity = o.ref.occurrence;
        const bool manual = identity.ends_with(manual_suffix);
        if (manual) identity.remove_suffix(manual_suffix.size());
        auto id = schedule::parse_occurrence_id(identity);
        if (!id) return std::nullopt;
        return occurrence_tag(o.ref.rule, id->local, manual);
    }

    // A transaction listing's options: its own idempotency key, fresh for each listing (a
    // repeated key would be answered with the first listing) and reused by its retries.
    payman::ask_options listing_options(std::string_view purpose)
    {
        payman::ask_options options;
        options.idempotency_key =
            derive_key(fmt::format("{}\nlisting {}\n{}", params.client_id, purpose, rng()));
        return options;
    }

    // --- confirmation from the ledger ----------------------------------------------------

    // Payments one listing looks up at most: a listing of 100 transactions still reaches
    // them with room for those completed meanwhile.
    static constexpr std::size_t confirm_batch = 40;
    // How deep the oldest unsettled payment may lie in a listing (newest first) before new
    // payments wait: within a listing's reach (100) with room for payments made by others.
    static constexpr std::uint64_t confirm_window = max_listing_count - 10;

    std::uint64_t confirm_depth() const
    {
        const std::uint64_t oldest = unsettled.empty() ? 0 : payments_back - *unsettled.begin() + 1;
        return oldest + payments_sending;
    }

    // How deep the oldest unsettled payment may lie before new payments wait: within a
    // listing's reach, and within the count of every listing being read.
    std::uint64_t gate_limit() const
    {
        if (listing_caps.empty()) return confirm_window;
        return std::min<std::uint64_t>(confirm_window,
                                       static_cast<std::uint64_t>(*listing_caps.begin()));
    }

    // Before a payment is sent: a burst must not push the payments still to be confirmed out
    // of every listing's reach, so it waits (asking for a listing at once) until they are
    // settled. Confirmation keeps up with one listing per ~40 payments.
    asio::awaitable<void> wait_for_confirmations()
    {
        if (!confirming()) co_return;
        while (confirm_depth() + 1 > gate_limit() && !stopping) {
            ++confirm_gate_waiters;
            confirm_timer.cancel();
            co_await confirm_progress.wait();
            --confirm_gate_waiters;
        }
    }

    bool confirming() const
    {
        return payman && !params.dry_run && params.settings.confirm_payments;
    }

    void await_confirmation(step::await_confirmation payment, std::uint64_t seq)
    {
        if (!confirming()) return;
        enqueue_confirmation(awaiting_payment{.ref = std::move(payment.ref),
                                              .sought = std::move(payment.sought),
                                              .listings = 0,
                                              .completed_seq = seq});
        unsettled.insert(seq);
    }

    void enqueue_confirmation(awaiting_payment p)
    {
        awaiting.push_back(
            {std::move(p), std::chrono::steady_clock::now() + params.settings.confirm_delay});
        // Wake the loop when there was nothing to wait for, or a listing's worth is waiting.
        if (awaiting.size() == 1 || awaiting.size() >= confirm_batch) confirm_timer.cancel();
    }

    // At start: completed payments of the last two days that no listing settled yet (the
    // daemon stopped before it could confirm them).
    void queue_unsettled_confirmations()
    {
        if (!confirming()) return;
        const auto since = to_seconds(clk.now()) - std::chrono::days(2);
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

    // How many payments at the front of the queue a listing may look up now: those due, or
    // a full batch when one is waiting.
    std::size_t confirmations_ready() const
    {
        if (awaiting.size() >= confirm_batch) return confirm_batch;
        if (confirm_gate_waiters > 0) return awaiting.size();  // payments wait for them
        const auto now = std::chrono::steady_clock::now();
        std::size_t n = 0;
        while (n < awaiting.size() && awaiting[n].due <= now) ++n;
        return n;
    }

    // One listing for the payments ready now: confirmed, mismatch or unconfirmed records for
    // those it settles; the others are looked up again after confirm_delay.
    asio::awaitable<void> confirm_round(std::size_t ready)
    {
        ++confirm_rounds;
        co_await confirm_listing(ready);
        --confirm_rounds;
        confirm_progress.notify_all();
    }

    asio::awaitable<void> confirm_listing(std::size_t ready)
    {
        std::vector<awaiting_payment> queue;
        for (std::size_t i = 0; i < ready; ++i) queue.push_back(std::move(awaiting[i].payment));
        awaiting.erase(awaiting.begin(), awaiting.begin() + static_cast<std::ptrdiff_t>(ready));
        auto plan =
            plan_listing(queue, confirm_batch, payments_back, payments_sending,
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
                const auto deadline = clk.now() + params.settings.occurrence_timeout;
                // While it is read, payments that would push this batch deeper than the
                // listing reaches wait at the gate.
                const auto cap = listing_caps.insert(plan.count - listing_slack);
                auto attempt =
                    co_await read_with_retry(*text, listing_options("confirm"), deadline);
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
    asio::awaitable<void> confirm_loop()
    {
        auto self = shared_from_this();
        confirm_loop_running = true;
        while (!stopping) {
            if (const auto ready = confirmations_ready(); ready > 0) {
                co_await confirm_round(ready);
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
    asio::awaitable<void> settle_confirmations()
    {
        while ((!awaiting.empty() || confirm_rounds > 0) && !stopping) {
            if (confirm_rounds > 0) {
                co_await confirm_progress.wait();
            } else if (const auto ready = confirmations_ready(); ready > 0) {
                co_await confirm_round(ready);
            } else {
                asio::steady_timer until(executor, awaiting.front().due);
                co_await until.async_wait(asio::as_tuple(asio::use_awaitable));
            }
        }
    }

    asio::awaitable<void> reconcile_loop()
    {
        auto self = shared_from_this();
        // At start too: a crash may have left payments in doubt.
        while (!stopping) {
            co_await reconcile_once();
            reconcile_timer.expires_after(params.settings.reconcile_interval);
            co_await reconcile_timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }

    void stop()
    {
        if (stopping) return;
        stopping = true;
        clk.interrupt();
        reconcile_timer.cancel();
        flush_timer.cancel();
        confirm_timer.cancel();
        confirm_progress.notify_all();
        concurrency_freed.notify_all();
    }
};

engine::engine(asio::any_io_executor executor, engine_params params, clock& clk,
               std::shared_ptr<agent> payman, audit::async_audit_writer& writer,
               audit::audit_projection& state, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_shared<impl>(executor, std::move(params), clk, std::move(payman), writer,
                                   state, std::move(log)))
{
}

engine::~engine()
{
    impl_->stop();
}

asio::awaitable<bool> engine::async_set_rules(std::shared_ptr<const rules::rule_set> set)
{
    auto& d = *impl_;
    // The scheduler holds references into the slots while it fires: replace them after.
    while (d.firing) co_await d.firing_done.wait();
    const auto now = to_seconds(d.clk.now());
    std::vector<audit::rule_hash> hashes;
    std::map<std::string, rule_slot, std::less<>> next_slots;
    // Every queued occurrence ends with a record, whatever the reload does to its rule.
    std::vector<audit::record_body> dropped;
    const auto drop_queue = [&](rule_slot& slot, std::string_view reason) {
        if (!slot.queue.empty())
            d.log->warn("{}: {} queued occurrence(s) recorded as skipped: {}", slot.rule->id,
                        slot.queue.size(), reason);
        for (const auto& t : slot.queue) {
            dropped.push_back(
                audit::skipped_record{.ref = d.ref_of(t), .reason = std::string(reason)});
            --d.live_tasks;
        }
        slot.queue.clear();
    };
    for (const auto& rule : set->rules()) {
        hashes.push_back({rule.id, rule.content_hash});
        rule_slot slot;
        slot.set = set;
        slot.rule = &rule;
        auto old = d.slots.find(rule.id);
        if (old != d.slots.end() && old->second.rule->content_hash == rule.content_hash) {
            slot.handled_through = old->second.handled_through;
            slot.active_since = old->second.active_since;
            slot.in_flight = old->second.in_flight;
            slot.queue = std::move(old->second.queue);
            for (auto& t : slot.queue) t.set = set, t.rule = &rule;
        } else {
            // The current definition is active since it was first loaded (this load, or an
            // earlier one recorded in the audit log); nothing before that is due under it.
            auto since = d.state.rule_active_since(rule.id, rule.content_hash);
            slot.active_since = since ? *since : now;
            if (old != d.slots.end()) {
                slot.in_flight = old->second.in_flight;
                drop_queue(old->second, "the rule was changed before this queued occurrence "
                                        "could run; its new definition is scheduled from the "
                                        "reload on");
                d.record_due_unfired(old->second, now, dropped);
            }
            if (const auto* last = d.state.last_handled(rule.id)) {
                auto id = schedule::parse_occurrence_id(last->occurrence);
                if (id && last->utc >= slot.active_since) {
                    slot.handled_through = id->local;
                    d.record_gaps(rule, slot.active_since, last->utc, id->local, dropped);
                }
            }
        }
        d.compute_next(slot);
        if (old != d.slots.end() && old->second.rule->content_hash != rule.content_hash)
            d.warn_if_already_paid(slot);
        next_slots.emplace(rule.id, std::move(slot));
    }
    for (auto& [id, slot] : d.slots)
        if (!next_slots.contains(id))
            drop_queue(slot, "the rule was removed before this queued occurrence could run");
    d.slots = std::move(next_slots);
    // A record stays within the log's line limit: a large set is written in parts, all in
    // this one batch (atomic), applied by the projection with its last part.
    constexpr std::size_t rules_per_record = 400;  // ~40 KB of ids and hashes
    const auto parts = static_cast<std::uint32_t>(
        std::max<std::size_t>(1, (hashes.size() + rules_per_record - 1) / rules_per_record));
    for (std::uint32_t part = 1; part <= parts; ++part) {
        const auto first =
            hashes.begin() + static_cast<std::ptrdiff_t>((part - 1) * rules_per_record);
        const auto last =
            part == parts ? hashes.end() : first + static_cast<std::ptrdiff_t>(rules_per_record);
        dropped.push_back(audit::rules_loaded_record{
            .rules = std::vector<audit::rule_hash>(first, last), .part = part, .parts = parts});
    }
    bool ok = co_await d.append(std::move(dropped));
    d.clk.interrupt();
    co_return ok;
}

asio::awaitable<void> engine::async_run()
{
    auto d = impl_;
    if (d->payman && !d->params.dry_run && !d->clk.is_virtual() &&
        d->params.settings.reconcile_interval.count() > 0) {
        asio::co_spawn(d->executor, d->reconcile_loop(), asio::detached);
    }
    if (d->confirming()) {
        d->queue_unsettled_confirmations();
        asio::co_spawn(d->executor, d->confirm_loop(), asio::detached);
    }
    co_await d->run_loop();
    if (d->live_tasks > 0) {
        // Grace (real time, whatever the clock): let occurrences in flight finish; what
        // remains is recorded by replay on the next start (an intent without a result is in
        // doubt, never re-sent).
        using namespace asio::experimental::awaitable_operators;
        asio::steady_timer grace(d->executor, d->params.settings.shutdown_grace);
        co_await (d->idle() || grace.async_wait(asio::use_awaitable));
    }
}

void engine::set_policy(rules::policy policy, prompt::prompt_set prompts)
{
    auto& d = *impl_;
    d.params.policy = std::move(policy);
    d.params.prompts = std::move(prompts);
    d.ledger_stale = true;  // the zone of the limit calendars may have changed
}

asio::awaitable<bool> engine::async_record(std::vector<audit::record_body> records)
{
    auto d = impl_;
    co_return co_await d->append(std::move(records));
}

asio::awaitable<audit::audit_result<audit::record>>
engine::async_resolve(audit::resolution_request request)
{
    auto d = impl_;
    auto resolved = audit::make_resolution(d->state, request);
    if (!resolved) co_return resolved.error();
    std::vector<audit::record_body> batch;
    batch.push_back(*resolved);
    auto receipt = co_await d->writer.async_append(std::move(batch));
    if (!receipt) co_return receipt.error();
    auto& r = receipt->records.front();
    d->state.apply(r);
    if (d->params.on_record) d->params.on_record(r);
    if (request.verdict == audit::resolution::not_paid) d->ledger_stale = true;
    co_return r;
}

void engine::stop()
{
    impl_->stop();
}

void engine::replan()
{
    auto& d = *impl_;
    for (auto& [id, slot] : d.slots) d.compute_next(slot);
    d.clk.interrupt();
}

asio::awaitable<trigger_result> engine::async_trigger(std::string rule_id)
{
    auto d = impl_;
    auto it = d->slots.find(rule_id);
    if (it == d->slots.end())
        co_return trigger_result{{}, fmt::format("no rule with id '{}'", rule_id)};
    auto& slot = it->second;
    const auto& rule = *slot.rule;
    auto now = to_seconds(d->clk.now());
    auto local = rule.zone.to_local(now);
    task t{slot.set,
           slot.rule,
           {local, now},
           schedule::to_string(schedule::occurrence_id{rule.id, local}) +
               std::string(manual_suffix),
           true};
    if (d->state.handled(t.identity) || d->running.contains(t.identity))
        co_return trigger_result{t.identity, fmt::format("{} already ran this minute", t.identity)};
    auto identity = t.identity;
    d->running.insert(identity);
    ++d->live_tasks;
    co_await d->run_occurrence(std::move(t));
    d->running.erase(identity);
    --d->live_tasks;
    d->work_done.notify_all();
    // A one-shot `trigger` waits for its payment's confirmation; the daemon's loop does it.
    if (!d->confirm_loop_running) co_await d->settle_confirmations();
    co_return trigger_result{identity, {}};
}

asio::awaitable<void> engine::async_reconcile()
{
    auto d = impl_;
    co_await d->reconcile_once();
}

asio::awaitable<void> engine::async_confirm()
{
    auto d = impl_;
    co_await d->settle_confirmations();
}

asio::awaitable<void> engine::async_idle()
{
    auto d = impl_;
    co_await d->idle();
}

engine_status engine::status() const
{
    const auto& d = *impl_;
    engine_status s;
    s.rules = d.slots.size();
    for (const auto& [id, slot] : d.slots) {
        if (slot.rule->enabled) ++s.enabled;
        s.queued += slot.queue.size();
    }
    s.in_flight = d.running.size();
    s.in_doubt = d.state.in_doubt().size();
    s.unconfirmed = d.state.unconfirmed_count();
    s.awaiting_confirmation = d.awaiting.size();
    s.audit_writable = d.audit_writable;
    auto next = upcoming(1);
    if (!next.empty()) s.next = next.front();
    return s;
}

std::vector<upcoming_occurrence> engine::upcoming(std::size_t count) const
{
    const auto& d = *impl_;
    std::vector<upcoming_occurrence> out;
    for (const auto& [id, slot] : d.slots)
        if (slot.next)
            out.push_back({id, schedule::to_string({id, slot.next->local}), slot.next->instant});
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.instant < b.instant; });
    if (out.size() > count) out.resize(count);
    return out;
}

}  // namespace paymand::engine
