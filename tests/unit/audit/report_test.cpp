#include "audit_fixtures.hpp"
#include "paymand/audit/report.hpp"
#include "paymand/audit/time_format.hpp"
#include "paymand/money/money_errc.hpp"

#include <boost/json/serialize.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace paymand;
using namespace paymand::audit;
using namespace paymand::audit::fixtures;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

using std::chrono::December;
using std::chrono::November;
using std::chrono::year;

const month_window december = utc_month(year{2026} / December);

money::amount usd(std::int64_t minor)
{
    return money::amount(*money::currency::find("USD"), minor);
}

// An occurrence at an exact UTC instant.
occurrence_ref occ_at(std::string rule, utc_seconds utc)
{
    std::string id = rule + "@" + format_utc(utc).substr(0, 16);
    return {std::move(rule), std::move(id), utc};
}

intent_record pay(const occurrence_ref& ref, money::amount amount, std::string payee = "John Doe")
{
    auto i = intent(ref, 0, std::move(payee));
    i.amount = amount;
    return i;
}

// Feeds bodies into a builder as consecutive records, as a log would hold them.
class report_feed {
public:
    explicit report_feed(month_window window = december) : builder(std::move(window)) {}

    void add(record_body body, bool dry_run = false)
    {
        builder.add(record{.seq = ++seq_, .ts = {}, .dry_run = dry_run, .body = std::move(body)});
    }

    month_report finish()
    {
        auto r = builder.finish();
        EXPECT_TRUE(r) << (r ? "" : r.error().message);
        return r ? std::move(*r) : month_report{};
    }

    month_report_builder builder;

private:
    std::uint64_t seq_ = 0;
};

std::vector<std::string> ids(const std::vector<report_entry>& entries)
{
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.ref.occurrence);
    return out;
}

}  // namespace

TEST(month_report, a_completed_payment_is_paid_with_its_task_and_totals)
{
    report_feed f;
    const auto ref = occ("rent", 1);
    f.add(pay(ref, tsd(120000)));
    f.add(result(ref));
    const auto r = f.finish();
    ASSERT_EQ(r.paid.size(), 1u);
    EXPECT_EQ(r.paid[0].state, occurrence_state::completed);
    EXPECT_EQ(r.paid[0].payment->payee, "John Doe");
    EXPECT_EQ(r.paid[0].payment->amount, tsd(120000));
    EXPECT_EQ(r.paid[0].detail, "task task-1");
    EXPECT_THAT(r.per_payee, ElementsAre(payee_total{"John Doe", tsd(120000), 1}));
    EXPECT_THAT(r.per_currency, ElementsAre(currency_total{tsd(120000), 1}));
    EXPECT_EQ(r.records, 2u);
}

TEST(month_report, totals_add_up_per_payee_and_per_currency_in_minor_units)
{
    report_feed f;
    const auto a = occ("rent", 1), b = occ("rent", 2), c = occ("gym", 3), d = occ("hosting", 4);
    f.add(pay(a, tsd(10001)));
    f.add(result(a));
    f.add(pay(b, tsd(20002)));
    f.add(result(b));
    f.add(pay(c, tsd(6000), "Gym Ltd"));
    f.add(result(c));
    f.add(pay(d, usd(999), "Gym Ltd"));
    f.add(result(d));
    const auto r = f.finish();
    EXPECT_THAT(r.per_payee, ElementsAre(payee_total{"Gym Ltd", tsd(6000), 1},
                                         payee_total{"Gym Ltd", usd(999), 1},
                                         payee_total{"John Doe", tsd(30003), 2}));
    EXPECT_THAT(r.per_currency,
                ElementsAre(currency_total{tsd(36003), 3}, currency_total{usd(999), 1}));
}

TEST(month_report, in_doubt_stays_open_with_its_reason_and_the_resolve_command)
{
    report_feed f;
    const auto ref = occ("rent", 1);
    f.add(pay(ref, tsd(120000)));
    f.add(in_doubt_record{ref, "timeout after the request was written"});
    const auto r = f.finish();
    EXPECT_TRUE(r.paid.empty());
    EXPECT_TRUE(r.per_payee.empty());
    ASSERT_EQ(r.open.size(), 1u);
    EXPECT_EQ(r.open[0].state, occurrence_state::in_doubt);
    EXPECT_EQ(r.open[0].detail, "timeout after the request was written");
    const auto json = to_json(r);
    EXPECT_EQ(json.at("open").as_array()[0].at("resolve"),
              "paymand audit resolve rent@2026-12-01T09:00 --paid|--not-paid --note \"...\"");
}

