#pragma once

// The engine's private state and the declarations its parts share (src/engine/engine*.cpp):
//   engine.cpp             the public interface (rules, run, trigger, resolve, status)
//   engine_audit.cpp       appending to the audit log, records held back while it refuses
//   engine_occurrence.cpp  the driver of one occurrence's machine (occurrence_machine.hpp)
//   engine_schedule.cpp    firing due occurrences: catch-up, overlap, gaps, the run loop
//   engine_listings.cpp    transaction listings: confirmation and reconciliation
//   engine_leadership.cpp  a shared ledger: only the leader schedules, from the ledger's progress
// Everything runs on the engine's executor (one thread).

#include "engine/engine_leadership.hpp"
#include "paymand/core/places.hpp"
#include "paymand/core/task_group.hpp"
#include "paymand/engine/confirm.hpp"
#include "paymand/engine/engine.hpp"
#include "paymand/engine/occurrence_machine.hpp"
#include "paymand/schedule/catchup.hpp"
#include "paymand/schedule/occurrence.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace paymand::engine {

namespace asio = boost::asio;
using std::chrono::sys_seconds;
using namespace std::chrono_literals;

inline sys_seconds to_seconds(sys_time t)
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
    // Occurrences the shared ledger released (claimed by an older term, never sent), to run
    // at the next firing pass, oldest first.
    std::vector<schedule::occurrence> released;
};

struct engine::impl : std::enable_shared_from_this<engine::impl> {
    impl(asio::any_io_executor ex, engine_params p, clock& c, std::shared_ptr<agent> a,
         audit::async_audit_writer& w, audit::audit_projection& s,
         std::shared_ptr<spdlog::logger> l)
        : executor(ex), params(std::move(p)), clk(c), payman(std::move(a)), writer(w), state(s),
          log(std::move(l)), ledger(params.policy.zone), occurrences(ex, report_failure()),
          loops(ex, report_failure()), slots_changed(ex), firing_done(ex),
          concurrency(ex, params.settings.concurrency),
          rng(params.seed != 0 ? params.seed : std::random_device{}()), confirm_timer(ex),
          confirm_progress(ex), leadership(ex, params.gate == nullptr)
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
    // Other nodes' payments of 32 days by identity (this term's progress read): limits count.
    std::map<std::string, limits::payment_record, std::less<>> others_spending;
    std::map<std::string, rule_slot, std::less<>> slots;
    std::set<std::string, std::less<>> running;  // identities in flight in this process
    // Who runs: the occurrences (scheduled, queued behind one in flight, manual, and records
    // written for others), which a stop lets finish within the grace period; and the loops
    // (reconciliation, confirmation, records held back), which it cancels at once. A queued
    // occurrence always waits behind one of the group, so the group empty means idle.
    core::task_group occurrences;
    core::task_group loops;
    bool stopping = false;
    bool audit_writable = true;
    signal slots_changed;
    // True while run_loop walks `slots` with awaits inside (firing due occurrences): a reload
    // waits for firing_done rather than replace the map under it.
    bool firing = false;
    signal firing_done;
    // The `concurrency` places, first come, first served: an occurrence holds one from its
    // start until its payment's ask is over (to its end when it sends none).
    core::places concurrency;
    std::mt19937_64 rng;
    // Records the audit log refused, waiting to be written (see keep_unrecorded).
    std::vector<audit::record_body> unrecorded;
    bool flushing = false;
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

    leadership_state leadership;  // a shared ledger: who schedules (engine_leadership.hpp)

    // --- audit ---------------------------------------------------------------------------

    // Appends durably; on failure retries (the store re-verifies its tail) until `deadline`.
    // Returns false when the records could not be made durable: then nothing may be sent.
    asio::awaitable<bool> append(std::vector<audit::record_body> batch,
                                 std::optional<sys_time> deadline = std::nullopt);

    // One record: GCC 12 miscompiles initializer lists inside co_await expressions.
    asio::awaitable<bool> append_one(audit::record_body body,
                                     std::optional<sys_time> deadline = std::nullopt);

    // True when the rule of `t` was changed or removed since `t` was planned.
    bool definition_replaced(const task& t) const;

    // Records that stay true whenever they are written (skipped, missed): when the log
    // refuses them now, they are kept and written as soon as it takes writes again.
    asio::awaitable<void> append_or_keep(std::vector<audit::record_body> batch);

