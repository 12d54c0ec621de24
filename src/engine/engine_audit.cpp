// Appending to the audit log: durable before anything is sent, and records that stay true
// held back while the log refuses writes.

#include "engine/engine_impl.hpp"
#include "paymand/engine/backoff.hpp"

namespace paymand::engine {

// Appends durably; on failure retries (the store re-verifies its tail) until `deadline`.
// Returns false when the records could not be made durable: then nothing may be sent.
asio::awaitable<bool> engine::impl::append(std::vector<audit::record_body> batch,
                                           std::optional<sys_time> deadline)
{
    unsigned attempt = 0;
    for (;;) {
        // GCC 12 destroys a braced temporary inside a co_await expression twice, so
        // every record in this file is built as a named object before it is awaited.
        auto pending = writer.async_append(std::vector<audit::record_body>(batch));
        auto receipt = co_await std::move(pending);
        if (receipt) {
            if (!audit_writable) {
                log->warn("audit log is writable again");
                audit_writable = true;
                if (params.on_audit_writable) params.on_audit_writable(true);
            }
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
        if (audit_writable && params.on_audit_writable) params.on_audit_writable(false);
        audit_writable = false;
        ++attempt;
        auto now = clk.wall_now();
        if (stopping || !deadline || now >= *deadline) co_return false;
        auto delay = backoff_delay(params.settings.retry, attempt, std::nullopt, draw());
        co_await sleep_real(std::min<sys_time::duration>(delay, *deadline - now));
    }
}

// One record: GCC 12 miscompiles initializer lists inside co_await expressions.
asio::awaitable<bool> engine::impl::append_one(audit::record_body body,
                                               std::optional<sys_time> deadline)
{
    std::vector<audit::record_body> batch;
    batch.push_back(std::move(body));
    co_return co_await append(std::move(batch), deadline);
}

// Records that stay true whenever they are written (skipped, missed): when the log
// refuses them now, they are kept and written as soon as it takes writes again.
asio::awaitable<void> engine::impl::append_or_keep(std::vector<audit::record_body> batch)
{
    auto copy = batch;
    const bool written = co_await append(std::move(copy));
    if (!written) keep_unrecorded(std::move(batch));
    co_return;
}

void engine::impl::keep_unrecorded(std::vector<audit::record_body> batch)
{
    for (auto& r : batch) unrecorded.push_back(std::move(r));
    if (flushing || stopping) return;
    flushing = true;
    loops.spawn("records held back", flush_unrecorded());
}

// Writes the kept records once the audit log takes writes again, retrying with backoff
// until then; a stop leaves them to the next start (found from the gaps they leave).
asio::awaitable<void> engine::impl::flush_unrecorded()
{
    auto self = shared_from_this();
    struct flushed {
        bool& flushing;
        ~flushed() { flushing = false; }
    } end{flushing};
    asio::steady_timer backoff(executor);
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
        backoff.expires_after(
            backoff_delay(params.settings.retry, ++attempt, std::nullopt, draw()));
        co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

// Waits `delay` of real time (retry backoff) whatever the clock: backoff is about the
// server, not about the schedule. Under a virtual clock it only moves virtual time. A
// duration on a steady timer, not an instant of the engine's clock: under the crash
// build's accelerated clock that instant would lie far in the real future.
asio::awaitable<void> engine::impl::sleep_real(sys_time::duration delay)
{
    if (clk.is_virtual()) {
        static_cast<virtual_clock&>(clk).advance_to(clk.wall_now() + delay);
        co_return;
    }
    asio::steady_timer timer(executor, delay);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

void engine::impl::rebuild_ledger()
{
    ledger = limits::spending_ledger(params.policy.zone);
    // Limits look at most a calendar month back; 32 days covers every month and zone.
    auto since = to_seconds(clk.wall_now()) - std::chrono::days(32);
    for (const auto& e : state.spending(since))
        ledger.add({.amount = e.amount.minor_units(),
                    .currency = std::string(e.amount.unit().code()),
                    .payee = e.payee,
                    .instant = e.utc,
                    .status = e.in_doubt ? limits::payment_status::in_doubt
                                         : limits::payment_status::completed});
    for (const auto& [identity, p] : others_spending) {
        const auto* o = state.find(identity);
        if (p.instant < since || (o != nullptr && audit::counts_as_spending(o->state))) continue;
        ledger.add(p);
    }
    for (const auto& [identity, r] : reservations) {
        const auto* o = state.find(identity);
        if (o == nullptr || !o->payment) ledger.add(r);  // not yet counted by the log
    }
    ledger_stale = false;
}

}  // namespace paymand::engine
