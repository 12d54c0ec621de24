// The lease keeper against a real server: keepers of two and three nodes in one process on one
// database, with short leases (1 s, renewed every 200 ms), waiting for conditions with
// deadlines.

#include "ledger_fixture.hpp"
#include "paymand/core/task_group.hpp"
#include "paymand/ledger/lease.hpp"
#include "paymand/ledger/lease_keeper.hpp"
#include "support/manual_clock.hpp"

#include <gmock/gmock.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <list>
#include <memory>
#include <sstream>

namespace paymand::test {
namespace keeper_tests {

using namespace std::chrono_literals;
using ledger::keeper_role;
using ledger::loss_reason;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::HasSubstr;

constexpr milliseconds short_lease = 1000ms;
constexpr milliseconds short_renew = 200ms;
constexpr milliseconds short_margin = 200ms;
// What statements and a loaded machine add to a bound the design promises.
constexpr milliseconds slack = 500ms;

// One node: its keeper in a task group of its own, so that it can die alone.
struct test_node {
    std::string name;
    core::task_group group;
    std::vector<std::pair<std::int64_t, loss_reason>> losses;
    std::optional<steady_clock::time_point> lost_at;
    // Each gained call: its epoch, and the fence the keeper gave at that moment.
    std::vector<std::pair<std::int64_t, std::optional<ledger::fence>>> gains;
    std::unique_ptr<ledger::lease_keeper> keeper;

    test_node(boost::asio::io_context& io, ledger::keeper_settings s,
              std::shared_ptr<const core::clock> clock)
        : name(s.identity.node),
          group(io.get_executor(), [](std::string_view task, std::exception_ptr) {
              ADD_FAILURE() << "task " << task << " ended by an exception";
          })
    {
        keeper = std::make_unique<ledger::lease_keeper>(
            io.get_executor(), std::move(s),
            [this](std::int64_t epoch, loss_reason reason) {
                losses.emplace_back(epoch, reason);
                lost_at = steady_clock::now();
            },
            std::move(clock));
        keeper->on_gained(
            [this](std::int64_t epoch) { gains.emplace_back(epoch, keeper->current_fence()); });
        keeper->start(group);
    }
};

class lease_keeper_test : public ledger_store_test {
protected:
    std::list<test_node> nodes;

    ledger::keeper_settings settings_of(const std::string& name, milliseconds lease = short_lease,
                                        milliseconds renew = short_renew)
    {
        ledger::keeper_settings s;
        s.connection = socket_settings();
        s.identity = {.node = name, .rules_hash = "rules-1", .policy_hash = "policy-1"};
        s.lease = lease;
        s.renew = renew;
        s.safety_margin = short_margin;
        s.max_clock_skew = 1000ms;
        return s;
    }

    test_node& start(ledger::keeper_settings s,
                     std::shared_ptr<const core::clock> clock = core::system_clock())
    {
        return nodes.emplace_back(io, std::move(s), std::move(clock));
    }
    test_node& start(const std::string& name) { return start(settings_of(name)); }

    // The node dies: its tasks are cancelled, nothing is released.
    void kill(test_node& n)
    {
        n.group.cancel(boost::asio::cancellation_type::terminal);
        ASSERT_TRUE(run_until([&] { return n.group.size() == 0; }, 5s));
    }

    std::vector<test_node*> leaders()
    {
        std::vector<test_node*> out;
        for (auto& n : nodes)
            if (n.keeper->is_leader()) out.push_back(&n);
        return out;
    }

