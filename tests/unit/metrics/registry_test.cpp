// The registry: exact scrape text, escaping, histogram buckets, and counts from audit records.

#include "paymand/metrics/registry.hpp"
#include "paymand/money/currency.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace paymand::metrics {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

const auto started = sys_days{year{2026} / 11 / 28} + 22h + 45min + 12s + 250ms;

audit::occurrence_ref ref(std::string rule)
{
    return {.rule = rule,
            .occurrence = rule + "@2026-12-01T09:00",
            .utc = sys_days{year{2026} / 12 / 1} + 9h};
}

audit::record rec(audit::record_body body, bool dry_run = false)
{
    return audit::record{.dry_run = dry_run, .body = std::move(body)};
}

audit::result_record result(audit::outcome o)
{
    return audit::result_record{.ref = ref("rent"), .outcome = o};
}

// The value of the sample whose name and labels are exactly `series`, or nullopt.
std::optional<std::string> sample(const std::string& text, const std::string& series)
{
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
            line[series.size()] == ' ')
            return line.substr(series.size() + 1);
    return std::nullopt;
}

TEST(registry, renders_the_exact_exposition_text)
{
    registry reg(started, "0.1.0");
    reg.observe(rec(audit::denied_record{.ref = ref("rent"), .limit = "daily_total.TSD"}));
    reg.observe_ask(ask_kind::payment, ask_status::answered, 1500ms);
    reg.observe_ask(ask_kind::read, ask_status::not_sent, 3ms);
    reg.set_in_doubt(2);
    reg.set_rules(5, 4);
    reg.set_next_occurrence(sys_days{year{2026} / 12 / 1} + 9h);
    reg.set_reload(true, sys_days{year{2026} / 11 / 28} + 22h + 45min + 12s + 500ms);
    reg.set_audit_writable(true);
    reg.set_clock_synchronised(false);

    const std::string expected =
        R"(# HELP paymand_build_info Always 1; the label carries paymand's version.
# TYPE paymand_build_info gauge
paymand_build_info{version="0.1.0"} 1
# HELP paymand_start_time_seconds When the daemon started, in seconds since the Unix epoch.
# TYPE paymand_start_time_seconds gauge
paymand_start_time_seconds 1795905912.25
# HELP paymand_payments_total Occurrences by how they ended (or were settled), from durable audit records; dry runs excluded.
# TYPE paymand_payments_total counter
paymand_payments_total{outcome="completed"} 0
paymand_payments_total{outcome="failed"} 0
paymand_payments_total{outcome="needs_input"} 0
paymand_payments_total{outcome="unclear"} 0
paymand_payments_total{outcome="given_up"} 0
paymand_payments_total{outcome="in_doubt"} 0
paymand_payments_total{outcome="mismatch"} 0
paymand_payments_total{outcome="denied"} 1
paymand_payments_total{outcome="skipped"} 0
paymand_payments_total{outcome="missed"} 0
paymand_payments_total{outcome="reconciled_paid"} 0
paymand_payments_total{outcome="resolved_paid"} 0
paymand_payments_total{outcome="resolved_not_paid"} 0
paymand_payments_total{outcome="confirmed"} 0
paymand_payments_total{outcome="unconfirmed"} 0
# HELP paymand_audit_records_total Durable audit records by type, dry-run records included.
# TYPE paymand_audit_records_total counter
paymand_audit_records_total{type="intent"} 0
paymand_audit_records_total{type="result"} 0
paymand_audit_records_total{type="skipped"} 0
paymand_audit_records_total{type="denied"} 1
paymand_audit_records_total{type="missed"} 0
paymand_audit_records_total{type="failed"} 0
paymand_audit_records_total{type="in_doubt"} 0
paymand_audit_records_total{type="resolved"} 0
paymand_audit_records_total{type="reconciled"} 0
paymand_audit_records_total{type="mismatch"} 0
paymand_audit_records_total{type="condition"} 0
paymand_audit_records_total{type="report"} 0
paymand_audit_records_total{type="config_loaded"} 0
paymand_audit_records_total{type="rules_loaded"} 0
paymand_audit_records_total{type="started"} 0
paymand_audit_records_total{type="stopped"} 0
paymand_audit_records_total{type="confirmed"} 0
paymand_audit_records_total{type="unconfirmed"} 0
paymand_audit_records_total{type="grant"} 0
paymand_audit_records_total{type="reopened"} 0
# HELP paymand_dry_run_records_total Durable audit records written by dry runs (they move no money).
# TYPE paymand_dry_run_records_total counter
paymand_dry_run_records_total 0
# HELP paymand_asks_total Asks sent to Payman's agent by kind and how they ended.
# TYPE paymand_asks_total counter
paymand_asks_total{kind="payment",outcome="answered"} 1
paymand_asks_total{kind="payment",outcome="not_sent"} 0
paymand_asks_total{kind="payment",outcome="rejected"} 0
paymand_asks_total{kind="payment",outcome="unknown_outcome"} 0
paymand_asks_total{kind="read",outcome="answered"} 0
paymand_asks_total{kind="read",outcome="not_sent"} 1
paymand_asks_total{kind="read",outcome="rejected"} 0
paymand_asks_total{kind="read",outcome="unknown_outcome"} 0
# HELP paymand_ask_duration_seconds Time from sending an ask to its answer or failure, retries not included.
# TYPE paymand_ask_duration_seconds histogram
paymand_ask_duration_seconds_bucket{kind="payment",le="0.005"} 0
paymand_ask_duration_seconds_bucket{kind="payment",le="0.01"} 0
paymand_ask_duration_seconds_bucket{kind="payment",le="0.025"} 0
paymand_ask_duration_seconds_bucket{kind="payment",le="0.05"} 0
paymand_ask_duration_seconds_bucket{kind="payment",le="0.1"} 0
paymand_ask_duration_seconds_bucket{kind="payment",le="0.25"} 0
paymand_ask_duration_seconds_bucket{kind="payment",le="0.5"} 0
paymand_ask_duration_seconds_bucket{kind="payment",le="1"} 0
paymand_ask_duration_seconds_bucket{kind="payment",le="2.5"} 1
paymand_ask_duration_seconds_bucket{kind="payment",le="5"} 1
paymand_ask_duration_seconds_bucket{kind="payment",le="10"} 1
paymand_ask_duration_seconds_bucket{kind="payment",le="30"} 1
paymand_ask_duration_seconds_bucket{kind="payment",le="+Inf"} 1
paymand_ask_duration_seconds_sum{kind="payment"} 1.5
paymand_ask_duration_seconds_count{kind="payment"} 1
paymand_ask_duration_seconds_bucket{kind="read",le="0.005"} 1
paymand_ask_duration_seconds_bucket{kind="read",le="0.01"} 1
paymand_ask_duration_seconds_bucket{kind="read",le="0.025"} 1
paymand_ask_duration_seconds_bucket{kind="read",le="0.05"} 1
paymand_ask_duration_seconds_bucket{kind="read",le="0.1"} 1
paymand_ask_duration_seconds_bucket{kind="read",le="0.25"} 1
paymand_ask_duration_seconds_bucket{kind="read",le="0.5"} 1
paymand_ask_duration_seconds_bucket{kind="read",le="1"} 1
paymand_ask_duration_seconds_bucket{kind="read",le="2.5"} 1
paymand_ask_duration_seconds_bucket{kind="read",le="5"} 1
paymand_ask_duration_seconds_bucket{kind="read",le="10"} 1
paymand_ask_duration_seconds_bucket{kind="read",le="30"} 1
paymand_ask_duration_seconds_bucket{kind="read",le="+Inf"} 1
paymand_ask_duration_seconds_sum{kind="read"} 0.003
paymand_ask_duration_seconds_count{kind="read"} 1
# HELP paymand_in_doubt_occurrences Occurrences in doubt: they may have been paid; an operator must resolve them.
# TYPE paymand_in_doubt_occurrences gauge
paymand_in_doubt_occurrences 2
# HELP paymand_unconfirmed_payments Payments the agent reported completed that no transaction listing showed.
# TYPE paymand_unconfirmed_payments gauge
paymand_unconfirmed_payments 0
# HELP paymand_rules_loaded Rules in the loaded rule set.
# TYPE paymand_rules_loaded gauge
paymand_rules_loaded 5
# HELP paymand_rules_enabled Loaded rules that are enabled.
# TYPE paymand_rules_enabled gauge
paymand_rules_enabled 4
# HELP paymand_next_occurrence_timestamp_seconds When the next occurrence of any enabled rule is due, in seconds since the Unix epoch; absent when none is scheduled.
# TYPE paymand_next_occurrence_timestamp_seconds gauge
paymand_next_occurrence_timestamp_seconds 1796115600
# HELP paymand_last_reload_success 1 when the last load or reload of configuration and rules succeeded, else 0.
# TYPE paymand_last_reload_success gauge
paymand_last_reload_success 1
# HELP paymand_last_reload_timestamp_seconds When the last load or reload was attempted, in seconds since the Unix epoch.
# TYPE paymand_last_reload_timestamp_seconds gauge
paymand_last_reload_timestamp_seconds 1795905912.5
# HELP paymand_audit_writable 1 when the audit log accepts writes; 0 means nothing is paid.
# TYPE paymand_audit_writable gauge
paymand_audit_writable 1
# HELP paymand_clock_synchronised 1 when the system clock is synchronised (NTP), else 0.
# TYPE paymand_clock_synchronised gauge
paymand_clock_synchronised 0
)";
    EXPECT_EQ(reg.render(), expected);
}

