#include "audit_fixtures.hpp"
#include "paymand/audit/projection.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace paymand::audit;
using namespace paymand::audit::fixtures;
using paymand::test::temp_dir;

namespace {

// Feeds bodies into a projection as consecutive records.
class projection_feed {
public:
    audit_projection projection;

    void add(record_body body) { projection.apply(record{.seq = ++seq_, .body = std::move(body)}); }

private:
    std::uint64_t seq_ = 0;
};

}  // namespace

TEST(audit_projection, intent_without_result_becomes_in_doubt_at_end_of_replay)
{
    projection_feed f;
    const auto ref = occ("rent", 1);
    f.add(intent(ref));
    ASSERT_EQ(f.projection.find(ref.occurrence)->state, occurrence_state::in_flight);
    const auto interrupted = f.projection.finish_replay();
    ASSERT_EQ(interrupted.size(), 1u);
    EXPECT_EQ(interrupted[0], ref);
    const auto* o = f.projection.find(ref.occurrence);
    EXPECT_EQ(o->state, occurrence_state::in_doubt);
    EXPECT_TRUE(f.projection.handled(ref.occurrence));
    ASSERT_EQ(f.projection.in_doubt().size(), 1u);
    EXPECT_EQ(f.projection.in_doubt()[0]->ref, ref);
}

TEST(audit_projection, completed_payment_is_not_in_doubt_and_counts)
{
    projection_feed f;
    const auto ref = occ("rent", 1);
    f.add(intent(ref, 12345));
    f.add(result(ref));
    EXPECT_TRUE(f.projection.finish_replay().empty());
    EXPECT_EQ(f.projection.find(ref.occurrence)->state, occurrence_state::completed);
    auto spending = f.projection.spending();
    ASSERT_EQ(spending.size(), 1u);
    EXPECT_EQ(spending[0].amount, tsd(12345));
    EXPECT_EQ(spending[0].payee, "John Doe");
    EXPECT_EQ(spending[0].utc, ref.utc);
    EXPECT_FALSE(spending[0].in_doubt);
}

TEST(audit_projection, spending_includes_in_doubt_and_excludes_failed)
{
    projection_feed f;
    const auto paid = occ("rent", 1), doubt = occ("rent", 2), failed = occ("rent", 3),
               not_sent = occ("rent", 4), unclear = occ("rent", 5);
    for (const auto& r : {paid, doubt, failed, not_sent, unclear}) f.add(intent(r));
    f.add(result(paid));
    f.add(in_doubt_record{doubt, "timeout while waiting"});
    f.add(result(failed, outcome::failed));
    f.add(failed_record{not_sent, "connect refused", 3});
    f.add(result(unclear, outcome::unclear));
    f.projection.finish_replay();

    std::vector<std::string> ids;
    for (const auto& e : f.projection.spending()) {
        ids.push_back(e.occurrence + (e.in_doubt ? " ?" : ""));
    }
    EXPECT_THAT(ids, ::testing::ElementsAre(paid.occurrence, doubt.occurrence + " ?",
                                            unclear.occurrence + " ?"));
    EXPECT_EQ(f.projection.in_doubt().size(), 2u);
}

TEST(audit_projection, spending_since_is_by_occurrence_instant)
{
    projection_feed f;
    for (int day = 1; day <= 10; ++day) {
        const auto r = occ("daily", day);
        f.add(intent(r));
        f.add(result(r));
    }
    EXPECT_EQ(f.projection.spending(at(6)).size(), 5u);
    EXPECT_EQ(f.projection.spending(at(6) + std::chrono::seconds{1}).size(), 4u);
}

TEST(audit_projection, resolution_changes_state_and_spending)
{
    projection_feed f;
    const auto a = occ("rent", 1), b = occ("rent", 2);
    f.add(intent(a));
    f.add(intent(b));
    f.add(in_doubt_record{a, "timeout"});
    f.add(in_doubt_record{b, "timeout"});
    f.add(resolved_record{a, resolution::paid, "seen in dashboard"});
    f.add(resolved_record{b, resolution::not_paid, "not in dashboard"});
    EXPECT_EQ(f.projection.find(a.occurrence)->state, occurrence_state::resolved_paid);
    EXPECT_EQ(f.projection.find(b.occurrence)->state, occurrence_state::resolved_not_paid);
    EXPECT_TRUE(f.projection.in_doubt().empty());
    auto spending = f.projection.spending();
    ASSERT_EQ(spending.size(), 1u);
    EXPECT_EQ(spending[0].occurrence, a.occurrence);
    EXPECT_FALSE(spending[0].in_doubt);
    EXPECT_TRUE(f.projection.warnings().empty());
}