    void TearDown() override
    {
        for (auto& n : nodes) n.group.cancel(boost::asio::cancellation_type::terminal);
        EXPECT_TRUE(run_until(
            [&] {
                for (auto& n : nodes)
                    if (n.group.size() != 0) return false;
                return true;
            },
            5s));
    }
};

// Captures what the default logger writes while it lives.
class log_capture {
public:
    log_capture() : previous_(spdlog::default_logger())
    {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
        spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
    }
    ~log_capture() { spdlog::set_default_logger(previous_); }
    std::string text() const { return out_.str(); }

private:
    std::shared_ptr<spdlog::logger> previous_;
    std::ostringstream out_;
};

TEST_F(lease_keeper_test, three_keepers_one_leader_and_each_takeover_a_higher_epoch_in_time)
{
    auto& a = start("node-a");
    auto& b = start("node-b");
    auto& c = start("node-c");
    ASSERT_TRUE(run_until([&] { return leaders().size() == 1; }));
    std::vector<std::int64_t> epochs{leaders().front()->keeper->status().epoch};
    std::vector<milliseconds> takeover_times;
    for (int death = 0; death < 2; ++death) {
        // Several renewals with never more than one leader.
        const auto watch_until = steady_clock::now() + 3 * short_renew;
        std::size_t most = 0;
        run_until([&] {
            most = std::max(most, leaders().size());
            return steady_clock::now() >= watch_until;
        });
        EXPECT_EQ(most, 1u);
        auto* leader = leaders().front();
        kill(*leader);
        const auto died = steady_clock::now();
        ASSERT_TRUE(run_until([&] { return leaders().size() == 1; }, 5s));
        takeover_times.push_back(
            std::chrono::duration_cast<milliseconds>(steady_clock::now() - died));
        epochs.push_back(leaders().front()->keeper->status().epoch);
        EXPECT_LE(takeover_times.back(), short_lease + short_renew + slack)
            << "takeover after the leader stopped renewing";
    }
    EXPECT_LT(epochs[0], epochs[1]);
    EXPECT_LT(epochs[1], epochs[2]);
    std::uint64_t takeovers = 0;
    for (auto* n : {&a, &b, &c}) takeovers += n->keeper->status().takeovers;
    EXPECT_EQ(takeovers, 3u);
    std::cout << "takeover after SIGKILL-like death (lease 1 s, renew 200 ms): "
              << takeover_times[0].count() << " ms, " << takeover_times[1].count() << " ms\n";
}

TEST_F(lease_keeper_test, a_graceful_stop_is_taken_over_through_notify_in_under_a_second)
{
    // Renewal every 2 s: without the notification the standby would wait up to 2 s.
    auto& a = start(settings_of("node-a", 5s, 2s));
    ASSERT_TRUE(run_until([&] { return a.keeper->is_leader(); }));
    auto& b = start(settings_of("node-b", 5s, 2s));
    ASSERT_TRUE(run_until([&] { return b.keeper->status().role == keeper_role::standby; }));
    const auto stopped = steady_clock::now();
    a.keeper->stop();
    EXPECT_FALSE(a.keeper->is_leader());
    ASSERT_EQ(a.losses.size(), 1u);
    EXPECT_EQ(a.losses[0].second, loss_reason::stopped);
    ASSERT_TRUE(run_until([&] { return b.keeper->is_leader(); }, 3s));
    const auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - stopped);
    EXPECT_LT(took, 1s);
    EXPECT_GT(b.keeper->status().epoch, a.keeper->status().epoch);
    ASSERT_TRUE(run_until([&] { return a.group.size() == 0; }, 5s));
    EXPECT_EQ(a.keeper->status().role, keeper_role::stopped);
    std::cout << "graceful handover (renew 2 s): " << took.count() << " ms\n";
}

TEST_F(lease_keeper_test, a_refused_renewal_ends_the_leadership_at_once)
{
    auto& a = start("node-a");
    ASSERT_TRUE(run_until([&] { return a.keeper->is_leader(); }));
    const auto epoch = a.keeper->status().epoch;
    // Another term starts under it (as after a pause past the lease).
    pg.execute(db, "UPDATE paymand_lease SET holder = 'intruder', epoch = epoch + 1, "
                   "expires_at = clock_timestamp() + interval '30 s'");
    const auto taken = steady_clock::now();
    ASSERT_TRUE(run_until([&] { return !a.losses.empty(); }, 5s));
    EXPECT_FALSE(a.keeper->is_leader());
    EXPECT_FALSE(a.keeper->current_fence());
    EXPECT_EQ(a.losses[0], std::make_pair(epoch, loss_reason::renewal_refused));
    EXPECT_LE(*a.lost_at - taken, short_renew + slack);
    EXPECT_EQ(a.keeper->status().refused_renewals, 1u);
    EXPECT_NE(a.keeper->status().role, keeper_role::leader);
}

TEST_F(lease_keeper_test, the_gained_handler_is_called_once_per_acquisition_as_the_node_leads)
{
    auto& a = start("node-a");
    ASSERT_TRUE(run_until([&] { return a.keeper->is_leader(); }));
    // Renewals (every 200 ms) are not acquisitions.
    run_until([] { return false; }, 3 * short_renew);
    ASSERT_EQ(a.gains.size(), 1u);
    const auto first = a.keeper->status().epoch;
    EXPECT_EQ(a.gains[0].first, first);
    ASSERT_TRUE(a.gains[0].second);  // it leads when told: claims may start on this call
    EXPECT_EQ(a.gains[0].second->node, "node-a");
    EXPECT_EQ(a.gains[0].second->epoch, first);
    // Another term starts under it and soon ends: node-a loses, then acquires again.
    pg.execute(db, "UPDATE paymand_lease SET holder = 'intruder', epoch = epoch + 1, "
                   "expires_at = clock_timestamp() + interval '300 ms'");
    ASSERT_TRUE(run_until([&] { return a.gains.size() == 2; }, 5s));
    EXPECT_EQ(a.losses.size(), 1u);
    EXPECT_EQ(a.gains[1].first, first + 2);
    EXPECT_EQ(a.keeper->status().takeovers, 2u);
}

TEST_F(lease_keeper_test, the_trusted_window_ends_before_the_database_lease_does)
{
    auto s = settings_of("node-a");
    s.connection.lock_timeout = 5s;  // a blocked renewal hangs past the window
    auto& a = start(std::move(s));
    ASSERT_TRUE(run_until([&] { return a.keeper->is_leader(); }));
    EXPECT_LE(a.keeper->trust_remaining(), short_lease - short_margin);
    // Renewals now wait for this lock: no renewal succeeds any more.
    ledger::connection blocker(io.get_executor());
    ASSERT_TRUE(await(blocker.async_connect(socket_settings())));
    ASSERT_TRUE(await(blocker.async_query("BEGIN")));
    auto locked = await(blocker.async_query("SELECT epoch FROM paymand_lease FOR UPDATE"));
    ASSERT_TRUE(locked) << locked.error().what();
    ASSERT_TRUE(run_until([&] { return !a.losses.empty(); }, 5s));
    const auto left = std::stoll(pg.query_value(
        db, "SELECT (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::bigint "
            "FROM paymand_lease"));
    EXPECT_EQ(a.losses[0].second, loss_reason::window_ran_out);
    EXPECT_FALSE(a.keeper->is_leader());
    EXPECT_GT(left, 0) << "the database lease must outlive the node's trust in it";
    EXPECT_LE(left, short_margin.count() + 50);
    EXPECT_TRUE(await(blocker.async_query("ROLLBACK")));
}

TEST_F(lease_keeper_test, a_skewed_clock_refuses_to_campaign_and_says_why)
{
    log_capture log;
    auto& skewed =
        start(settings_of("node-skewed"), clock_at(std::chrono::system_clock::now() + 5s));
    ASSERT_TRUE(
        run_until([&] { return skewed.keeper->status().role == keeper_role::not_eligible; }));
    const auto st = skewed.keeper->status();
    EXPECT_THAT(st.not_eligible, HasSubstr("ms ahead of the database's, more than the 1000 ms"));
    ASSERT_TRUE(st.clock_skew);
    EXPECT_NEAR(static_cast<double>(st.clock_skew->count()), -5000.0, 500.0);
    // Still out after several rounds, and the lease was never taken.
    const auto until = steady_clock::now() + 3 * short_renew;
    run_until([&] {
        EXPECT_FALSE(skewed.keeper->is_leader());
        return steady_clock::now() >= until;
    });
    EXPECT_EQ(pg.query_value(db, "SELECT coalesce(holder, '') FROM paymand_lease"), "");
    EXPECT_THAT(log.text(), HasSubstr("[error] ha: node node-skewed does not campaign"));
    // A node with a true clock takes the free lease.
    auto& fine = start("node-fine");
    EXPECT_TRUE(run_until([&] { return fine.keeper->is_leader(); }));
    EXPECT_TRUE(skewed.keeper->status().takeovers == 0);
}

TEST_F(lease_keeper_test, a_node_with_another_rule_set_refuses_to_campaign_loudly)
{
    log_capture log;
    auto& a = start("node-a");
    ASSERT_TRUE(run_until([&] { return a.keeper->is_leader(); }));
    auto other = settings_of("node-b");
    other.identity.rules_hash = "rules-2";
    auto& b = start(std::move(other));
    ASSERT_TRUE(run_until([&] { return b.keeper->status().role == keeper_role::not_eligible; }));
    EXPECT_THAT(b.keeper->status().not_eligible,
                HasSubstr("live node(s) node-a run another rule set or policy"));
    EXPECT_THAT(log.text(), HasSubstr("[error] ha: node node-b does not campaign for the lease: "
                                      "live node(s) node-a run another rule set or policy"));
    // The leader dies: b still does not lead while a's row is alive, and never in its term.
    kill(a);
    const auto until = steady_clock::now() + short_lease / 2;
    run_until([&] {
        EXPECT_FALSE(b.keeper->is_leader());
        return steady_clock::now() >= until;
    });
    auto policy = settings_of("node-c");
    policy.identity.policy_hash = "policy-2";
    auto& c = start(std::move(policy));
    ASSERT_TRUE(run_until([&] { return c.keeper->status().role == keeper_role::not_eligible; }));
    EXPECT_THAT(c.keeper->status().not_eligible, HasSubstr("node-b"));
}

TEST_F(lease_keeper_test, a_ledger_older_than_the_node_remembers_is_not_led)
{
    auto s = settings_of("node-a");
    s.memory.highest_epoch = 50;  // this node saw epoch 50; the ledger is at 0
    auto& a = start(std::move(s));
    ASSERT_TRUE(run_until([&] { return a.keeper->status().role == keeper_role::not_eligible; }));
    EXPECT_THAT(a.keeper->status().not_eligible, HasSubstr("epoch went backwards"));
    EXPECT_EQ(pg.query_value(db, "SELECT coalesce(holder, '') FROM paymand_lease"), "");
}

TEST_F(lease_keeper_test, an_outdated_schema_is_not_led)
{
    pg.execute(db, "UPDATE paymand_schema SET version = 1");
    auto& a = start("node-a");
    ASSERT_TRUE(run_until([&] { return a.keeper->status().role == keeper_role::not_eligible; }));
    EXPECT_THAT(a.keeper->status().not_eligible, HasSubstr("schema"));
}

}  // namespace keeper_tests
}  // namespace paymand::test
