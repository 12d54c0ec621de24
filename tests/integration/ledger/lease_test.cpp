// The lease against a real server: epochs, expiry by the database clock, renewal, the takeover
// transaction, graceful release with NOTIFY, and two nodes racing for it.

#include "ledger_fixture.hpp"
#include "paymand/ledger/lease.hpp"

namespace paymand::test {
namespace {

using namespace std::chrono_literals;
using ledger::fence;
using ledger::occurrence_state;

using lease_test = ledger_store_test;

TEST_F(lease_test, the_first_acquisition_takes_epoch_1_and_a_held_lease_is_refused)
{
    auto a = open();
    auto b = open();
    auto got = run(ledger::async_acquire_lease(a, "node-a", lease_time));
    ASSERT_TRUE(got) << got.error().what();
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->epoch, 1);
    EXPECT_GT((*got)->remaining, 9s);
    EXPECT_LE((*got)->remaining, lease_time);
    auto refused = run(ledger::async_acquire_lease(b, "node-b", lease_time));
    ASSERT_TRUE(refused) << refused.error().what();
    EXPECT_FALSE(refused->has_value());
    EXPECT_EQ(b.transaction_state(), "idle");
    auto view = run(ledger::async_read_lease(b));
    ASSERT_TRUE(view);
    EXPECT_EQ(view->holder, "node-a");
    EXPECT_EQ(view->epoch, 1);
}

TEST_F(lease_test, once_expired_by_the_database_clock_another_node_takes_the_next_epoch)
{
    auto a = open();
    auto b = open();
    ASSERT_TRUE(run(ledger::async_acquire_lease(a, "node-a", lease_time))->has_value());
    expire_lease();
    auto got = run(ledger::async_acquire_lease(b, "node-b", lease_time));
    ASSERT_TRUE(got) << got.error().what();
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->epoch, 2);
}

TEST_F(lease_test, a_short_lease_expires_on_its_own)
{
    auto a = open();
    auto b = open();
    ASSERT_TRUE(run(ledger::async_acquire_lease(a, "node-a", 50ms))->has_value());
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    for (;;) {
        auto got = run(ledger::async_acquire_lease(b, "node-b", lease_time));
        ASSERT_TRUE(got) << got.error().what();
        if (got->has_value()) break;
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "a 50 ms lease never expired";
    }
}

TEST_F(lease_test, the_takeover_releases_claims_and_puts_sends_in_doubt_leaving_results_alone)
{
    auto a = open();
    auto b = open();
    auto grant = run(ledger::async_acquire_lease(a, "node-a", lease_time));
    ASSERT_TRUE(grant && grant->has_value());
    const fence fa{.node = "node-a", .epoch = (*grant)->epoch};
    for (const char* id : {"r@1", "r@2", "r@3", "r@4"})
        ASSERT_EQ(*run(ledger::async_claim(a, fa, id, "r")), ledger::claim_outcome::claimed);
    ASSERT_TRUE(*run(ledger::async_open_gate(a, fa, "r@2", test_payment())));
    ASSERT_TRUE(*run(ledger::async_open_gate(a, fa, "r@3", test_payment())));
    ASSERT_TRUE(*run(ledger::async_record_result(a, fa, "r@3", occurrence_state::paid)));
    ASSERT_TRUE(*run(ledger::async_settle_unsent(a, fa, "r@4", occurrence_state::skipped)));
    expire_lease();

    auto took = run(ledger::async_acquire_lease(b, "node-b", lease_time));
    ASSERT_TRUE(took) << took.error().what();
    ASSERT_TRUE(took->has_value());
    EXPECT_EQ((*took)->epoch, 2);
    EXPECT_EQ((*took)->released, 1u);
    EXPECT_EQ((*took)->in_doubt, 1u);
    EXPECT_EQ(row_of("r@1"), "released node-a 1");
    EXPECT_EQ(row_of("r@2"), "in_doubt node-a 1");
    EXPECT_EQ(row_of("r@3"), "paid node-a 1");
    EXPECT_EQ(row_of("r@4"), "skipped node-a 1");
}

