// The cluster view (cluster_view.hpp) against a real server: the lease by the database's clock,
// the nodes alive or not, and the open rows (in_doubt, sending) of every node, oldest first.

#include "ledger_fixture.hpp"
#include "paymand/ledger/cluster_view.hpp"
#include "paymand/ledger/node_table.hpp"

namespace paymand::test {
namespace {

using namespace std::chrono_literals;
using ledger::occurrence_state;

class cluster_view_test : public ledger_store_test {
protected:
    ledger::cluster_view read(ledger::connection& c)
    {
        auto view = run(ledger::async_read_cluster(c));
        if (!view) throw std::runtime_error("read_cluster: " + view.error().what());
        return std::move(*view);
    }
};

TEST_F(cluster_view_test, an_empty_ledger_has_no_leader_no_nodes_and_no_open_rows)
{
    auto c = open();
    const auto view = read(c);
    EXPECT_FALSE(view.lease.holder);
    EXPECT_EQ(view.lease.epoch, 0);
    EXPECT_LE(view.lease.remaining.count(), 0);
    EXPECT_TRUE(view.nodes.empty());
    EXPECT_TRUE(view.open.empty());
}

TEST_F(cluster_view_test, the_open_rows_of_every_node_oldest_first_and_a_live_then_expired_lease)
{
    auto a = open();
    auto b = open();
    const auto fa = take_lease(a, "node-a");
    claim_and_send(a, fa, "rent@1", "rent");  // in doubt after the takeover
    claim_and_send(a, fa, "rent@2", "rent");
    ASSERT_TRUE(*run(ledger::async_record_result(a, fa, "rent@2", occurrence_state::paid)));
    ASSERT_EQ(*run(ledger::async_claim(a, fa, "rent@3", "rent")), ledger::claim_outcome::claimed);
    ASSERT_TRUE(run(ledger::async_publish_node(a, {"node-a", "r", "p"}, 10s)));
    ASSERT_TRUE(run(ledger::async_retire_node(a, "node-a")));
    expire_lease();
    const auto fb = take_lease(b, "node-b");
    ASSERT_TRUE(run(ledger::async_publish_node(b, {"node-b", "r", "p"}, 10s)));
    claim_and_send(b, fb, "rent@4", "rent");  // in flight
    claim_and_send(b, fb, "rent@5", "rent");
    ASSERT_TRUE(*run(ledger::async_record_result(b, fb, "rent@5", occurrence_state::in_doubt)));

    auto view = read(b);
    EXPECT_EQ(view.lease.holder, "node-b");
    EXPECT_EQ(view.lease.epoch, fb.epoch);
    EXPECT_GT(view.lease.remaining.count(), 0);
    EXPECT_LE(view.lease.remaining, lease_time);
    ASSERT_EQ(view.nodes.size(), 2u);
    EXPECT_EQ(view.nodes[0].node, "node-a");
    EXPECT_FALSE(view.nodes[0].alive);
    EXPECT_EQ(view.nodes[1].node, "node-b");
    EXPECT_TRUE(view.nodes[1].alive);
    EXPECT_GE(view.nodes[0].since_seen.count(), 0);
    ASSERT_EQ(view.open.size(), 3u);
    EXPECT_EQ(view.open[0].identity, "rent@1");
    EXPECT_EQ(view.open[0].state, occurrence_state::in_doubt);
    EXPECT_EQ(view.open[0].node, "node-a");
    EXPECT_EQ(view.open[0].epoch, fa.epoch);
    EXPECT_EQ(view.open[0].rule, "rent");
    EXPECT_EQ(view.open[1].identity, "rent@4");
    EXPECT_EQ(view.open[1].state, occurrence_state::sending);
    EXPECT_EQ(view.open[2].identity, "rent@5");
    EXPECT_EQ(view.open[2].node, "node-b");
    EXPECT_GE(view.open[0].since_update, view.open[2].since_update);
    EXPECT_FALSE(ledger::in_flight(view, view.open[0]));
    EXPECT_TRUE(ledger::in_flight(view, view.open[1]));
    EXPECT_FALSE(ledger::in_flight(view, view.open[2]));

    // Its holder no longer renews: the sending row is no longer a payment in flight.
    expire_lease();
    view = read(b);
    EXPECT_EQ(view.lease.holder, "node-b");
    EXPECT_LE(view.lease.remaining.count(), 0);
    ASSERT_EQ(view.open.size(), 3u);
    EXPECT_FALSE(ledger::in_flight(view, view.open[1]));
}

}  // namespace
}  // namespace paymand::test
