#include "paymand/metrics/registry.hpp"

#include "paymand/metrics/exposition.hpp"
#include "paymand/text/word_table.hpp"

#include <fmt/format.h>

#include <type_traits>
#include <utility>
#include <variant>

namespace paymand::metrics {
namespace {

using std::chrono::microseconds;

constexpr std::array<ask_kind, ask_kind_count> all_kinds = {ask_kind::payment, ask_kind::read};
constexpr std::array<ask_status, ask_status_count> all_statuses = {
    ask_status::answered, ask_status::not_sent, ask_status::rejected, ask_status::unknown_outcome};

template <class E>
constexpr std::size_t index(E e) noexcept
{
    return static_cast<std::size_t>(e);
}

// Appends the HELP and TYPE lines of one metric family.
void family(std::string& out, std::string_view name, std::string_view type, std::string_view help)
{
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help),
                   name, type);
}

void sample(std::string& out, std::string_view name, std::string_view value)
{
    fmt::format_to(std::back_inserter(out), "{} {}\n", name, value);
}

void sample(std::string& out, std::string_view name, std::string_view label,
            std::string_view label_value, std::string_view value)
{
    fmt::format_to(std::back_inserter(out), "{}{{{}=\"{}\"}} {}\n", name, label,
                   escape_label_value(label_value), value);
}

std::string seconds_text(std::chrono::sys_time<microseconds> t)
{
    return format_signed_decimal(t.time_since_epoch().count(), 6);
}

std::string_view bool_text(bool b)
{
    return b ? "1" : "0";
}

}  // namespace

namespace {

constexpr auto kind_words = text::make_word_table<ask_kind>({
    {ask_kind::payment, "payment"},
    {ask_kind::read, "read"},
});
static_assert(kind_words.rows().size() == ask_kind_count);  // a word for every value

}  // namespace

std::string_view to_string(ask_kind k) noexcept
{
    return kind_words.word(k, "read");
}

namespace {

constexpr auto status_words = text::make_word_table<ask_status>({
    {ask_status::answered, "answered"},
    {ask_status::not_sent, "not_sent"},
    {ask_status::rejected, "rejected"},
    {ask_status::unknown_outcome, "unknown_outcome"},
});
static_assert(status_words.rows().size() == ask_status_count);  // a word for every value

}  // namespace

std::string_view to_string(ask_status s) noexcept
{
    return status_words.word(s, "unknown_outcome");
}

std::optional<ask_status> parse_ask_status(std::string_view text) noexcept
{
    return status_words.parse(text);
}

ask_status status_of(payman::error_class c) noexcept
{
    switch (c) {
    case payman::error_class::not_sent:
        return ask_status::not_sent;
    case payman::error_class::rejected:
        return ask_status::rejected;
    case payman::error_class::unknown_outcome:
        return ask_status::unknown_outcome;
    }
    return ask_status::unknown_outcome;
}

namespace {

constexpr auto outcome_words = text::make_word_table<payment_outcome>({
    {payment_outcome::completed, "completed"},
    {payment_outcome::failed, "failed"},
    {payment_outcome::needs_input, "needs_input"},
    {payment_outcome::unclear, "unclear"},
    {payment_outcome::given_up, "given_up"},
    {payment_outcome::in_doubt, "in_doubt"},
    {payment_outcome::mismatch, "mismatch"},
    {payment_outcome::denied, "denied"},
    {payment_outcome::skipped, "skipped"},
    {payment_outcome::missed, "missed"},
    {payment_outcome::reconciled_paid, "reconciled_paid"},
    {payment_outcome::resolved_paid, "resolved_paid"},
    {payment_outcome::resolved_not_paid, "resolved_not_paid"},
    {payment_outcome::confirmed, "confirmed"},
    {payment_outcome::unconfirmed, "unconfirmed"},
});
static_assert(outcome_words.rows().size() == payment_outcome_count);  // a word for every value

}  // namespace

std::string_view to_string(payment_outcome o) noexcept
{
    return outcome_words.word(o, "unclear");
}