TEST(month_report, in_doubt_then_resolved_paid_is_paid_with_the_operators_note)
{
    report_feed f;
    const auto ref = occ("rent", 1);
    f.add(pay(ref, tsd(120000)));
    f.add(in_doubt_record{ref, "timeout"});
    f.add(resolved_record{ref, resolution::paid, "tx-5521 in the dashboard"});
    const auto r = f.finish();
    EXPECT_TRUE(r.open.empty());
    ASSERT_EQ(r.paid.size(), 1u);
    EXPECT_EQ(r.paid[0].state, occurrence_state::resolved_paid);
    EXPECT_EQ(r.paid[0].detail, "operator: tx-5521 in the dashboard");
    EXPECT_THAT(r.per_currency, ElementsAre(currency_total{tsd(120000), 1}));
}

TEST(month_report, in_doubt_then_resolved_not_paid_is_failed_and_not_in_totals)
{
    report_feed f;
    const auto ref = occ("rent", 1);
    f.add(pay(ref, tsd(120000)));
    f.add(in_doubt_record{ref, "timeout"});
    f.add(resolved_record{ref, resolution::not_paid, "no transaction"});
    const auto r = f.finish();
    EXPECT_TRUE(r.paid.empty());
    EXPECT_TRUE(r.per_currency.empty());
    ASSERT_EQ(r.failed.size(), 1u);
    EXPECT_EQ(r.failed[0].state, occurrence_state::resolved_not_paid);
    EXPECT_EQ(r.failed[0].detail, "operator: no transaction");
}

TEST(month_report, reconciled_paid_is_paid_and_a_listing_that_found_nothing_leaves_it_open)
{
    report_feed f;
    const auto a = occ("rent", 1), b = occ("gym", 2);
    f.add(pay(a, tsd(120000)));
    f.add(in_doubt_record{a, "timeout"});
    f.add(reconciled_record{a, reconcile_outcome::paid, "tx-9", "listed"});
    f.add(pay(b, tsd(6000)));
    f.add(in_doubt_record{b, "connection lost"});
    f.add(reconciled_record{b, reconcile_outcome::not_found, std::nullopt, "none tagged"});
    const auto r = f.finish();
    ASSERT_EQ(r.paid.size(), 1u);
    EXPECT_EQ(r.paid[0].state, occurrence_state::reconciled_paid);
    EXPECT_EQ(r.paid[0].detail, "reconciled: transaction tx-9");
    ASSERT_EQ(r.open.size(), 1u);
    EXPECT_EQ(r.open[0].ref, b);
    EXPECT_EQ(r.open[0].detail, "connection lost");
}

TEST(month_report, a_mismatch_is_open_and_not_counted_as_paid)
{
    report_feed f;
    const auto ref = occ("rent", 1);
    f.add(pay(ref, tsd(120000)));
    f.add(mismatch_record{ref, "12000.00", "John Doe", "the reply claims 12000.00 TSD", "..."});
    const auto r = f.finish();
    EXPECT_TRUE(r.paid.empty());
    ASSERT_EQ(r.open.size(), 1u);
    EXPECT_EQ(r.open[0].state, occurrence_state::mismatch);
    EXPECT_EQ(r.open[0].detail, "the reply claims 12000.00 TSD");
}

TEST(month_report, an_intent_without_result_is_open_in_flight)
{
    report_feed f;
    const auto ref = occ("rent", 1);
    f.add(pay(ref, tsd(120000)));
    const auto r = f.finish();
    ASSERT_EQ(r.open.size(), 1u);
    EXPECT_EQ(r.open[0].state, occurrence_state::in_flight);
    EXPECT_THAT(r.open[0].detail, HasSubstr("no result yet"));
    EXPECT_FALSE(to_json(r).at("open").as_array()[0].as_object().contains("resolve"));
}

TEST(month_report, denied_carries_the_limit_and_reason_and_nothing_is_paid)
{
    report_feed f;
    const auto ref = occ("gym", 1);
    f.add(
        denied_record{ref, "daily_total.TSD", "1250.00 TSD today plus 60.00 TSD exceeds 1300.00"});
    const auto r = f.finish();
    EXPECT_TRUE(r.paid.empty());
    ASSERT_EQ(r.denied.size(), 1u);
    EXPECT_EQ(r.denied[0].limit, "daily_total.TSD");
    EXPECT_EQ(r.denied[0].detail, "1250.00 TSD today plus 60.00 TSD exceeds 1300.00");
    EXPECT_FALSE(r.denied[0].payment);
}