TEST_F(lease_test, renewal_extends_a_held_lease_and_is_refused_once_expired)
{
    auto a = open();
    auto grant = run(ledger::async_acquire_lease(a, "node-a", 2s));
    ASSERT_TRUE(grant && grant->has_value());
    const auto epoch = (*grant)->epoch;
    auto renewed = run(ledger::async_renew_lease(a, "node-a", epoch, lease_time));
    ASSERT_TRUE(renewed) << renewed.error().what();
    ASSERT_TRUE(renewed->has_value());
    EXPECT_GT(**renewed, 9s);
    expire_lease();
    // Nobody took over, yet the expired term is not revived.
    auto late = run(ledger::async_renew_lease(a, "node-a", epoch, lease_time));
    ASSERT_TRUE(late) << late.error().what();
    EXPECT_FALSE(late->has_value());
    auto view = run(ledger::async_read_lease(a));
    ASSERT_TRUE(view);
    EXPECT_LE(view->remaining, 0ms);
}

TEST_F(lease_test, renewal_is_refused_when_the_epoch_moved_on_or_for_another_node)
{
    auto a = open();
    auto b = open();
    ASSERT_TRUE(run(ledger::async_acquire_lease(a, "node-a", lease_time))->has_value());
    expire_lease();
    ASSERT_TRUE(run(ledger::async_acquire_lease(b, "node-b", lease_time))->has_value());
    auto stale = run(ledger::async_renew_lease(a, "node-a", 1, lease_time));
    ASSERT_TRUE(stale);
    EXPECT_FALSE(stale->has_value());
    auto impostor = run(ledger::async_renew_lease(a, "node-a", 2, lease_time));
    ASSERT_TRUE(impostor);
    EXPECT_FALSE(impostor->has_value());
    auto holder = run(ledger::async_renew_lease(b, "node-b", 2, lease_time));
    ASSERT_TRUE(holder);
    EXPECT_TRUE(holder->has_value());
}

TEST_F(lease_test, a_graceful_release_notifies_a_standby_which_takes_over_at_once)
{
    auto a = open();
    auto standby = open();
    auto grant = run(ledger::async_acquire_lease(a, "node-a", lease_time));
    ASSERT_TRUE(grant && grant->has_value());
    ASSERT_TRUE(run(standby.async_query("LISTEN " + std::string(ledger::lease_channel))));
    EXPECT_FALSE(*run(ledger::async_release_lease(a, "node-a", 7)));  // not our epoch
    const auto released_at = std::chrono::steady_clock::now();
    auto released = run(ledger::async_release_lease(a, "node-a", (*grant)->epoch));
    ASSERT_TRUE(released) << released.error().what();
    EXPECT_TRUE(*released);
    auto heard = run(standby.async_wait_notification(5s));
    ASSERT_TRUE(heard) << heard.error().what();
    ASSERT_TRUE(heard->has_value());
    EXPECT_EQ((*heard)->payload, std::to_string((*grant)->epoch));
    auto took = run(ledger::async_acquire_lease(standby, "node-b", lease_time));
    ASSERT_TRUE(took) << took.error().what();
    ASSERT_TRUE(took->has_value());
    EXPECT_EQ((*took)->epoch, (*grant)->epoch + 1);
    EXPECT_LT(std::chrono::steady_clock::now() - released_at, 1s);
    EXPECT_FALSE(*run(ledger::async_release_lease(a, "node-a", (*grant)->epoch)));
}

TEST_F(lease_test, two_nodes_racing_for_a_free_lease_get_one_epoch_between_them)
{
    auto a = open();
    auto b = open();
    for (int round = 0; round < 10; ++round) {
        expire_lease();
        auto [ra, rb] = run_both(ledger::async_acquire_lease(a, "node-a", lease_time),
                                 ledger::async_acquire_lease(b, "node-b", lease_time));
        ASSERT_TRUE(ra) << ra.error().what();
        ASSERT_TRUE(rb) << rb.error().what();
        ASSERT_NE(ra->has_value(), rb->has_value()) << "round " << round;
        EXPECT_EQ((ra->has_value() ? **ra : **rb).epoch, round + 1);
    }
}

}  // namespace
}  // namespace paymand::test