TEST(registry, leaves_out_gauges_that_were_never_set)
{
    registry reg(started, "0.1.0");
    const auto text = reg.render();
    for (const char* name : {"paymand_next_occurrence_timestamp_seconds",
                             "paymand_last_reload_success", "paymand_last_reload_timestamp_seconds",
                             "paymand_audit_writable", "paymand_clock_synchronised"})
        EXPECT_EQ(text.find(name), std::string::npos) << name;
    EXPECT_EQ(sample(text, "paymand_in_doubt_occurrences"), "0");
    EXPECT_EQ(sample(text, "paymand_rules_loaded"), "0");
}

TEST(registry, the_ha_family_appears_only_on_a_node_of_several)
{
    registry reg(started, "0.1.0");
    EXPECT_EQ(reg.render().find("paymand_ha_"), std::string::npos);
    reg.set_ha({.leader = true,
                .eligible = true,
                .epoch = 7,
                .lease_remaining = 8750ms,
                .takeovers = 2,
                .lease_losses = 1,
                .refused_renewals = 1,
                .refused_gates = 3,
                .clock_skew = -1250ms});
    const auto text = reg.render();
    EXPECT_EQ(sample(text, "paymand_ha_leader"), "1");
    EXPECT_EQ(sample(text, "paymand_ha_eligible"), "1");
    EXPECT_EQ(sample(text, "paymand_ha_epoch"), "7");
    EXPECT_EQ(sample(text, "paymand_ha_lease_remaining_seconds"), "8.75");
    EXPECT_EQ(sample(text, "paymand_ha_takeovers_total"), "2");
    EXPECT_EQ(sample(text, "paymand_ha_lease_losses_total"), "1");
    EXPECT_EQ(sample(text, "paymand_ha_refused_renewals_total"), "1");
    EXPECT_EQ(sample(text, "paymand_ha_refused_gates_total"), "3");
    EXPECT_EQ(sample(text, "paymand_ha_clock_skew_seconds"), "-1.25");
    EXPECT_NE(text.find("# TYPE paymand_ha_takeovers_total counter\n"), std::string::npos);
    EXPECT_NE(text.find("# HELP paymand_ha_leader 1 when this node holds the lease"),
              std::string::npos);
    reg.set_ha({.eligible = false});
    const auto standby = reg.render();
    EXPECT_EQ(sample(standby, "paymand_ha_leader"), "0");
    EXPECT_EQ(sample(standby, "paymand_ha_eligible"), "0");
    EXPECT_EQ(standby.find("paymand_ha_clock_skew_seconds"), std::string::npos);
}

