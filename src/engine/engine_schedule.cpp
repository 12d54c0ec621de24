// Firing due occurrences: catch-up, overlap, gaps and the run loop.

#include "engine/engine_impl.hpp"
#include "paymand/engine/already_paid.hpp"
#include "paymand/schedule/identity.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace paymand::engine {

// A reload that changes a rule at the moment an occurrence of its old definition is due
// but not yet fired: the new definition starts at the reload, so each such occurrence is
// recorded skipped, never dropped silently.
void engine::impl::record_due_unfired(const rule_slot& old, sys_seconds now,
                                      std::vector<audit::record_body>& out)
{
    if (!old.next || old.next->instant > now) return;
    const auto& rule = *old.rule;
    constexpr std::size_t most = 1000;  // the rest is found from the gap at the next start
    for (const auto& occ : schedule::occurrences_between(rule.calendar, rule.zone,
                                                         old.next->instant, now + 1s, most)) {
        const auto identity = schedule::to_string({rule.id, occ.local});
        if (occ.local < old.next->local || state.handled(identity) || running.contains(identity))
            continue;
        out.push_back(audit::skipped_record{
            .ref = {rule.id, identity, occ.instant},
            .reason = "the rule was changed when this occurrence was due, before it could "
                      "run; its new definition is scheduled from the reload on"});
    }
}

// Says at the reload, before it happens, that a changed rule's next occurrence will be
// refused as already paid.
void engine::impl::warn_if_already_paid(const rule_slot& slot)
{
    if (!slot.next) return;
    if (auto warning =
            already_paid_warning(state, *slot.rule, *slot.next, params.policy.min_pay_interval))
        log->warn("{}", *warning);
}

void engine::impl::start(task t)
{
    auto& slot = slots.at(t.rule->id);
    slot.in_flight = true;
    auto name = t.identity;
    occurrences.spawn(std::move(name), run_then_next(std::move(t)));
}

// The next of the rule's queue starts (joining the group) before this one leaves it.
asio::awaitable<void> engine::impl::run_then_next(task t)
{
    auto self = shared_from_this();
    auto rule_id = t.rule->id;
    auto identity = t.identity;
    {
        const running_mark mark(*this, t.identity);
        co_await run_occurrence(std::move(t));
    }
    refused_ended(*this, identity);
    auto it = slots.find(rule_id);
    if (it == slots.end()) co_return;
    it->second.in_flight = false;
    if (stopping) {
        co_await drop_queue_at_stop(it->second);
        co_return;
    }
    if (it->second.queue.empty()) co_return;
    auto next = std::move(it->second.queue.front());
    it->second.queue.pop_front();
    start(std::move(next));
}

// `behind_earlier`: an earlier occurrence of the same catch-up plan was just dispatched;
// catch-up runs "one at a time", so this one queues behind it whatever the overlap
// policy (which is about a previous occurrence still in flight when this one came due).
asio::awaitable<void> engine::impl::dispatch(rule_slot& slot, const schedule::occurrence& occ,
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
    slot.queue.push_back(std::move(t));
}

asio::awaitable<void> engine::impl::record_missed(const rule_slot& slot,
                                                  const schedule::catchup_plan& plan)
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
void engine::impl::record_gaps(const rules::rule& rule, sys_seconds active_since,
                               sys_seconds last_utc, schedule::local_minutes last_local,
                               std::vector<audit::record_body>& out)
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
    out.push_back(audit::missed_record{
        .ref = {rule.id, first, gaps.front().instant},
        .reason = fmt::format("{} occurrences from {} to {}: {}", gaps.size(), first, last, why),
        .through = last});
}

void engine::impl::compute_next(rule_slot& slot)
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

namespace {

// Occurrences the shared ledger released run with the plan, in identity order, whatever the
// catch-up policy says of them: they were being run when their leader's term ended.
void take_released(rule_slot& slot, schedule::catchup_plan& plan,
                   std::vector<schedule::occurrence>& run)
{
    if (slot.released.empty()) return;
    const auto by_local = [](const auto& a, const auto& b) { return a.local < b.local; };
    std::sort(slot.released.begin(), slot.released.end(), by_local);
    std::erase_if(plan.missed, [&](const schedule::missed_occurrence& m) {
        return std::binary_search(slot.released.begin(), slot.released.end(), m.occ, by_local);
    });
    run.insert(run.end(), slot.released.begin(), slot.released.end());
    slot.released.clear();
    std::sort(run.begin(), run.end(), by_local);
    run.erase(std::unique(run.begin(), run.end(),
                          [](const auto& a, const auto& b) { return a.local == b.local; }),
              run.end());
}

}  // namespace

// Runs or records everything of `slot` that is due at `now`.
asio::awaitable<void> engine::impl::fire_due(rule_slot& slot, sys_seconds now)
{
    const auto& rule = *slot.rule;
    schedule::catchup_params cp{.policy = rule.catchup, .window = rule.catchup_window};
    auto plan =
        slot.handled_through
            ? schedule::plan_catchup(rule.calendar, rule.zone, *slot.handled_through, now, cp)
            : schedule::plan_catchup_since(rule.calendar, rule.zone, slot.active_since, now, cp);
    if (plan.handled_through) slot.handled_through = plan.handled_through;
    auto run = std::move(plan.run);
    take_released(slot, plan, run);
    co_await record_missed(slot, plan);
    for (std::size_t i = 0; i < run.size(); ++i) co_await dispatch(slot, run[i], i > 0);
    compute_next(slot);
}