TEST(month_report, a_denial_after_an_intent_does_not_replace_the_payment)
{
    report_feed f;
    const auto ref = occ("rent", 1);
    f.add(pay(ref, tsd(5000)));
    f.add(result(ref));
    f.add(denied_record{ref, "daily_total.TSD", "late"});
    const auto r = f.finish();
    ASSERT_EQ(r.paid.size(), 1u);
    EXPECT_EQ(r.paid[0].detail, "task task-1");
    EXPECT_TRUE(r.denied.empty());
    EXPECT_EQ(r.warnings.size(), 1u);
}

TEST(month_report, failed_skipped_and_missed_each_have_their_list_and_reason)
{
    report_feed f;
    const auto a = occ("a", 1), b = occ("b", 2), c = occ("c", 3), d = occ("d", 4);
    f.add(pay(a, tsd(100)));
    f.add(result(a, outcome::failed));
    f.add(failed_record{b, "connect: connection refused (nothing was sent)", 5});
    f.add(skipped_record{c, "condition not met"});
    f.add(missed_record{d, "older than the catch-up window"});
    const auto r = f.finish();
    EXPECT_THAT(ids(r.failed), ElementsAre(a.occurrence, b.occurrence));
    EXPECT_EQ(r.failed[0].detail, "the agent did not pay");
    EXPECT_EQ(r.failed[1].detail,
              "connect: connection refused (nothing was sent) (after 5 attempts)");
    EXPECT_THAT(ids(r.skipped), ElementsAre(c.occurrence));
    EXPECT_EQ(r.skipped[0].detail, "condition not met");
    EXPECT_THAT(ids(r.missed), ElementsAre(d.occurrence));
    EXPECT_TRUE(r.paid.empty());
}

TEST(month_report, dry_run_records_are_never_counted_as_paid)
{
    report_feed f;
    const auto ref = occ("rent", 1);
    f.add(pay(ref, tsd(120000)), true);
    f.add(result(ref), true);  // even a completed result marked dry_run
    const auto r = f.finish();
    EXPECT_TRUE(r.paid.empty());
    EXPECT_TRUE(r.per_payee.empty());
    EXPECT_TRUE(r.per_currency.empty());
    ASSERT_EQ(r.dry_run.size(), 1u);
    EXPECT_TRUE(r.dry_run[0].dry_run);
    EXPECT_EQ(r.dry_run[0].payment->amount, tsd(120000));
}

TEST(month_report, dry_run_records_do_not_touch_a_real_occurrence_of_the_same_identity)
{
    report_feed f;
    const auto ref = occ("rent", 1);
    f.add(pay(ref, tsd(100)));
    f.add(result(ref));
    f.add(resolved_record{ref, resolution::not_paid, "dry"}, true);
    const auto r = f.finish();
    ASSERT_EQ(r.paid.size(), 1u);
    EXPECT_EQ(r.paid[0].state, occurrence_state::completed);
}

TEST(month_report, month_boundaries_are_utc_instants_half_open)
{
    using namespace std::chrono;
    report_feed f;
    const auto before = occ_at("r", sys_days{2026y / November / 30} + 23h + 59min + 59s);
    const auto first = occ_at("r", sys_days{2026y / December / 1});
    const auto last = occ_at("r", sys_days{2026y / December / 31} + 23h + 59min + 59s);
    const auto after = occ_at("r", sys_days{2027y / January / 1});
    for (const auto& ref : {before, first, last, after}) {
        f.add(pay(ref, tsd(100)));
        f.add(result(ref));
    }
    const auto r = f.finish();
    EXPECT_THAT(ids(r.paid), ElementsAre(first.occurrence, last.occurrence));
    EXPECT_EQ(r.records, 4u);
}

