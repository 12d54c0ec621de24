#pragma once

// The daemon's figures for Prometheus: counters fed from durable audit records and from asks,
// a latency histogram, and gauges the daemon sets. Rendered in the text exposition format
// 0.0.4; every metric name starts with `paymand_` (docs/metrics.md lists them all).
//
// Single-threaded by contract: a registry is used only on the daemon's io_context thread
// (the feeds, the setters and render() alike); it has no locks.

#include "paymand/audit/record.hpp"
#include "paymand/payman/client_error.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::metrics {

// What an ask was for: a payment (it carries an idempotency key) or a read.
enum class ask_kind { payment, read };
inline constexpr std::size_t ask_kind_count = 2;

// How an ask ended: answered, or failed with the client's error class.
enum class ask_status { answered, not_sent, rejected, unknown_outcome };
inline constexpr std::size_t ask_status_count = 4;

std::string_view to_string(ask_kind k) noexcept;
std::string_view to_string(ask_status s) noexcept;
// "answered", "not_sent", "rejected" or "unknown_outcome"; nullopt for anything else.
std::optional<ask_status> parse_ask_status(std::string_view text) noexcept;
ask_status status_of(payman::error_class c) noexcept;

// How an occurrence ended (or was settled later), as `paymand_payments_total{outcome}`.
enum class payment_outcome {
    completed,          // result record: Payman said the payment is done
    failed,             // result record: Payman said it failed
    needs_input,        // result record: Payman asked for more input
    unclear,            // result record: the answer did not say
    given_up,           // failed record: never reached Payman or refused by it; nothing paid
    in_doubt,           // may have reached Payman, outcome unknown
    mismatch,           // the answer contradicts the intent
    denied,             // refused by a limit
    skipped,            // condition not met, overlap with the previous occurrence, ...
    missed,             // older than the rule's catch-up window
    reconciled_paid,    // an in-doubt occurrence found paid in the transaction listing
    resolved_paid,      // an operator settled an in-doubt occurrence as paid
    resolved_not_paid,  // ... as not paid
    confirmed,          // a completed payment found in the transaction listing
    unconfirmed,        // a completed payment the transaction listings did not show
};
inline constexpr std::size_t payment_outcome_count = 15;

std::string_view to_string(payment_outcome o) noexcept;

// The outcome a record counts as, or nullopt for records that end nothing (intent,
// condition, report, reconciliation that found nothing, the daemon's own records).
std::optional<payment_outcome> payment_outcome_of(const audit::record_body& body) noexcept;

// Upper bounds of the `paymand_ask_duration_seconds` buckets in microseconds, ascending;
// +Inf follows them.
inline constexpr std::array<std::int64_t, 12> ask_duration_bounds_us = {
    5'000,   10'000,    25'000,    50'000,    100'000,    250'000,
    500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000, 30'000'000};

// A node's side of the lease (`ha:` only; ledger::lease_keeper's status, copied by the
// daemon): the `paymand_ha_*` family. Never set on a single node, and then never rendered.
struct ha_figures {
    bool leader = false;     // holds the lease and is inside its trusted window
    bool eligible = true;    // may campaign (the reason when not: status and the log)
    std::int64_t epoch = 0;  // the term held now, else the last one held
    std::chrono::milliseconds lease_remaining{0};  // of the trusted window; 0 unless leader
    std::uint64_t takeovers = 0;
    std::uint64_t lease_losses = 0;
    std::uint64_t refused_renewals = 0;
    std::uint64_t refused_gates = 0;
    std::optional<std::chrono::milliseconds> clock_skew;  // database minus node, last read
};

class registry {
public:
    // `start_time` becomes paymand_start_time_seconds; `version` the label of
    // paymand_build_info.
    explicit registry(std::chrono::system_clock::time_point start_time, std::string version);

    // Counts one durable audit record: paymand_audit_records_total{type} always, and
    // paymand_payments_total{outcome} when it ends an occurrence. Dry-run records move no
    // money: they count in paymand_dry_run_records_total instead of the payment outcomes.
    void observe(const audit::record& r);

    // Counts one ask and its latency (negative latencies count as zero).
    void observe_ask(ask_kind kind, ask_status status, std::chrono::nanoseconds latency);
    // As above with the status spelled out; false (and nothing counted) for an unknown one.
    [[nodiscard]] bool observe_ask(ask_kind kind, std::string_view status,
                                   std::chrono::nanoseconds latency);

    void set_in_doubt(std::size_t count);
    void set_unconfirmed(std::size_t count);
    void set_rules(std::size_t loaded, std::size_t enabled);
    // nullopt: no occurrence is scheduled; the series is then left out of the scrape.
    void set_next_occurrence(std::optional<std::chrono::sys_seconds> when);
    void set_reload(bool ok, std::chrono::system_clock::time_point when);
    void set_audit_writable(bool writable);
    void set_clock_synchronised(bool synchronised);
    // The credential and world check's state ("verified", "refused", ...): rendered as
    // paymand_credentials{state="..."} 1, one series; absent until set.
    void set_credentials(std::string state);
    // The lease's figures (HA nodes only); the paymand_ha_* family appears once set.
    void set_ha(const ha_figures& figures);

    // The whole scrape: HELP and TYPE lines, then the samples of each metric. Gauges never
    // set (audit writable, clock synchronised, last reload, next occurrence) are left out.
    std::string render() const;

    // Read-back for tests and status lines.
    std::uint64_t payments(payment_outcome o) const noexcept;
    std::uint64_t audit_records(audit::record_type t) const noexcept;
    std::uint64_t asks(ask_kind kind, ask_status status) const noexcept;

private:
    // The parts of render(), in its order.
    void render_totals(std::string& out) const;
    void render_asks(std::string& out) const;
    void render_gauges(std::string& out) const;

    struct histogram {
        std::array<std::uint64_t, ask_duration_bounds_us.size() + 1> buckets{};  // not cumulative
        std::uint64_t count = 0;
        std::uint64_t sum_ns = 0;
    };

    std::chrono::sys_time<std::chrono::microseconds> start_time_;
    std::string version_;
    std::array<std::uint64_t, payment_outcome_count> payments_{};
    std::array<std::uint64_t, audit::record_type_count> audit_records_{};
    std::uint64_t dry_run_records_ = 0;
    std::array<std::array<std::uint64_t, ask_status_count>, ask_kind_count> asks_{};
    std::array<histogram, ask_kind_count> durations_{};
    std::size_t in_doubt_ = 0;
    std::size_t unconfirmed_ = 0;
    std::size_t rules_loaded_ = 0;
    std::size_t rules_enabled_ = 0;
    std::optional<std::chrono::sys_seconds> next_occurrence_;
    std::optional<bool> last_reload_ok_;
    std::chrono::sys_time<std::chrono::microseconds> last_reload_time_{};
    std::optional<bool> audit_writable_;
    std::optional<bool> clock_synchronised_;
    std::string credentials_;
    std::optional<ha_figures> ha_;
};

}  // namespace paymand::metrics