TEST(registry, drops_the_next_occurrence_when_none_is_scheduled_any_more)
{
    registry reg(started, "0.1.0");
    reg.set_next_occurrence(sys_days{year{2026} / 12 / 1} + 9h);
    EXPECT_EQ(sample(reg.render(), "paymand_next_occurrence_timestamp_seconds"), "1796115600");
    reg.set_next_occurrence(std::nullopt);
    EXPECT_EQ(reg.render().find("paymand_next_occurrence"), std::string::npos);
}

TEST(registry, reports_a_failed_reload_with_its_time)
{
    registry reg(started, "0.1.0");
    reg.set_reload(false, sys_days{year{1969} / 12 / 31} + 23h + 59min + 59s + 250ms);
    const auto text = reg.render();
    EXPECT_EQ(sample(text, "paymand_last_reload_success"), "0");
    EXPECT_EQ(sample(text, "paymand_last_reload_timestamp_seconds"), "-0.75");
}

TEST(registry, escapes_the_version_label)
{
    registry reg(started, "1.0 \"beta\"\\x\nY");
    EXPECT_EQ(sample(reg.render(), R"(paymand_build_info{version="1.0 \"beta\"\\x\nY"})"), "1");
}

TEST(registry, histogram_buckets_are_cumulative_and_bounds_inclusive)
{
    registry reg(started, "0.1.0");
    reg.observe_ask(ask_kind::read, ask_status::answered, 5ms);        // le 0.005
    reg.observe_ask(ask_kind::read, ask_status::answered, 5ms + 1ns);  // le 0.01
    reg.observe_ask(ask_kind::read, ask_status::answered, 200ms);      // le 0.25
    reg.observe_ask(ask_kind::read, ask_status::answered, 30s);        // le 30
    reg.observe_ask(ask_kind::read, ask_status::answered, 30s + 1us);  // +Inf only
    reg.observe_ask(ask_kind::read, ask_status::answered, -4ms);       // counted as zero
    const auto text = reg.render();
    const std::vector<std::pair<std::string, std::string>> want = {
        {"0.005", "2"}, {"0.01", "3"}, {"0.025", "3"}, {"0.05", "3"}, {"0.1", "3"},
        {"0.25", "4"},  {"0.5", "4"},  {"1", "4"},     {"2.5", "4"},  {"5", "4"},
        {"10", "4"},    {"30", "5"},   {"+Inf", "6"}};
    for (const auto& [le, count] : want)
        EXPECT_EQ(
            sample(text, R"(paymand_ask_duration_seconds_bucket{kind="read",le=")" + le + "\"}"),
            count)
            << le;
    EXPECT_EQ(sample(text, R"(paymand_ask_duration_seconds_count{kind="read"})"), "6");
    EXPECT_EQ(sample(text, R"(paymand_ask_duration_seconds_sum{kind="read"})"), "60.210001001");
    EXPECT_EQ(sample(text, R"(paymand_ask_duration_seconds_count{kind="payment"})"), "0");
}