TEST(audit_projection, reconciliation_found_settles_and_not_found_keeps_doubt)
{
    projection_feed f;
    const auto a = occ("rent", 1), b = occ("rent", 2);
    f.add(intent(a));
    f.add(intent(b));
    f.add(in_doubt_record{a, "timeout"});
    f.add(in_doubt_record{b, "timeout"});
    f.add(reconciled_record{a, reconcile_outcome::paid, "tx-1", "pm:rent:20261201T0900"});
    f.add(reconciled_record{b, reconcile_outcome::not_found, std::nullopt, "5 transactions"});
    EXPECT_EQ(f.projection.find(a.occurrence)->state, occurrence_state::reconciled_paid);
    EXPECT_EQ(f.projection.find(b.occurrence)->state, occurrence_state::in_doubt);
    EXPECT_EQ(f.projection.spending().size(), 2u);
}

TEST(audit_projection, mismatch_needs_an_operator_and_counts)
{
    projection_feed f;
    const auto a = occ("rent", 1);
    f.add(intent(a));
    f.add(mismatch_record{a, "1000.00", std::nullopt, "another amount", "Sent 1000.00"});
    EXPECT_EQ(f.projection.find(a.occurrence)->state, occurrence_state::mismatch);
    EXPECT_EQ(f.projection.in_doubt().size(), 1u);
    EXPECT_EQ(f.projection.spending().size(), 1u);
}

TEST(audit_projection, last_handled_per_rule_ignores_conditions_and_resolutions)
{
    projection_feed f;
    const auto d1 = occ("rent", 1), d2 = occ("rent", 2), d3 = occ("rent", 3);
    f.add(intent(d2));
    f.add(in_doubt_record{d2, "timeout"});
    f.add(skipped_record{d1, "overlap"});  // an older one recorded later (catch-up)
    f.add(condition_record{d3, "balance of Main above 1.00 TSD", "Main", tsd(500), std::nullopt,
                           true});
    f.add(resolved_record{d2, resolution::paid, "ok"});
    ASSERT_NE(f.projection.last_handled("rent"), nullptr);
    EXPECT_EQ(*f.projection.last_handled("rent"), d2);
    EXPECT_FALSE(f.projection.handled(d3.occurrence));  // a condition alone runs nothing
    EXPECT_TRUE(f.projection.handled(d1.occurrence));
    EXPECT_EQ(f.projection.last_handled("gym"), nullptr);
}

TEST(audit_projection, terminal_records_without_payment)
{
    projection_feed f;
    f.add(skipped_record{occ("a", 1), "condition not met"});
    f.add(denied_record{occ("b", 1), "daily_total.TSD", "over"});
    f.add(missed_record{occ("c", 1), "older than window"});
    f.add(report_record{occ("d", 1), report_kind::balance, outcome::completed, std::nullopt, "x"});
    EXPECT_EQ(f.projection.find(occ("a", 1).occurrence)->state, occurrence_state::skipped);
    EXPECT_EQ(f.projection.find(occ("b", 1).occurrence)->state, occurrence_state::denied);
    EXPECT_EQ(f.projection.find(occ("c", 1).occurrence)->state, occurrence_state::missed);
    EXPECT_EQ(f.projection.find(occ("d", 1).occurrence)->state, occurrence_state::reported);
    EXPECT_TRUE(f.projection.spending().empty());
    EXPECT_TRUE(f.projection.finish_replay().empty());
    EXPECT_EQ(f.projection.count(record_type::skipped), 1u);
    EXPECT_EQ(f.projection.last_seq(), 4u);
}

TEST(audit_projection, a_missed_record_for_a_run_of_occurrences_names_how_far_it_covers)
{
    projection_feed f;
    EXPECT_FALSE(f.projection.missed_through("c"));
    f.add(missed_record{occ("c", 1), "3 occurrences", occ("c", 3).occurrence});
    f.add(missed_record{occ("c", 5), "one occurrence"});
    ASSERT_TRUE(f.projection.missed_through("c"));
    EXPECT_EQ(*f.projection.missed_through("c"), occ("c", 3).occurrence);
    EXPECT_FALSE(f.projection.missed_through("a"));
}

