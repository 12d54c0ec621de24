#include "engine/engine_impl.hpp"
#include "engine/engine_leadership.hpp"
#include "paymand/schedule/identity.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace paymand::engine {

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

// Only a bug gets here (expected failures are values); the audit state decides what a
// restart does.
core::task_group::failure_handler engine::impl::report_failure()
{
    return [log = log](std::string_view task, std::exception_ptr e) {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log->critical("{}: internal error: {}", task, ex.what());
        } catch (...) {
            log->critical("{}: internal error", task);
        }
    };
}

namespace {

// A record stays within the log's line limit: a large set is written in parts, all in one
// batch (atomic), applied by the projection with its last part.
void add_rules_loaded(const std::vector<audit::rule_hash>& hashes,
                      std::vector<audit::record_body>& out)
{
    constexpr std::size_t rules_per_record = 400;  // ~40 KB of ids and hashes
    const auto parts = static_cast<std::uint32_t>(
        std::max<std::size_t>(1, (hashes.size() + rules_per_record - 1) / rules_per_record));
    for (std::uint32_t part = 1; part <= parts; ++part) {
        const auto first =
            hashes.begin() + static_cast<std::ptrdiff_t>((part - 1) * rules_per_record);
        const auto last =
            part == parts ? hashes.end() : first + static_cast<std::ptrdiff_t>(rules_per_record);
        out.push_back(audit::rules_loaded_record{
            .rules = std::vector<audit::rule_hash>(first, last), .part = part, .parts = parts});
    }
}

}  // namespace

asio::awaitable<bool> engine::async_set_rules(std::shared_ptr<const rules::rule_set> set)
{
    auto& d = *impl_;
    // The scheduler holds references into the slots while it fires: replace them after.
    while (d.firing) co_await d.firing_done.wait();
    const auto now = to_seconds(d.clk.wall_now());
    std::vector<audit::rule_hash> hashes;
    std::map<std::string, rule_slot, std::less<>> next_slots;
    // Every queued occurrence ends with a record, whatever the reload does to its rule.
    std::vector<audit::record_body> records;
    for (const auto& rule : set->rules()) {
        hashes.push_back({rule.id, rule.content_hash});
        next_slots.emplace(rule.id, d.plan_slot(set, rule, now, records));
    }
    for (auto& [id, slot] : d.slots)
        if (!next_slots.contains(id))
            d.drop_queue(slot, "the rule was removed before this queued occurrence could run",
                         records);
    d.slots = std::move(next_slots);
    add_rules_loaded(hashes, records);
    bool ok = co_await d.append(std::move(records));
    d.clk.interrupt();
    co_return ok;
}

asio::awaitable<std::size_t> engine::async_run()
{
    auto d = impl_;
    if (d->payman && !d->params.dry_run && !d->clk.is_virtual() &&
        d->params.settings.reconcile_interval.count() > 0) {
        d->loops.spawn("reconciliation", d->reconcile_loop());
    }
    if (d->confirming()) {
        d->queue_unsettled_confirmations();
        d->loops.spawn("confirmation", d->confirm_loop());
    }
    co_await d->run_loop();
    co_return co_await d->wind_down();
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

void engine::record_soon(std::vector<audit::record_body> records)
{
    auto d = impl_;
    d->occurrences.spawn("records",
                         [](std::shared_ptr<impl> d,
                            std::vector<audit::record_body> records) -> asio::awaitable<void> {
                             co_await d->append(std::move(records));
                         }(d, std::move(records)));
}

asio::awaitable<core::result<audit::record>>
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
    co_await settle_doubts_in_ledger(*d);
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

asio::awaitable<core::result<std::string>> engine::async_trigger(std::string rule_id)
{
    auto d = impl_;
    auto it = d->slots.find(rule_id);
    if (it == d->slots.end()) {
        core::error none{.code = make_error_code(std::errc::invalid_argument),
                         .message = fmt::format("no rule with id '{}'", rule_id)};
        co_return none;
    }
    auto& slot = it->second;
    const auto& rule = *slot.rule;
    auto now = to_seconds(d->clk.wall_now());
    auto local = rule.zone.to_local(now);
    task t{slot.set,
           slot.rule,
           {local, now},
           schedule::to_string(schedule::occurrence_id{rule.id, local}) +
               std::string(manual_suffix),
           true};
    if (d->state.handled(t.identity) || d->running.contains(t.identity)) {
        core::error ran{.code = make_error_code(std::errc::operation_in_progress),
                        .message = fmt::format("{} already ran this minute", t.identity)};
        co_return ran;
    }
    auto identity = t.identity;
    {
        // Inline in the caller's coroutine, which cancellation reaches; counted as in flight.
        const auto member = d->occurrences.join(identity);
        const impl::running_mark mark(*d, identity);
        co_await d->run_occurrence(std::move(t));
    }
    // A one-shot `trigger` waits for its payment's confirmation; the daemon's loop does it.
    if (!d->confirm_loop_running) co_await d->settle_confirmations();
    co_return identity;
}

asio::awaitable<void> engine::async_reconcile()
{
    auto d = impl_;
    co_await d->reconcile_once();
    co_await settle_doubts_in_ledger(*d);
}

asio::awaitable<void> engine::async_confirm()
{
    auto d = impl_;
    co_await d->settle_confirmations();
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
    if (d.params.gate) {
        const auto& l = d.leadership;
        s.role = !l.leading     ? schedule_role::standby
                 : !l.caught_up ? schedule_role::catching_up
                                : schedule_role::leader;
        s.catchup_error = l.catchup_error;
    }
    auto next = upcoming(1);
    if (!next.empty()) s.next = next.front();
    return s;
}

std::vector<upcoming_occurrence> engine::upcoming(std::size_t count) const
{
    const auto& d = *impl_;
    // Ordered by instant first, identities formatted for the chosen ones only: status() asks
    // for one of thousands of rules.
    std::vector<const std::pair<const std::string, rule_slot>*> due;
    for (const auto& entry : d.slots)
        if (entry.second.next) due.push_back(&entry);
    const auto earlier = [](const auto* a, const auto* b) {  // ties: by rule id
        return std::pair(a->second.next->instant, std::string_view(a->first)) <
               std::pair(b->second.next->instant, std::string_view(b->first));
    };
    const auto chosen = std::min(count, due.size());
    std::partial_sort(due.begin(), due.begin() + static_cast<std::ptrdiff_t>(chosen), due.end(),
                      earlier);
    std::vector<upcoming_occurrence> out;
    out.reserve(chosen);
    for (std::size_t i = 0; i < chosen; ++i) {
        const auto& [id, slot] = *due[i];
        out.push_back({id, schedule::to_string({id, slot.next->local}), slot.next->instant});
    }
    return out;
}

}  // namespace paymand::engine