    void keep_unrecorded(std::vector<audit::record_body> batch);

    // Writes the kept records once the audit log takes writes again, retrying with backoff
    // until then; a stop leaves them to the next start (found from the gaps they leave).
    asio::awaitable<void> flush_unrecorded();

    std::uint32_t draw() { return static_cast<std::uint32_t>(rng() % 1'000'000); }

    // Waits `delay` of real time (retry backoff) whatever the clock: backoff is about the
    // server, not about the schedule. Under a virtual clock it only moves virtual time. A
    // duration on a steady timer, not an instant of the engine's clock: under the crash
    // build's accelerated clock that instant would lie far in the real future.
    asio::awaitable<void> sleep_real(sys_time::duration delay);

    void rebuild_ledger();

    // --- one occurrence ------------------------------------------------------------------

    audit::occurrence_ref ref_of(const task& t) const;

    // An identity in `running` until it goes.
    struct running_mark {
        impl& d;
        std::string identity;
        running_mark(impl& i, std::string id) : d(i), identity(std::move(id))
        {
            d.running.insert(identity);
        }
        running_mark(const running_mark&) = delete;
        running_mark& operator=(const running_mark&) = delete;
        ~running_mark() { d.running.erase(identity); }
    };

    core::task_group::failure_handler report_failure();

    // A read-only ask (a transaction listing) with the occurrence's retry rule.
    struct ask_attempt {
        ask_outcome outcome;
        unsigned attempts = 0;
    };

    asio::awaitable<ask_attempt> read_with_retry(std::string text, payman::ask_options options,
                                                 sys_time deadline);

    // A reload that changes a rule at the moment an occurrence of its old definition is due
    // but not yet fired: the new definition starts at the reload, so each such occurrence is
    // recorded skipped, never dropped silently.
    void record_due_unfired(const rule_slot& old, sys_seconds now,
                            std::vector<audit::record_body>& out);

    // Says at the reload, before it happens, that a changed rule's next occurrence will be
    // refused as already paid.
    void warn_if_already_paid(const rule_slot& slot);

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

    void reserve(const std::string& identity, limits::payment_record r);

    // The reservation ends: the intent is durable (the projection counts it from now on, and
    // the ledger keeps the amount), or it never will be (the amount is taken back).
    void release(const std::string& identity);

    occurrence_context context_of(const task& t) const;

    occurrence_moment moment() const { return {.now = clk.wall_now(), .stopping = stopping}; }

    // Drives one occurrence's machine: performs each step it asks for, nothing more.
    asio::awaitable<void> run_occurrence(task t);

    // An occurrence's ask. Shareable reads of one text asked in one turn of the engine's
    // thread are one ask (see read_group).
    struct read_group;
    std::map<std::string, std::shared_ptr<read_group>, std::less<>> gathering;
    asio::awaitable<ask_outcome> ask(const step::ask& a);

    // What an occurrence's steps need of the engine while it runs.
    struct occurrence_driver {
        impl& d;
        const std::string& identity;
        // Its `concurrency` place, given back once the payment's ask is over: what follows
        // (recording the result, the shared ledger's end, the wait for a confirmation) does
        // not talk to Payman and does not hold back the next occurrence's asks.
        std::optional<core::places::place> place;
        std::optional<sending_count> sending{};  // from the limits gate to the payment's answer
        std::uint64_t back_at = 0;               // the payment's place among those sent

        asio::awaitable<occurrence_event> perform(occurrence_step next);
        asio::awaitable<occurrence_event> append(step::append& a);
    };

    void say(const step::say& line);

    rule_slot plan_slot(const std::shared_ptr<const rules::rule_set>& set, const rules::rule& rule,
                        sys_seconds now, std::vector<audit::record_body>& records);
    void drop_queue(rule_slot& slot, std::string_view reason,
                    std::vector<audit::record_body>& records);
    // Stopping: the queue goes; one a restart would not plan is recorded skipped.
    asio::awaitable<void> drop_queue_at_stop(rule_slot& slot);

    // --- scheduling ----------------------------------------------------------------------

    void start(task t);

    asio::awaitable<void> run_then_next(task t);

