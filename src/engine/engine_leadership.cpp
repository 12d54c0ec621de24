// Only the leader schedules (docs/ha.md): a standby fires nothing, and a node that gains the
// lease resumes from the shared ledger's progress before it fires anything.

#include "engine/engine_leadership.hpp"

#include "engine/engine_impl.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/schedule/identity.hpp"
#include "paymand/text/word_table.hpp"

#include <boost/asio/as_tuple.hpp>

#include <fmt/format.h>

namespace paymand::engine {

namespace {

constexpr auto schedule_role_words = text::make_word_table<schedule_role>({
    {schedule_role::single, "single"},
    {schedule_role::standby, "standby"},
    {schedule_role::catching_up, "catching_up"},
    {schedule_role::leader, "leader"},
});

}  // namespace

core::result<schedule::occurrence_id> parse_identity(std::string_view identity)
{
    if (identity.ends_with(manual_suffix)) identity.remove_suffix(manual_suffix.size());
    return schedule::parse_occurrence_id(identity);
}

std::string_view to_string(schedule_role role) noexcept
{
    return schedule_role_words.word(role, "unknown");
}

void engine::set_leading(bool leading)
{
    auto& d = *impl_;
    if (!d.params.gate) return;  // a single node always leads
    auto& s = d.leadership;
    if (leading) {
        // A new term, even when the last one was never seen to end: its progress is read again.
        ++s.term;
        s.caught_up = false;
        s.catchup_error.clear();
        s.retry = std::chrono::seconds(1);
        d.log->info("leading: reading the shared ledger's progress before scheduling");
    } else if (s.leading) {
        d.log->warn("not leading: scheduling stops; the leader runs what comes due");
    }
    s.leading = leading;
    s.timer.cancel();
    d.clk.interrupt();
}

namespace detail {

// Waits until leadership changes or the engine stops, or `delay` passed (virtual time under a
// virtual clock: it moves on at once).
asio::awaitable<void> wait_for_leadership(engine::impl& d,
                                          std::optional<std::chrono::seconds> delay)
{
    if (delay && d.clk.is_virtual()) {
        static_cast<virtual_clock&>(d.clk).advance_to(d.clk.wall_now() + *delay);
        co_return;
    }
    auto& timer = d.leadership.timer;
    if (delay)
        timer.expires_after(*delay);
    else
        timer.expires_at(asio::steady_timer::time_point::max());
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// The slot resumes after the ledger's latest when that is later than its own, and of the
// rule's current definition (an older one's occurrences say nothing about the new schedule).
void adopt_latest(engine::impl& d, rule_slot& slot, const std::string& latest)
{
    const auto& rule = *slot.rule;
    auto id = schedule::parse_occurrence_id(latest);
    if (!id || id->rule != rule.id) {
        d.log->warn("{}: the shared ledger's latest occurrence '{}' is not one of this rule's; "
                    "ignored",
                    rule.id, latest);
        return;
    }
    if (rule.zone.resolve(id->local) < slot.active_since) return;
    if (!slot.handled_through || id->local > *slot.handled_through)
        slot.handled_through = id->local;
}

// What this node's log holds of an occurrence the shared ledger released.
enum class released_here {
    open,            // never closed here, or reopened already: it may run as it stands
    closed_unsent,   // closed without a request (its claim or gate refused when a term ended:
                     // failed, skipped, denied or missed): reopened first, then it may run
    with_a_request,  // in doubt, paid or unconfirmed here: never run again by this node
};

// The released row is the proof that no node passed its gate; this node's own log decides
// whether it may run the occurrence again.
released_here what_log_holds(engine::impl& d, const std::string& identity)
{
    const auto* closed = d.state.find(identity);
    if (closed == nullptr || closed->state == audit::occurrence_state::reopened)
        return released_here::open;
    switch (closed->state) {
    case audit::occurrence_state::failed:
    case audit::occurrence_state::skipped:
    case audit::occurrence_state::denied:
    case audit::occurrence_state::missed:
        return released_here::closed_unsent;
    default:
        d.log->error("{}: released by the shared ledger (never sent there), but this node's "
                     "audit log holds it {}: not run again by this node; check it "
                     "(paymand status)",
                     identity, audit::to_string(closed->state));
        return released_here::with_a_request;
    }
}

// Released occurrences go back to run in the next firing pass (slot.released), except those
// no new leader repeats: each of those gets its record in `records`. One this node closed
// without a request is reopened first (reopened_record), so that its run again is recorded
// from the start.
void put_back_released(engine::impl& d, rule_slot& slot, const std::string& identity,
                       sys_seconds now, std::vector<audit::record_body>& records)
{
    const auto& rule = *slot.rule;
    const bool manual = identity.ends_with(manual_suffix);
    auto id = parse_identity(identity);
    if (!id || id->rule != rule.id) {
        d.log->warn("{}: released occurrence '{}' is not one of this rule's; ignored", rule.id,
                    identity);
        return;
    }
    const schedule::occurrence occ{id->local, rule.zone.resolve(id->local)};
    // Released and refused both: put back once.
    const auto again = [&](const schedule::occurrence& o) { return o.local == occ.local; };
    if (!manual && std::ranges::any_of(slot.released, again)) return;
    if (d.running.contains(identity)) return;
    const auto here = what_log_holds(d, identity);
    if (here == released_here::with_a_request) return;
    const bool reopen = here == released_here::closed_unsent;
    const audit::occurrence_ref ref{rule.id, identity, occ.instant};
    const auto skip = [&](std::string reason) {
        d.log->warn("{}: released by a takeover, not run again: {}", identity, reason);
        // Closed here already: its record stands.
        if (!reopen) records.push_back(audit::skipped_record{.ref = ref, .reason = reason});
    };
    if (manual)
        return skip("a manual run (paymand trigger) claimed by an earlier leader and never "
                    "sent; the operator asked for it then, on that node: run paymand trigger "
                    "again if it is still wanted");
    if (occ.instant < slot.active_since)
        return skip("claimed by an earlier leader and never sent, under an older definition of "
                    "the rule; its new definition does not run it");
    if (occ.instant + rule.catchup_window < now) {
        d.log->warn("{}: released by a takeover after the rule's catch-up window: missed",
                    identity);
        if (!reopen)
            records.push_back(audit::missed_record{
                .ref = ref,
                .reason = "claimed by an earlier leader and never sent; released by a takeover "
                          "after the rule's catch-up window"});
        return;
    }
    if (reopen) {
        d.log->warn("{}: released by the shared ledger (never sent), which this node had "
                    "closed without a request: reopened, it runs again",
                    identity);
        records.push_back(audit::reopened_record{
            .ref = ref,
            .reason = "closed here without a request when this node's term ended; the shared "
                      "ledger released it (no node passed its send gate): it runs again"});
    }
    slot.released.push_back(occ);
}

// Occurrences whose claim or gate was refused in an older term than the current one, which has
// read the ledger's progress: each goes back to run like a released one (its claim decides:
// another node may have run it meanwhile). One still finishing its refused run waits for its
// end (refused_ended). One whose rule went is recorded skipped, unless its refused gate's
// record closed it already.
void put_back_refused(engine::impl& d, sys_seconds now, std::vector<audit::record_body>& records)
{
    auto& s = d.leadership;
    for (auto it = s.refused.begin(); it != s.refused.end();) {
        const auto& [identity, asked_in] = *it;
        if (asked_in >= s.term || d.running.contains(identity)) {
            ++it;
            continue;
        }
        auto id = schedule::parse_occurrence_id(identity);
        auto slot = id ? d.slots.find(id->rule) : d.slots.end();
        if (slot != d.slots.end()) {
            put_back_released(d, slot->second, identity, now, records);
        } else if (id) {
            d.log->warn("{}: refused when this node did not lead, and its rule is no longer in "
                        "the rule set; not run",
                        identity);
            if (!d.state.handled(identity))
                records.push_back(audit::skipped_record{
                    .ref = {id->rule, identity, now},
                    .reason = "its claim was refused when this node did not lead, and its rule was "
                              "removed before this node led again; not run"});
        }
        it = s.refused.erase(it);
    }
}

// Other nodes' payments in the ledger, counted against this node's limits exactly as their
// rows say (written at their gates). A row gated before the ledger's schema version 3 says
// nothing: it counts at the amount and payee of the rule that made it (the nodes that lead run
// the same rule set: eligibility); one whose rule this node does not have, or that no longer
// pays, has no amount here: said at error level, not counted.
void adopt_others_spending(engine::impl& d, const std::vector<rule_progress>& progress)
{
    std::map<std::string, limits::payment_record, std::less<>> spent;
    std::size_t unknown = 0;
    std::size_t estimated = 0;
    for (const auto& p : progress) {
        const auto slot = d.slots.find(p.rule);
        const auto* pay = slot != d.slots.end() ? slot->second.rule->payment() : nullptr;
        const auto add = [&](const other_payment& other, limits::payment_status status) {
            if (other.payment) {
                auto exact = *other.payment;
                exact.status = status;
                spent.insert_or_assign(other.identity, std::move(exact));
                return;
            }
            auto id = parse_identity(other.identity);
            if (pay == nullptr || !id || id->rule != p.rule) {
                ++unknown;
                return;
            }
            ++estimated;
            spent.insert_or_assign(
                other.identity,
                limits::payment_record{.amount = pay->amount.minor_units(),
                                       .currency = std::string(pay->amount.unit().code()),
                                       .payee = pay->payee,
                                       .instant = slot->second.rule->zone.resolve(id->local),
                                       .status = status});
        };
        for (const auto& other : p.others_paid) add(other, limits::payment_status::completed);
        for (const auto& other : p.others_in_doubt) add(other, limits::payment_status::in_doubt);
    }
    if (unknown > 0)
        d.log->error("limits: {} payment(s) other nodes made in the last 32 days were gated "
                     "before the ledger recorded amounts and belong to rules this node does not "
                     "have or that no longer pay: their amounts are unknown here and limits do "
                     "not count them; check the cluster's spending (docs/ha.md, runbook)",
                     unknown);
    if (!spent.empty())
        d.log->info("limits: counting {} payment(s) other nodes made in the last 32 days ({} at "
                    "their rule's current amount: gated before the ledger recorded amounts)",
                    spent.size(), estimated);
    d.others_spending = std::move(spent);
    d.ledger_stale = true;
}

// The progress read at the start of a term: each slot resumes after the later of its own and
// the ledger's latest, released ones go back to run, and so do claims refused in an older term
// (one of those may lie before the ledger's latest: the queue claims on under the new term).
void apply_progress(engine::impl& d, const std::vector<rule_progress>& progress, sys_seconds now,
                    std::vector<audit::record_body>& records)
{
    for (const auto& p : progress) {
        auto it = d.slots.find(p.rule);
        if (it == d.slots.end()) continue;  // not a rule of this set: nothing to schedule
        if (p.latest) adopt_latest(d, it->second, *p.latest);
        for (const auto& identity : p.released)
            put_back_released(d, it->second, identity, now, records);
    }
    put_back_refused(d, now, records);
    adopt_others_spending(d, progress);
    for (auto& [id, slot] : d.slots) d.compute_next(slot);
}

}  // namespace detail

asio::awaitable<bool> ready_to_schedule(engine::impl& d)
{
    auto& s = d.leadership;
    if (!d.params.gate) co_return true;
    if (!s.leading) {
        co_await detail::wait_for_leadership(d, std::nullopt);
        co_return false;
    }
    const auto asked_in = s.term;
    if (s.caught_up) {
        if (s.refused.empty()) co_return true;
        std::vector<audit::record_body> records;
        detail::put_back_refused(d, to_seconds(d.clk.wall_now()), records);
        if (!records.empty()) co_await d.append_or_keep(std::move(records));
        co_return !d.stopping && s.leading && s.term == asked_in;
    }
    auto progress = co_await d.params.gate->progress();
    // Lost, stopped or a new term while reading: this answer is stale; look again.
    if (d.stopping || !s.leading || s.term != asked_in) co_return false;
    if (!progress) {
        s.catchup_error = progress.error().message;
        d.log->error("leading but not scheduling: {}; trying again in {} s", s.catchup_error,
                     s.retry.count());
        const auto delay = s.retry;
        s.retry = std::min(s.retry * 2, std::chrono::seconds(10));
        co_await detail::wait_for_leadership(d, delay);
        co_return false;
    }
    std::vector<audit::record_body> records;
    detail::apply_progress(d, *progress, to_seconds(d.clk.wall_now()), records);
    s.caught_up = true;
    s.catchup_error.clear();
    d.log->info("leading: scheduling from the shared ledger's progress ({} rule(s) in it)",
                progress->size());
    if (!records.empty()) co_await d.append_or_keep(std::move(records));
    co_return !d.stopping && s.leading && s.term == asked_in;
}

void note_refused(leadership_state& s, const std::string& identity, std::uint64_t asked_in)
{
    if (identity.ends_with(manual_suffix)) return;  // a manual run is not scheduled again
    s.refused.insert_or_assign(identity, asked_in);
}

void refused_ended(engine::impl& d, const std::string& identity)
{
    const auto& s = d.leadership;
    auto it = s.refused.find(identity);
    if (it != s.refused.end() && s.leading && s.caught_up && it->second < s.term) d.clk.interrupt();
}

asio::awaitable<void> record_refused_at_stop(engine::impl& d)
{
    std::vector<audit::record_body> records;
    for (const auto& [identity, asked_in] : d.leadership.refused) {
        auto id = schedule::parse_occurrence_id(identity);
        if (!id) continue;
        const auto slot = d.slots.find(id->rule);
        const auto instant = slot != d.slots.end() ? slot->second.rule->zone.resolve(id->local)
                                                   : to_seconds(d.clk.wall_now());
        d.log->warn("{}: not run by this node: refused when this node did not lead, and it "
                    "stops before leading again; the shared ledger shows whether another node "
                    "ran it",
                    identity);
        if (d.state.handled(identity)) continue;  // its refused gate's record closed it
        records.push_back(audit::skipped_record{
            .ref = {id->rule, identity, instant},
            .reason = "not run by this node: its claim was refused when this node did not lead, "
                      "and the node stopped before leading again; whether another node ran it "
                      "is in the shared ledger"});
    }
    d.leadership.refused.clear();
    if (!records.empty()) co_await d.append(std::move(records));
}

}  // namespace paymand::engine