std::optional<payment_outcome> payment_outcome_of(const audit::record_body& body) noexcept
{
    return std::visit(
        [](const auto& r) -> std::optional<payment_outcome> {
            using T = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<T, audit::result_record>) {
                switch (r.outcome) {
                case audit::outcome::completed:
                    return payment_outcome::completed;
                case audit::outcome::failed:
                    return payment_outcome::failed;
                case audit::outcome::needs_input:
                    return payment_outcome::needs_input;
                case audit::outcome::unclear:
                    return payment_outcome::unclear;
                case audit::outcome::dry_run:
                    return std::nullopt;  // never sent: no payment outcome
                }
                return payment_outcome::unclear;
            } else if constexpr (std::is_same_v<T, audit::failed_record>) {
                return payment_outcome::given_up;
            } else if constexpr (std::is_same_v<T, audit::in_doubt_record>) {
                return payment_outcome::in_doubt;
            } else if constexpr (std::is_same_v<T, audit::mismatch_record>) {
                return payment_outcome::mismatch;
            } else if constexpr (std::is_same_v<T, audit::denied_record>) {
                return payment_outcome::denied;
            } else if constexpr (std::is_same_v<T, audit::skipped_record>) {
                return payment_outcome::skipped;
            } else if constexpr (std::is_same_v<T, audit::missed_record>) {
                return payment_outcome::missed;
            } else if constexpr (std::is_same_v<T, audit::reconciled_record>) {
                if (r.result == audit::reconcile_outcome::paid)
                    return payment_outcome::reconciled_paid;
                return std::nullopt;
            } else if constexpr (std::is_same_v<T, audit::confirmed_record>) {
                return payment_outcome::confirmed;
            } else if constexpr (std::is_same_v<T, audit::unconfirmed_record>) {
                return payment_outcome::unconfirmed;
            } else if constexpr (std::is_same_v<T, audit::resolved_record>) {
                return r.resolution == audit::resolution::paid ? payment_outcome::resolved_paid
                                                               : payment_outcome::resolved_not_paid;
            } else {
                return std::nullopt;
            }
        },
        body);
}

registry::registry(std::chrono::system_clock::time_point start_time, std::string version)
    : start_time_(std::chrono::time_point_cast<microseconds>(start_time)),
      version_(std::move(version))
{
}

void registry::observe(const audit::record& r)
{
    ++audit_records_[index(audit::type_of(r.body))];
    if (r.dry_run) {
        ++dry_run_records_;
        return;
    }
    if (auto o = payment_outcome_of(r.body)) ++payments_[index(*o)];
}

void registry::observe_ask(ask_kind kind, ask_status status, std::chrono::nanoseconds latency)
{
    ++asks_[index(kind)][index(status)];
    const auto ns = latency.count() > 0 ? static_cast<std::uint64_t>(latency.count()) : 0;
    auto& h = durations_[index(kind)];
    std::size_t bucket = 0;
    while (bucket < ask_duration_bounds_us.size() &&
           ns > static_cast<std::uint64_t>(ask_duration_bounds_us[bucket]) * 1000)
        ++bucket;
    ++h.buckets[bucket];
    ++h.count;
    h.sum_ns += ns;
}

bool registry::observe_ask(ask_kind kind, std::string_view status, std::chrono::nanoseconds latency)
{
    auto s = parse_ask_status(status);
    if (!s) return false;
    observe_ask(kind, *s, latency);
    return true;
}

void registry::set_in_doubt(std::size_t count)
{
    in_doubt_ = count;
}

void registry::set_unconfirmed(std::size_t count)
{
    unconfirmed_ = count;
}

void registry::set_rules(std::size_t loaded, std::size_t enabled)
{
    rules_loaded_ = loaded;
    rules_enabled_ = enabled;
}

void registry::set_next_occurrence(std::optional<std::chrono::sys_seconds> when)
{
    next_occurrence_ = when;
}

void registry::set_reload(bool ok, std::chrono::system_clock::time_point when)
{
    last_reload_ok_ = ok;
    last_reload_time_ = std::chrono::time_point_cast<microseconds>(when);
}

void registry::set_audit_writable(bool writable)
{
    audit_writable_ = writable;
}

void registry::set_clock_synchronised(bool synchronised)
{
    clock_synchronised_ = synchronised;
}

void registry::set_credentials(std::string state)
{
    credentials_ = std::move(state);
}