TEST(month_report, a_zone_moves_the_month_to_local_midnight)
{
    using namespace std::chrono;
    auto berlin = schedule::find_zone("Europe/Berlin");
    ASSERT_TRUE(berlin);
    const auto window = local_month(2026y / December, *berlin);
    EXPECT_EQ(format_utc(window.begin), "2026-11-30T23:00:00Z");
    EXPECT_EQ(format_utc(window.end), "2026-12-31T23:00:00Z");
    EXPECT_EQ(window.zone, "Europe/Berlin");

    const auto late_november_utc = occ_at("r", sys_days{2026y / November / 30} + 23h + 30min);
    const auto new_year_eve_utc = occ_at("r", sys_days{2026y / December / 31} + 23h + 30min);
    for (auto window_in : {window, december}) {
        report_feed f(window_in);
        for (const auto& ref : {late_november_utc, new_year_eve_utc}) {
            f.add(pay(ref, tsd(100)));
            f.add(result(ref));
        }
        const auto r = f.finish();
        ASSERT_EQ(r.paid.size(), 1u);
        EXPECT_EQ(r.paid[0].ref, window_in.zone == "UTC" ? new_year_eve_utc : late_november_utc);
    }
}

TEST(month_report, a_resolution_written_next_month_counts_for_the_occurrences_month)
{
    report_feed f;
    const auto ref = occ("rent", 31);
    f.add(pay(ref, tsd(100)));
    f.add(in_doubt_record{ref, "timeout"});
    f.add(started_record{"0.1.0", 7});  // the daemon's own records are not about a month
    f.add(resolved_record{ref, resolution::paid, "confirmed on 2027-01-04"});
    const auto r = f.finish();
    ASSERT_EQ(r.paid.size(), 1u);
    EXPECT_EQ(r.records, 3u);
}

TEST(month_report, lists_are_ordered_by_instant_whatever_the_record_order)
{
    report_feed f;
    const auto late = occ("a", 20), early = occ("b", 2);
    f.add(skipped_record{late, "x"});
    f.add(skipped_record{early, "y"});
    EXPECT_THAT(ids(f.finish().skipped), ElementsAre(early.occurrence, late.occurrence));
}

TEST(month_report, a_total_beyond_int64_is_an_overflow_error)
{
    report_feed f;
    const auto a = occ("a", 1), b = occ("b", 2);
    f.add(pay(a, tsd(std::numeric_limits<std::int64_t>::max())));
    f.add(result(a));
    f.add(pay(b, tsd(1)));
    f.add(result(b));
    auto r = f.builder.finish();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, money::money_errc::overflow);
}

TEST(month_report, json_holds_amounts_as_exact_strings_and_the_window)
{
    report_feed f;
    const auto ref = occ("rent", 1);
    f.add(pay(ref, tsd(120005)));
    f.add(result(ref));
    const auto j = to_json(f.finish());
    EXPECT_EQ(j.at("month"), "2026-12");
    EXPECT_EQ(j.at("zone"), "UTC");
    EXPECT_EQ(j.at("from"), "2026-12-01T00:00:00Z");
    EXPECT_EQ(j.at("to"), "2027-01-01T00:00:00Z");
    const auto& paid = j.at("paid").as_array().at(0);
    EXPECT_EQ(paid.at("amount"), "1200.05");
    EXPECT_EQ(paid.at("currency"), "TSD");
    EXPECT_EQ(paid.at("payee"), "John Doe");
    EXPECT_EQ(paid.at("state"), "completed");
    EXPECT_EQ(j.at("per_currency").as_array().at(0).at("amount"), "1200.05");
    EXPECT_EQ(j.at("counts").at("paid").to_number<int>(), 1);
}

TEST(parse_month, accepts_exactly_yyyy_mm)
{
    using namespace std::chrono;
    EXPECT_EQ(parse_month("2026-12"), 2026y / December);
    EXPECT_EQ(parse_month("0001-01"), year{1} / January);
    for (const char* bad : {"2026-13", "2026-00", "2026-1", "26-12", "2026/12", "2026-12-01",
                            " 2026-12", "2026-12 ", "0000-05", "+026-12", ""}) {
        EXPECT_FALSE(parse_month(bad)) << bad;
    }
}

TEST(resolve_command, quotes_an_identity_the_shell_would_split)
{
    EXPECT_EQ(resolve_command("rent@2026-12-01T09:00~manual"),
              "paymand audit resolve rent@2026-12-01T09:00~manual --paid|--not-paid --note "
              "\"...\"");
    EXPECT_EQ(resolve_command("it's $x"),
              "paymand audit resolve 'it'\\''s $x' --paid|--not-paid --note \"...\"");
}