TEST(registry, keeps_the_latency_sum_exact_over_many_asks)
{
    registry reg(started, "0.1.0");
    // 0.1 s has no exact binary floating-point form; a double sum would drift.
    for (int i = 0; i < 1000; ++i) reg.observe_ask(ask_kind::payment, ask_status::answered, 100ms);
    EXPECT_EQ(sample(reg.render(), R"(paymand_ask_duration_seconds_sum{kind="payment"})"), "100");
}

TEST(registry, counts_asks_by_kind_and_outcome)
{
    registry reg(started, "0.1.0");
    reg.observe_ask(ask_kind::payment, ask_status::unknown_outcome, 1s);
    reg.observe_ask(ask_kind::payment, ask_status::unknown_outcome, 1s);
    EXPECT_TRUE(reg.observe_ask(ask_kind::read, "rejected", 1s));
    EXPECT_EQ(reg.asks(ask_kind::payment, ask_status::unknown_outcome), 2u);
    EXPECT_EQ(reg.asks(ask_kind::read, ask_status::rejected), 1u);
    const auto text = reg.render();
    EXPECT_EQ(sample(text, R"(paymand_asks_total{kind="payment",outcome="unknown_outcome"})"), "2");
    EXPECT_EQ(sample(text, R"(paymand_asks_total{kind="read",outcome="rejected"})"), "1");
}