std::uint64_t registry::payments(payment_outcome o) const noexcept
{
    return payments_[index(o)];
}

std::uint64_t registry::audit_records(audit::record_type t) const noexcept
{
    return audit_records_[index(t)];
}

std::uint64_t registry::asks(ask_kind kind, ask_status status) const noexcept
{
    return asks_[index(kind)][index(status)];
}

void registry::set_ha(const ha_figures& figures)
{
    ha_ = figures;
}

namespace {

// Milliseconds as seconds, trailing zeros dropped ("-1.25").
std::string milliseconds_text(std::chrono::milliseconds ms)
{
    return format_signed_decimal(ms.count(), 3);
}

void render_ha(std::string& out, const ha_figures& ha)
{
    family(out, "paymand_ha_leader", "gauge",
           "1 when this node holds the lease and is inside its trusted window, else 0.");
    sample(out, "paymand_ha_leader", bool_text(ha.leader));
    family(out, "paymand_ha_eligible", "gauge",
           "1 when this node may campaign for the lease; 0: schema, continuity, clock skew or "
           "another rule set or policy keeps it out (reason in the log and status).");
    sample(out, "paymand_ha_eligible", bool_text(ha.eligible));
    family(out, "paymand_ha_epoch", "gauge",
           "The lease epoch this node holds, else the last one it held (0: never).");
    sample(out, "paymand_ha_epoch", std::to_string(ha.epoch));
    family(out, "paymand_ha_lease_remaining_seconds", "gauge",
           "What is left of this node's trusted lease window; 0 unless leader.");
    sample(out, "paymand_ha_lease_remaining_seconds", milliseconds_text(ha.lease_remaining));
    family(out, "paymand_ha_takeovers_total", "counter", "Leases this node acquired.");
    sample(out, "paymand_ha_takeovers_total", std::to_string(ha.takeovers));
    family(out, "paymand_ha_lease_losses_total", "counter",
           "Leases this node lost or gave up (refused renewal, window ran out, stop).");
    sample(out, "paymand_ha_lease_losses_total", std::to_string(ha.lease_losses));
    family(out, "paymand_ha_refused_renewals_total", "counter",
           "Renewals the database refused: the term had expired or another node held it.");
    sample(out, "paymand_ha_refused_renewals_total", std::to_string(ha.refused_renewals));
    family(out, "paymand_ha_refused_gates_total", "counter",
           "Payments the ledger's fenced gate refused: nothing was sent for them.");
    sample(out, "paymand_ha_refused_gates_total", std::to_string(ha.refused_gates));
    if (ha.clock_skew) {
        family(out, "paymand_ha_clock_skew_seconds", "gauge",
               "The database's clock minus this node's, at the last reading.");
        sample(out, "paymand_ha_clock_skew_seconds", milliseconds_text(*ha.clock_skew));
    }
}

}  // namespace

std::string registry::render() const
{
    std::string out;
    out.reserve(8192);
    render_totals(out);
    render_asks(out);
    render_gauges(out);
    return out;
}

void registry::render_totals(std::string& out) const
{
    family(out, "paymand_build_info", "gauge", "Always 1; the label carries paymand's version.");
    sample(out, "paymand_build_info", "version", version_, "1");

    family(out, "paymand_start_time_seconds", "gauge",
           "When the daemon started, in seconds since the Unix epoch.");
    sample(out, "paymand_start_time_seconds", seconds_text(start_time_));

    family(out, "paymand_payments_total", "counter",
           "Occurrences by how they ended (or were settled), from durable audit records; dry "
           "runs excluded.");
    for (std::size_t i = 0; i < payment_outcome_count; ++i)
        sample(out, "paymand_payments_total", "outcome", to_string(static_cast<payment_outcome>(i)),
               std::to_string(payments_[i]));

    family(out, "paymand_audit_records_total", "counter",
           "Durable audit records by type, dry-run records included.");
    for (std::size_t i = 0; i < audit::record_type_count; ++i)
        sample(out, "paymand_audit_records_total", "type",
               audit::to_string(static_cast<audit::record_type>(i)),
               std::to_string(audit_records_[i]));

    family(out, "paymand_dry_run_records_total", "counter",
           "Durable audit records written by dry runs (they move no money).");
    sample(out, "paymand_dry_run_records_total", std::to_string(dry_run_records_));
}