    // `behind_earlier`: an earlier occurrence of the same catch-up plan was just dispatched;
    // catch-up runs "one at a time", so this one queues behind it whatever the overlap
    // policy (which is about a previous occurrence still in flight when this one came due).
    asio::awaitable<void> dispatch(rule_slot& slot, const schedule::occurrence& occ,
                                   bool behind_earlier);

    asio::awaitable<void> record_missed(const rule_slot& slot, const schedule::catchup_plan& plan);

    // Occurrences of the rule's current definition before the last one it handled that have
    // no record: a process stopped before it handled them, or the audit log could not be
    // written. Nothing was sent for them (no intent is durable); they are recorded missed.
    // Looks back at most gap_lookback from the last one handled, and not into a run of
    // occurrences that one missed record already stands for.
    void record_gaps(const rules::rule& rule, sys_seconds active_since, sys_seconds last_utc,
                     schedule::local_minutes last_local, std::vector<audit::record_body>& out);

    void compute_next(rule_slot& slot);

    // Runs or records everything of `slot` that is due at `now`.
    asio::awaitable<void> fire_due(rule_slot& slot, sys_seconds now);

    asio::awaitable<void> run_loop();

    asio::awaitable<void> idle();

    // The shutdown, after the run loop ended: stop() cancelled the loops; the occurrences in
    // flight get up to the grace period; what is left then is cancelled (terminal), waited
    // for and named in the log.
    // Returns how many occurrences were left unfinished.
    asio::awaitable<std::size_t> wind_down();

    // --- reconciliation ------------------------------------------------------------------

    // Looks for each in-doubt payment in a recent transaction listing: a listed transaction
    // with the occurrence's memo tag, amount and payee proves it was paid, and settles that
    // occurrence only. Absence proves nothing (the listing may be short or late): it is
    // recorded once per occurrence as evidence and the occurrence stays in doubt.
    asio::awaitable<void> reconcile_once();

    // The tag an in-doubt occurrence's payment carried; a manual run's identity is the
    // scheduled form plus "~manual".
    static std::optional<prompt::memo_tag> reconcile_tag(const audit::occurrence_status& o);

    // A transaction listing's options: its own idempotency key, fresh for each listing (a
    // repeated key would be answered with the first listing) and reused by its retries.
    payman::ask_options listing_options(std::string_view purpose);

    // --- confirmation from the ledger ----------------------------------------------------

    // Payments one listing looks up at most: a listing of 100 transactions still reaches
    // them with room for those completed meanwhile.
    static constexpr std::size_t confirm_batch = 40;
    // How deep the oldest unsettled payment may lie in a listing (newest first) before new
    // payments wait: within a listing's reach (100) with room for payments made by others.
    static constexpr std::uint64_t confirm_window = max_listing_count - 10;

    std::uint64_t confirm_depth() const;

    // How deep the oldest unsettled payment may lie before new payments wait: within a
    // listing's reach, and within the count of every listing being read.
    std::uint64_t gate_limit() const;

    // Before a payment is sent: a burst must not push the payments still to be confirmed out
    // of every listing's reach, so it waits (asking for a listing at once) until they are
    // settled. Confirmation keeps up with one listing per ~40 payments.
    asio::awaitable<void> wait_for_confirmations();

    bool confirming() const;

    void await_confirmation(step::await_confirmation payment, std::uint64_t seq);

    void enqueue_confirmation(awaiting_payment p);

    // At start: completed payments of the last two days that no listing settled yet (the
    // daemon stopped before it could confirm them).
    void queue_unsettled_confirmations();

    // Takes the payments a listing may look up now, at most a batch (see the definition).
    std::vector<awaiting_payment> take_ready_confirmations();

    // One listing for the payments ready now: confirmed, mismatch or unconfirmed records for
    // those it settles; the others are looked up again after confirm_delay.
    asio::awaitable<void> confirm_round(std::vector<awaiting_payment> queue);

    asio::awaitable<void> confirm_listing(std::vector<awaiting_payment> queue);

    // Confirms payments as they become due, for as long as the engine runs.
    asio::awaitable<void> confirm_loop();

    // Until every awaiting payment is settled (`trigger`, tests), running rounds itself when
    // no loop does, and waiting for each payment to be due.
    asio::awaitable<void> settle_confirmations();

    asio::awaitable<void> reconcile_loop();

    void stop();
};

}  // namespace paymand::engine