TEST(audit_projection, a_not_found_reconciliation_is_remembered_on_the_occurrence)
{
    projection_feed f;
    const auto a = occ("rent", 1);
    f.add(intent(a));
    f.add(in_doubt_record{a, "timeout"});
    EXPECT_FALSE(f.projection.find(a.occurrence)->not_found_recorded);
    f.add(reconciled_record{a, reconcile_outcome::not_found, std::nullopt, "none listed"});
    EXPECT_TRUE(f.projection.find(a.occurrence)->not_found_recorded);
    EXPECT_EQ(f.projection.find(a.occurrence)->state, occurrence_state::in_doubt);
}

TEST(audit_projection, second_intent_for_an_occurrence_is_a_warning_and_counts_once)
{
    projection_feed f;
    const auto a = occ("rent", 1);
    f.add(intent(a));
    f.add(result(a));
    f.add(intent(a));
    ASSERT_EQ(f.projection.warnings().size(), 1u);
    EXPECT_EQ(f.projection.warnings()[0].seq, 3u);
    EXPECT_EQ(f.projection.spending().size(), 1u);
}

// HA mode: a payment whose send gate was refused (recorded failed, not sent) and whose row the
// shared ledger released runs again: reopened, it is no longer handled, its old intent no
// longer counts, and the run again records a first intent and a result without a warning.
TEST(audit_projection, a_reopened_occurrence_runs_again_and_counts_once)
{
    projection_feed f;
    const auto a = occ("rent", 1);
    f.add(intent(a, 100'00));
    f.add(failed_record{a, "not sent: the send gate refused: lease lost", 0});
    EXPECT_TRUE(f.projection.handled(a.occurrence));
    f.add(reopened_record{a, "released by the shared ledger"});
    EXPECT_FALSE(f.projection.handled(a.occurrence));
    EXPECT_EQ(f.projection.find(a.occurrence)->state, occurrence_state::reopened);
    EXPECT_FALSE(f.projection.find(a.occurrence)->payment);
    EXPECT_TRUE(f.projection.spending().empty());
    f.add(intent(a, 100'00));
    f.add(result(a));
    EXPECT_TRUE(f.projection.handled(a.occurrence));
    EXPECT_EQ(f.projection.find(a.occurrence)->state, occurrence_state::completed);
    EXPECT_EQ(f.projection.spending().size(), 1u);
    EXPECT_EQ(f.projection.last_paid("rent")->ref, a);
    EXPECT_EQ(f.projection.warning_count(), 0u);
    EXPECT_TRUE(f.projection.finish_replay().empty());
}

// A reopen of an occurrence that may have been paid is a warning, and changes nothing: its
// payment still counts and it is still handled.
TEST(audit_projection, a_reopen_of_a_payment_in_doubt_changes_nothing)
{
    projection_feed f;
    const auto a = occ("rent", 1);
    f.add(intent(a));
    f.add(in_doubt_record{a, "timeout"});
    f.add(reopened_record{a, "bogus"});
    EXPECT_EQ(f.projection.warning_count(), 1u);
    EXPECT_TRUE(f.projection.handled(a.occurrence));
    EXPECT_EQ(f.projection.find(a.occurrence)->state, occurrence_state::in_doubt);
    EXPECT_EQ(f.projection.spending().size(), 1u);
}

TEST(audit_projection, skip_after_intent_does_not_erase_the_payment)
{
    projection_feed f;
    const auto a = occ("rent", 1);
    f.add(intent(a));
    f.add(skipped_record{a, "bogus"});
    EXPECT_EQ(f.projection.warning_count(), 1u);
    EXPECT_EQ(f.projection.spending().size(), 1u);
}

TEST(audit_projection, replay_from_file_equals_feeding_typed_records)
{
    temp_dir dir;
    const auto p = params_in(dir);
    std::vector<record_body> bodies;
    const auto a = occ("rent", 1), b = occ("rent", 2), c = occ("gym", 3);
    bodies = {started_record{"0.1.0", 1},
              intent(a),
              result(a),
              intent(b),
              in_doubt_record{b, "timeout"},
              skipped_record{c, "condition"},
              intent(occ("gym", 4))};
    std::vector<record> written;
    {
        audit_projection live;
        auto store = open_store(p, live);
        auto r = store->append(bodies);
        ASSERT_TRUE(r);
        written = r->records;
    }
    audit_projection replayed;
    replay_report report;
    auto store = open_store(p, replayed, &report);
    ASSERT_EQ(report.interrupted.size(), 1u);
    EXPECT_EQ(report.interrupted[0], occ("gym", 4));

    audit_projection fed;
    for (const auto& r : written) fed.apply(r);
    fed.finish_replay();
    for (const auto* id : {&a.occurrence, &b.occurrence, &c.occurrence}) {
        EXPECT_EQ(replayed.find(*id)->state, fed.find(*id)->state) << *id;
    }
    EXPECT_EQ(replayed.spending().size(), fed.spending().size());
    EXPECT_EQ(replayed.in_doubt().size(), 2u);
    EXPECT_EQ(replayed.last_seq(), 7u);
}

// A set too large for one line is written in parts of one batch; it applies whole with its
// last part, so a rule in an early part keeps its definition's age across loads.
TEST(audit_projection, a_rule_set_in_parts_applies_whole_with_its_last_part)
{
    audit_projection p;
    const std::string h(64, '1');
    const auto load = [&](std::uint64_t seq, int day) {
        p.apply(record{
            .seq = seq, .ts = utc_micros{at(day)}, .body = rules_loaded_record{{{"a", h}}, 1, 2}});
        // Between the parts, the previous set still stands.
        p.apply(record{.seq = seq + 1,
                       .ts = utc_micros{at(day)},
                       .body = rules_loaded_record{{{"b", h}}, 2, 2}});
    };
    load(1, 1);
    EXPECT_EQ(p.rule_active_since("a", h), at(1));
    EXPECT_EQ(p.rule_active_since("b", h), at(1));
    load(3, 2);
    EXPECT_EQ(p.rule_active_since("a", h), at(1));  // unchanged: still since the first load
    EXPECT_EQ(p.rule_active_since("b", h), at(1));
    p.apply(record{.seq = 5, .ts = utc_micros{at(3)}, .body = rules_loaded_record{{{"b", h}}}});
    EXPECT_FALSE(p.rule_active_since("a", h));  // a single-record load without `a`
}

TEST(audit_projection, rule_definition_is_active_since_its_first_unbroken_load)
{
    audit_projection p;
    const auto t1 = utc_micros{at(1)} + std::chrono::microseconds{500};
    const auto t2 = utc_micros{at(2)};
    const auto t3 = utc_micros{at(3)};
    const auto t4 = utc_micros{at(4)};
    const std::string h1(64, '1'), h2(64, '2');
    p.apply(record{.seq = 1, .ts = t1, .body = rules_loaded_record{{{"rent", h1}, {"gym", h1}}}});
    p.apply(record{.seq = 2, .ts = t2, .body = rules_loaded_record{{{"rent", h1}, {"gym", h2}}}});
    EXPECT_EQ(p.rule_active_since("rent", h1), at(1));  // unchanged since the first load
    EXPECT_EQ(p.rule_active_since("gym", h2), at(2));   // changed at the second
    EXPECT_FALSE(p.rule_active_since("gym", h1));
    EXPECT_FALSE(p.rule_active_since("other", h1));
    p.apply(record{.seq = 3, .ts = t3, .body = rules_loaded_record{{{"gym", h2}}}});
    EXPECT_FALSE(p.rule_active_since("rent", h1));  // removed
    p.apply(record{.seq = 4, .ts = t4, .body = rules_loaded_record{{{"rent", h1}, {"gym", h2}}}});
    EXPECT_EQ(p.rule_active_since("rent", h1), at(4));  // back, but only since now
    EXPECT_EQ(p.rule_active_since("gym", h2), at(2));
}

TEST(audit_projection, replay_rebuilds_rule_versions_from_the_file)
{
    temp_dir dir;
    auto p = params_in(dir);
    const std::string h1(64, 'a');
    {
        audit_projection live;
        auto store = open_store(p, live);
        ASSERT_TRUE(store->append(std::vector<record_body>{rules_loaded_record{{{"rent", h1}}}}));
    }
    audit_projection replayed;
    auto store = open_store(p, replayed);
    const auto since = replayed.rule_active_since("rent", h1);
    ASSERT_TRUE(since);
    EXPECT_EQ(*since, std::chrono::floor<std::chrono::seconds>(utc_micros{at(1, 0)}));
}

TEST(audit_projection, moved_projection_keeps_working)
{
    projection_feed f;
    const auto a = occ("rent", 1);
    f.add(intent(a));
    audit_projection moved = std::move(f.projection);
    moved.apply(record{.seq = 2, .body = result(a)});
    EXPECT_EQ(moved.find(a.occurrence)->state, occurrence_state::completed);
    EXPECT_EQ(moved.spending().size(), 1u);
    EXPECT_TRUE(moved.finish_replay().empty());
}

// Confirmation from the ledger (issue 15 item 4).
TEST(audit_projection, a_completed_payment_awaits_confirmation_until_a_listing_settles_it)
{
    projection_feed f;
    const auto paid = occ("rent", 1), missing = occ("rent", 2), twice = occ("rent", 3);
    for (const auto& r : {paid, missing, twice}) {
        f.add(intent(r));
        f.add(result(r));
    }
    EXPECT_EQ(f.projection.awaiting_confirmation(utc_seconds::min()).size(), 3u);
    f.add(confirmed_record{.ref = paid, .attempts = 1, .evidence = "Sent 1.00 TSD"});
    f.add(unconfirmed_record{.ref = missing, .attempts = 3, .reason = "not listed"});
    f.add(mismatch_record{.ref = twice, .reason = "two transactions carry the tag"});
    EXPECT_TRUE(f.projection.awaiting_confirmation(utc_seconds::min()).empty());
    EXPECT_EQ(f.projection.find(paid.occurrence)->state, occurrence_state::confirmed);
    EXPECT_EQ(f.projection.find(missing.occurrence)->state, occurrence_state::unconfirmed);
    EXPECT_EQ(f.projection.find(missing.occurrence)->reason, "not listed");
    EXPECT_EQ(f.projection.find(twice.occurrence)->state, occurrence_state::mismatch);
    EXPECT_EQ(f.projection.unconfirmed_count(), 1u);
    ASSERT_EQ(f.projection.unconfirmed().size(), 1u);
    // All three still count against limits, none in doubt but the mismatch.
    EXPECT_EQ(f.projection.spending().size(), 3u);
    EXPECT_EQ(f.projection.in_doubt().size(), 1u);
    // A later listing, or an operator, settles the unconfirmed one.
    f.add(confirmed_record{.ref = missing, .attempts = 1, .evidence = "Sent 1.00 TSD"});
    EXPECT_EQ(f.projection.find(missing.occurrence)->state, occurrence_state::confirmed);
    EXPECT_EQ(f.projection.unconfirmed_count(), 0u);
    EXPECT_TRUE(f.projection.warnings().empty());
}

TEST(audit_projection, a_confirmation_of_anything_but_a_completed_payment_is_a_warning)
{
    projection_feed f;
    const auto failed = occ("rent", 1), unknown = occ("rent", 2);
    f.add(intent(failed));
    f.add(result(failed, outcome::failed));
    f.add(confirmed_record{.ref = failed, .attempts = 1, .evidence = "x"});
    EXPECT_EQ(f.projection.find(failed.occurrence)->state, occurrence_state::failed);
    f.add(confirmed_record{.ref = unknown, .attempts = 1, .evidence = "x"});
    EXPECT_EQ(f.projection.find(unknown.occurrence)->state, occurrence_state::in_doubt);
    EXPECT_EQ(f.projection.warnings().size(), 2u);
}

TEST(audit_projection, an_unconfirmed_payment_can_be_resolved_by_an_operator)
{
    projection_feed f;
    const auto ref = occ("rent", 1);
    f.add(intent(ref));
    f.add(result(ref));
    f.add(unconfirmed_record{.ref = ref, .attempts = 3, .reason = "not listed"});
    EXPECT_TRUE(resolvable(f.projection.find(ref.occurrence)->state));
    f.add(resolved_record{ref, resolution::not_paid, "not in the dashboard"});
    EXPECT_EQ(f.projection.find(ref.occurrence)->state, occurrence_state::resolved_not_paid);
    EXPECT_TRUE(f.projection.spending().empty());
    EXPECT_EQ(f.projection.unconfirmed_count(), 0u);
    EXPECT_TRUE(f.projection.warnings().empty());
}