void registry::render_asks(std::string& out) const
{
    auto it = std::back_inserter(out);
    family(out, "paymand_asks_total", "counter",
           "Asks sent to Payman's agent by kind and how they ended.");
    for (auto kind : all_kinds)
        for (auto status : all_statuses)
            fmt::format_to(it, "paymand_asks_total{{kind=\"{}\",outcome=\"{}\"}} {}\n",
                           to_string(kind), to_string(status), asks_[index(kind)][index(status)]);

    family(out, "paymand_ask_duration_seconds", "histogram",
           "Time from sending an ask to its answer or failure, retries not included.");
    for (auto kind : all_kinds) {
        const auto& h = durations_[index(kind)];
        std::uint64_t cumulative = 0;
        for (std::size_t b = 0; b < h.buckets.size(); ++b) {
            cumulative += h.buckets[b];
            const auto le = b < ask_duration_bounds_us.size()
                                ? format_signed_decimal(ask_duration_bounds_us[b], 6)
                                : std::string("+Inf");
            fmt::format_to(it, "paymand_ask_duration_seconds_bucket{{kind=\"{}\",le=\"{}\"}} {}\n",
                           to_string(kind), le, cumulative);
        }
        fmt::format_to(it, "paymand_ask_duration_seconds_sum{{kind=\"{}\"}} {}\n", to_string(kind),
                       format_decimal(h.sum_ns, 9));
        fmt::format_to(it, "paymand_ask_duration_seconds_count{{kind=\"{}\"}} {}\n",
                       to_string(kind), h.count);
    }
}

void registry::render_gauges(std::string& out) const
{
    family(out, "paymand_in_doubt_occurrences", "gauge",
           "Occurrences in doubt: they may have been paid; an operator must resolve them.");
    sample(out, "paymand_in_doubt_occurrences", std::to_string(in_doubt_));

    family(out, "paymand_unconfirmed_payments", "gauge",
           "Payments the agent reported completed that no transaction listing showed.");
    sample(out, "paymand_unconfirmed_payments", std::to_string(unconfirmed_));

    family(out, "paymand_rules_loaded", "gauge", "Rules in the loaded rule set.");
    sample(out, "paymand_rules_loaded", std::to_string(rules_loaded_));
    family(out, "paymand_rules_enabled", "gauge", "Loaded rules that are enabled.");
    sample(out, "paymand_rules_enabled", std::to_string(rules_enabled_));

    if (next_occurrence_) {
        family(out, "paymand_next_occurrence_timestamp_seconds", "gauge",
               "When the next occurrence of any enabled rule is due, in seconds since the Unix "
               "epoch; absent when none is scheduled.");
        sample(out, "paymand_next_occurrence_timestamp_seconds",
               std::to_string(next_occurrence_->time_since_epoch().count()));
    }

    if (last_reload_ok_) {
        family(out, "paymand_last_reload_success", "gauge",
               "1 when the last load or reload of configuration and rules succeeded, else 0.");
        sample(out, "paymand_last_reload_success", bool_text(*last_reload_ok_));
        family(out, "paymand_last_reload_timestamp_seconds", "gauge",
               "When the last load or reload was attempted, in seconds since the Unix epoch.");
        sample(out, "paymand_last_reload_timestamp_seconds", seconds_text(last_reload_time_));
    }

    if (audit_writable_) {
        family(out, "paymand_audit_writable", "gauge",
               "1 when the audit log accepts writes; 0 means nothing is paid.");
        sample(out, "paymand_audit_writable", bool_text(*audit_writable_));
    }

    if (clock_synchronised_) {
        family(out, "paymand_clock_synchronised", "gauge",
               "1 when the system clock is synchronised (NTP), else 0.");
        sample(out, "paymand_clock_synchronised", bool_text(*clock_synchronised_));
    }

    if (!credentials_.empty()) {
        family(out, "paymand_credentials", "gauge",
               "The credential and world check of the last start or reload: one series, 1, "
               "its state (checking, verified, not_verified, lacking, refused, not_checked).");
        sample(out, "paymand_credentials", "state", credentials_, "1");
    }
    if (ha_) render_ha(out, *ha_);
}

}  // namespace paymand::metrics