TEST(registry, refuses_an_unknown_ask_outcome_and_counts_nothing)
{
    registry reg(started, "0.1.0");
    EXPECT_FALSE(reg.observe_ask(ask_kind::read, "timeout", 1s));
    EXPECT_FALSE(reg.observe_ask(ask_kind::read, "Answered", 1s));
    EXPECT_EQ(sample(reg.render(), R"(paymand_ask_duration_seconds_count{kind="read"})"), "0");
}

TEST(registry, maps_client_error_classes_to_ask_outcomes)
{
    EXPECT_EQ(status_of(payman::error_class::not_sent), ask_status::not_sent);
    EXPECT_EQ(status_of(payman::error_class::rejected), ask_status::rejected);
    EXPECT_EQ(status_of(payman::error_class::unknown_outcome), ask_status::unknown_outcome);
    for (auto s : {ask_status::answered, ask_status::not_sent, ask_status::rejected,
                   ask_status::unknown_outcome})
        EXPECT_EQ(parse_ask_status(to_string(s)), s);
}

TEST(registry, counts_payment_outcomes_from_a_scripted_sequence_of_records)
{
    registry reg(started, "0.1.0");
    const std::vector<audit::record_body> script = {
        audit::started_record{.version = "0.1.0", .pid = 42},
        audit::rules_loaded_record{},
        audit::condition_record{.ref = ref("rent"), .condition = "balance above", .met = true},
        audit::intent_record{.ref = ref("rent"),
                             .payee = "John Doe",
                             .amount = money::amount(*money::currency::find("TSD"), 10000),
                             .idempotency_key = "k1"},
        result(audit::outcome::completed),
        result(audit::outcome::completed),
        result(audit::outcome::failed),
        result(audit::outcome::needs_input),
        result(audit::outcome::unclear),
        audit::failed_record{.ref = ref("gym"), .reason = "connect refused", .attempts = 3},
        audit::in_doubt_record{.ref = ref("gym"), .reason = "timeout"},
        audit::in_doubt_record{.ref = ref("tax"), .reason = "timeout"},
        audit::reconciled_record{.ref = ref("gym"), .result = audit::reconcile_outcome::paid},
        audit::reconciled_record{.ref = ref("tax"), .result = audit::reconcile_outcome::not_found},
        audit::resolved_record{.ref = ref("tax"), .resolution = audit::resolution::not_paid},
        audit::resolved_record{.ref = ref("old"), .resolution = audit::resolution::paid},
        audit::mismatch_record{.ref = ref("rent"), .reason = "another amount"},
        audit::denied_record{.ref = ref("rent"), .limit = "daily_total.TSD"},
        audit::skipped_record{.ref = ref("rent"), .reason = "condition not met"},
        audit::skipped_record{.ref = ref("rent"), .reason = "overlap"},
        audit::missed_record{.ref = ref("rent"), .reason = "older than catch-up"},
        audit::report_record{.ref = ref("balance")},
        audit::stopped_record{.reason = "SIGTERM"},
    };
    for (const auto& body : script) reg.observe(rec(body));

    EXPECT_EQ(reg.payments(payment_outcome::completed), 2u);
    EXPECT_EQ(reg.payments(payment_outcome::failed), 1u);
    EXPECT_EQ(reg.payments(payment_outcome::needs_input), 1u);
    EXPECT_EQ(reg.payments(payment_outcome::unclear), 1u);
    EXPECT_EQ(reg.payments(payment_outcome::given_up), 1u);
    EXPECT_EQ(reg.payments(payment_outcome::in_doubt), 2u);
    EXPECT_EQ(reg.payments(payment_outcome::reconciled_paid), 1u);
    EXPECT_EQ(reg.payments(payment_outcome::resolved_paid), 1u);
    EXPECT_EQ(reg.payments(payment_outcome::resolved_not_paid), 1u);
    EXPECT_EQ(reg.payments(payment_outcome::mismatch), 1u);
    EXPECT_EQ(reg.payments(payment_outcome::denied), 1u);
    EXPECT_EQ(reg.payments(payment_outcome::skipped), 2u);
    EXPECT_EQ(reg.payments(payment_outcome::missed), 1u);

    EXPECT_EQ(reg.audit_records(audit::record_type::result), 5u);
    EXPECT_EQ(reg.audit_records(audit::record_type::reconciled), 2u);
    EXPECT_EQ(reg.audit_records(audit::record_type::intent), 1u);
    EXPECT_EQ(reg.audit_records(audit::record_type::condition), 1u);
    EXPECT_EQ(reg.audit_records(audit::record_type::started), 1u);
    EXPECT_EQ(reg.audit_records(audit::record_type::stopped), 1u);
    EXPECT_EQ(reg.audit_records(audit::record_type::config_loaded), 0u);

    const auto text = reg.render();
    EXPECT_EQ(sample(text, R"(paymand_payments_total{outcome="in_doubt"})"), "2");
    EXPECT_EQ(sample(text, R"(paymand_audit_records_total{type="skipped"})"), "2");
    EXPECT_EQ(sample(text, "paymand_dry_run_records_total"), "0");
}

