// Issue 21's scenarios: three paymand nodes on one PostgreSQL ledger, one sandbox; nodes die,
// stop and hand over, and the witnesses (the sandbox's ledger and request log, the shared
// ledger's rows, every node's audit chain) must show at most one request and one payment per
// occurrence and none vanished. PAYMAND_HA_KILLS sets the number of leader kills of the random
// scenario (CI: 20; the soak, scripts/test --soak: 200).

#include "ha_cluster.hpp"
#include "support/poll.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <random>
#include <thread>

namespace paymand::test {
namespace {

using namespace std::chrono_literals;

// Five rules paying every (accelerated) minute, catching up each missed minute for 2 h.
const std::vector<std::string> rule_ids = {"r0", "r1", "r2", "r3", "r4"};

std::string five_rules()
{
    std::string rules = "rules:\n";
    for (const auto& id : rule_ids)
        rules += "  - id: " + id +
                 "\n    schedule: \"* * * * *\"\n    catchup: each\n    catchup_window: 2h\n"
                 "    pay: {payee: John Doe, amount: 0.01}\n";
    return rules;
}

const std::string engine_settings = "engine: {concurrency: 8, shutdown_grace: 10s}\n";

class ha_scenarios : public ha_cluster {
protected:
    // The window every witness checks: from the minute after the last node started (every
    // node had its rules then) to two accelerated minutes before now (in flight may finish).
    std::chrono::sys_seconds checked_from{};

    void start_all()
    {
        for (std::size_t i = 0; i < nodes.size(); ++i) start(i);
        checked_from = accelerated_now() + std::chrono::minutes(1);
    }

    std::set<std::string> due_until_now() const
    {
        return due_identities(rule_ids, checked_from, accelerated_now() - std::chrono::minutes(2));
    }

    void report(std::string_view scenario, const cluster_figures& f) const
    {
        std::cout << fmt::format("{}: {} due, {} paid, {} payment requests, {} in doubt, {} "
                                 "duplicates, last epoch {}\n",
                                 scenario, f.due, f.paid, f.sends, f.in_doubt, f.duplicates,
                                 f.last_epoch);
    }
};

TEST_F(ha_scenarios, steady_state_one_leader_pays_each_occurrence_once)
{
    make_cluster(3, five_rules(), {}, engine_settings);
    start_all();
    const auto leader = wait_for_leader(10s);
    ASSERT_TRUE(leader);
    const auto epoch = lease().epoch;
    std::this_thread::sleep_for(10s);
    // One term all along: nobody took over from a healthy leader.
    EXPECT_EQ(lease().epoch, epoch);
    EXPECT_EQ(lease().holder, nodes[*leader].name);
    const auto due = due_until_now();
    EXPECT_TRUE(wait_until_settled(due, 30s).empty());
    stop_all();
    const auto f = expect_cluster_agrees(due);
    report("steady state", f);
    EXPECT_GT(f.paid, 0u);
    EXPECT_EQ(f.in_doubt, 0u);
}

TEST_F(ha_scenarios, a_graceful_stop_hands_over_through_notify_before_any_poll)
{
    // Standbys campaign only every 5 s; a handover within that is NOTIFY's doing.
    make_cluster(3, five_rules(), {.lease = "12s", .renew = "5s", .safety_margin = "1s"},
                 engine_settings);
    start_all();
    const auto leader = wait_for_leader(20s);
    ASSERT_TRUE(leader);
    const auto before = lease();
    std::this_thread::sleep_for(2s);
    const auto stopping = std::chrono::steady_clock::now();
    stop(*leader);
    const auto next = wait_for_leader(20s);
    const auto took = std::chrono::steady_clock::now() - stopping;
    ASSERT_TRUE(next);
    EXPECT_NE(*next, *leader);
    EXPECT_GT(lease().epoch, before.epoch);
    EXPECT_LT(took, 4s) << "the standby waited for its poll, not for the release's NOTIFY";
    std::this_thread::sleep_for(3s);
    const auto due = due_until_now();
    EXPECT_TRUE(wait_until_settled(due, 30s).empty());
    stop_all();
    const auto f = expect_cluster_agrees(due);
    report(fmt::format("graceful handover ({} ms)",
                       std::chrono::duration_cast<std::chrono::milliseconds>(took).count()),
           f);
}

// The leader is killed (SIGKILL) at random moments, again and again; each time another node
// takes over with a higher epoch and catches up what was missed; the killed node comes back as
// a standby.
TEST_F(ha_scenarios, random_leader_kills_never_pay_twice_or_lose_an_occurrence)
{
    make_cluster(3, five_rules(), {}, engine_settings);
    start_all();
    const char* kills_env = std::getenv("PAYMAND_HA_KILLS");
    const int kills = kills_env != nullptr ? std::atoi(kills_env) : 20;
    std::mt19937 rng(static_cast<std::uint32_t>(anchor.time_since_epoch().count()));
    std::int64_t last_epoch = 0;
    for (int k = 0; k < kills; ++k) {
        const auto leader = wait_for_leader(20s);
        ASSERT_TRUE(leader) << "no leader after kill " << k;
        const auto term = lease();
        EXPECT_GT(term.epoch, last_epoch) << "epochs must strictly increase";
        last_epoch = term.epoch;
        std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 1500));
        kill(*leader);
        // Another node takes over (a higher epoch) before the killed one comes back as a
        // standby: its old, unexpired lease row must not pass for a leader.
        EXPECT_TRUE(eventually([&] { return lease().epoch > term.epoch; }, 20s, 20ms))
            << "no takeover after kill " << k;
        start(*leader);
    }
    ASSERT_TRUE(wait_for_leader(20s));
    const auto due = due_until_now();
    const auto open = wait_until_settled(due, 60s);
    EXPECT_TRUE(open.empty()) << open.size() << " not settled";
    stop_all();
    const auto f = expect_cluster_agrees(due);
    report(fmt::format("{} leader kills", kills), f);
    EXPECT_GT(f.last_epoch, kills);
    EXPECT_GT(f.paid, 0u);
}

}  // namespace
}  // namespace paymand::test