asio::awaitable<void> engine::impl::run_loop()
{
    auto self = shared_from_this();
    while (!stopping) {
        if (!co_await ready_to_schedule(*this)) continue;
        auto now = to_seconds(clk.wall_now());
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
            // Once it has fired as many rules as there are places, the pass lets what it
            // started run after each rule: the first occurrences send their requests (their
            // intents one batch) and answers are read while the rest are planned. With 1,000
            // rules due at once the first requests waited about 10 ms for the other 999.
            unsigned fired = 0;
            for (auto& [id, slot] : slots) {
                // Lost while firing: the new leader goes on. Stopping: what is left due is
                // the next start's, under each rule's catch-up policy.
                if (!leadership.leading || stopping) break;
                if ((slot.next && slot.next->instant <= now) || !slot.released.empty()) {
                    co_await fire_due(slot, now);
                    if (++fired >= params.settings.concurrency)
                        co_await asio::post(executor, asio::use_awaitable);
                }
            }
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
        auto until = earliest ? sys_time(*earliest) : clk.wall_now() + std::chrono::hours(24);
        co_await clk.sleep_until(until);
    }
}

asio::awaitable<void> engine::impl::idle()
{
    co_await occurrences.async_wait();
}

asio::awaitable<std::size_t> engine::impl::wind_down()
{
    // Grace in real time, whatever the clock.
    const auto grace = std::chrono::steady_clock::now() + params.settings.shutdown_grace;
    std::size_t unfinished = 0;
    if (!co_await occurrences.async_wait_until(grace)) {
        unfinished = running.size();
        const auto left = occurrences.names();
        log->warn("shutdown grace of {} s over: cancelling {} unfinished: {}",
                  std::chrono::duration_cast<std::chrono::seconds>(params.settings.shutdown_grace)
                      .count(),
                  left.size(), fmt::join(left, ", "));
        occurrences.cancel(asio::cancellation_type::terminal);
        co_await occurrences.async_wait();
    }
    if (!leadership.refused.empty()) co_await record_refused_at_stop(*this);
    // stop() cancelled the loops. A run that ended with its virtual clock (simulate, tests)
    // leaves them to the engine's end.
    if (stopping) co_await loops.async_wait();
    co_return unfinished;
}

// The slot of `rule` in the set being installed. An unchanged rule keeps its place in the
// schedule and its queue; a new or changed one starts from the moment its current definition
// was first loaded (this load, or an earlier one the audit log records), and what its old
// definition had queued or left due is recorded in `records`.
rule_slot engine::impl::plan_slot(const std::shared_ptr<const rules::rule_set>& set,
                                  const rules::rule& rule, sys_seconds now,
                                  std::vector<audit::record_body>& records)
{
    rule_slot slot;
    slot.set = set;
    slot.rule = &rule;
    auto old = slots.find(rule.id);
    const bool changed = old != slots.end() && old->second.rule->content_hash != rule.content_hash;
    if (old != slots.end() && !changed) {
        slot.handled_through = old->second.handled_through;
        slot.active_since = old->second.active_since;
        slot.in_flight = old->second.in_flight;
        slot.queue = std::move(old->second.queue);
        slot.released = std::move(old->second.released);
        for (auto& t : slot.queue) t.set = set, t.rule = &rule;
        compute_next(slot);
        return slot;
    }
    auto since = state.rule_active_since(rule.id, rule.content_hash);
    slot.active_since = since ? *since : now;
    if (changed) {
        slot.in_flight = old->second.in_flight;
        drop_queue(old->second,
                   "the rule was changed before this queued occurrence could run; its new "
                   "definition is scheduled from the reload on",
                   records);
        record_due_unfired(old->second, now, records);
    }
    if (const auto* last = state.last_handled(rule.id)) {
        auto id = schedule::parse_occurrence_id(last->occurrence);
        if (id && last->utc >= slot.active_since) {
            slot.handled_through = id->local;
            record_gaps(rule, slot.active_since, last->utc, id->local, records);
        }
    }
    compute_next(slot);
    if (changed) warn_if_already_paid(slot);
    return slot;
}

// The queued ones never started and are not handled: a restart plans them again, from the
// definition's start as the audit log recorded it (the rules_loaded record's time stamp, in
// whole seconds). A reload plans from the moment it ran, and its record is stamped when it is
// written, later: an occurrence due between the two (an accelerated clock under load made it
// seconds) was planned here but lies before what a restart plans from. Each such one is recorded
// skipped, never left without a record.
asio::awaitable<void> engine::impl::drop_queue_at_stop(rule_slot& slot)
{
    std::vector<audit::record_body> records;
    for (const auto& t : slot.queue) {
        const auto since = state.rule_active_since(t.rule->id, t.rule->content_hash);
        if (since && t.occ.instant > *since) continue;  // a restart plans it
        log->warn("{}: queued when the daemon stopped, and due before its rule's definition was "
                  "recorded active: a restart does not plan it; recorded skipped",
                  t.identity);
        records.push_back(audit::skipped_record{
            .ref = ref_of(t),
            .reason = "the daemon stopped before this queued occurrence could run, and it is "
                      "due before its rule's definition was recorded active, where a restart "
                      "starts planning: not run"});
    }
    slot.queue.clear();
    if (!records.empty()) co_await append(std::move(records));
}

// A queue whose rule changed or went: each queued occurrence is recorded skipped.
void engine::impl::drop_queue(rule_slot& slot, std::string_view reason,
                              std::vector<audit::record_body>& records)
{
    if (!slot.queue.empty())
        log->warn("{}: {} queued occurrence(s) recorded as skipped: {}", slot.rule->id,
                  slot.queue.size(), reason);
    for (const auto& t : slot.queue) {
        records.push_back(audit::skipped_record{.ref = ref_of(t), .reason = std::string(reason)});
    }
    slot.queue.clear();
}

}  // namespace paymand::engine