TEST(registry, counts_dry_run_records_apart_from_payments)
{
    registry reg(started, "0.1.0");
    reg.observe(rec(audit::intent_record{.ref = ref("rent"),
                                         .payee = "John Doe",
                                         .amount = money::amount(*money::currency::find("TSD"), 1),
                                         .idempotency_key = "k1"},
                    true));
    reg.observe(rec(result(audit::outcome::failed), true));
    reg.observe(rec(result(audit::outcome::completed)));
    EXPECT_EQ(reg.payments(payment_outcome::failed), 0u);
    EXPECT_EQ(reg.payments(payment_outcome::completed), 1u);
    EXPECT_EQ(reg.audit_records(audit::record_type::result), 2u);
    EXPECT_EQ(sample(reg.render(), "paymand_dry_run_records_total"), "2");
}

TEST(registry, records_that_end_nothing_have_no_payment_outcome)
{
    EXPECT_EQ(payment_outcome_of(audit::condition_record{}), std::nullopt);
    EXPECT_EQ(payment_outcome_of(audit::report_record{}), std::nullopt);
    EXPECT_EQ(payment_outcome_of(audit::started_record{}), std::nullopt);
    EXPECT_EQ(
        payment_outcome_of(audit::reconciled_record{.result = audit::reconcile_outcome::not_found}),
        std::nullopt);
    EXPECT_EQ(
        payment_outcome_of(audit::reconciled_record{.result = audit::reconcile_outcome::paid}),
        payment_outcome::reconciled_paid);
}

}  // namespace
}  // namespace paymand::metrics
