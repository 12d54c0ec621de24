// Issue 21's scenarios about the nodes' surroundings: the database restarted (fast and
// immediate) during sends, a node whose clock is skewed, a node with other rules, a cloned
// state directory, a database restored from an earlier dump. The witnesses are those of
// ha_scenarios_test.cpp (the sandbox's ledger and request log, the shared ledger's rows, every
// node's audit chain); a node that must not lead has to say why in its journal.

#include "ha_cluster.hpp"
#include "support/poll.hpp"

#include <date/date.h>
#include <fmt/format.h>
#include <gmock/gmock.h>

#include <iostream>
#include <regex>

namespace paymand::test {
namespace {

using namespace std::chrono_literals;
using testing::HasSubstr;

// Three rules paying every (accelerated) minute, catching up each missed minute for 2 h.
const std::vector<std::string> environment_rule_ids = {"e0", "e1", "e2"};

std::string environment_rules(std::string_view amount = "0.01")
{
    std::string rules = "rules:\n";
    for (const auto& id : environment_rule_ids)
        rules += fmt::format("  - id: {}\n    schedule: \"* * * * *\"\n    catchup: each\n"
                             "    catchup_window: 2h\n    pay: {{payee: John Doe, amount: {}}}\n",
                             id, amount);
    return rules;
}

const std::string environment_engine = "engine: {concurrency: 8, shutdown_grace: 10s}\n";

class ha_environment : public ha_cluster {
protected:
    // The window the witnesses check: from the minute after the last node started to an
    // accelerated minute before the check (what is due then has been fired).
    std::chrono::sys_seconds checked_from{};

    void begin_checking() { checked_from = accelerated_now() + std::chrono::minutes(1); }

    // The occurrences due in the window, once it spans at least `minutes` minutes.
    std::set<std::string> due_over(std::size_t minutes)
    {
        std::set<std::string> due;
        EXPECT_TRUE(eventually(
            [&] {
                due = due_identities(environment_rule_ids, checked_from,
                                     accelerated_now() - std::chrono::minutes(1));
                return due.size() >= minutes * environment_rule_ids.size();
            },
            20s, 20ms));
        return due;
    }

    // The window's occurrences once it spans two minutes and every one of them is settled.
    std::set<std::string> settled_window()
    {
        const auto due = due_over(2);
        const auto open = wait_until_settled(due, 30s);
        EXPECT_TRUE(open.empty()) << open.size() << " not settled, e.g. "
                                  << (open.empty() ? "" : *open.begin());
        return due;
    }

    // The witnesses (every node stopped), and the figures printed.
    cluster_figures witnesses(std::string_view scenario, const std::set<std::string>& due)
    {
        const auto f = expect_cluster_agrees(due);
        report(scenario, f);
        return f;
    }

    // Waits until the sandbox has received `more` payment requests beyond what it had.
    bool payments_go_on(std::size_t more = 3)
    {
        const auto from = payment_request_count();
        return eventually([&] { return payment_request_count() >= from + more; }, 20s, 20ms);
    }

    // Waits for a line of node `i`'s journal (stderr) matching `pattern`.
    void expect_journal(std::size_t i, const std::string& pattern)
    {
        EXPECT_NO_THROW(nodes.at(i).process->wait_for_line(std::regex(pattern), 20s, true))
            << nodes.at(i).name << " never said: " << pattern;
    }

    std::string count_rows(std::string_view where)
    {
        return pg.query_value(
            db, fmt::format("SELECT count(*) FROM paymand_occurrence WHERE {}", where));
    }

    // `paymand status` of node `i`.
    run_result status_of(std::size_t i) const
    {
        auto params = node_params(nodes.at(i));
        params.args = {"status", "--config", nodes.at(i).config().string()};
        return run(our_binary("paymand"), params);
    }

    void report(std::string_view scenario, const cluster_figures& f) const
    {
        std::cout << fmt::format("{}: {} due, {} paid, {} payment requests, {} in doubt, {} "
                                 "duplicates, last epoch {}\n",
                                 scenario, f.due, f.paid, f.sends, f.in_doubt, f.duplicates,
                                 f.last_epoch);
    }

    // Ships a record of `node` that the node never wrote, linked to the ledger's last one (the
    // trigger accepts it), as a clone of the node running beside it would: the node's own next
    // record no longer fits, and its chain and the ledger's copy diverged.
    void ship_a_foreign_record(std::string_view node)
    {
        const auto forge = fmt::format(
            "WITH last AS (SELECT seq + 1 AS seq, hash AS prev FROM paymand_audit WHERE node = "
            "'{0}' ORDER BY seq DESC LIMIT 1), line AS (SELECT seq, prev, convert_to('{{\"seq\":' "
            "|| seq || ',\"type\":\"written by a clone\"', 'UTF8') AS prefix FROM last), "
            "linked AS (SELECT seq, prefix, encode(sha256(convert_to(prev, 'UTF8') || prefix), "
            "'hex') AS hash FROM line) INSERT INTO paymand_audit (node, seq, record, hash, "
            "prev_hash, shipped_at) SELECT '{0}', seq, prefix || convert_to(',\"hash\":\"' || "
            "hash || '\"}}', 'UTF8'), hash, '', now() FROM linked",
            node);
        // The node may ship the same seq first: then the next one.
        EXPECT_TRUE(eventually(
            [&] {
                try {
                    pg.execute(db, forge);
                    return true;
                } catch (const std::exception&) {
                    return false;
                }
            },
            5s, 1ms));
    }

    // pay-1 and pay-2 with the same rules, pay-1 started first and leading, payments going on.
    void two_nodes_pay_1_leading()
    {
        make_cluster(2, environment_rules(), {}, environment_engine);
        start(0);
        ASSERT_EQ(wait_for_leader(10s), 0u);
        start(1);
        begin_checking();
        ASSERT_TRUE(payments_go_on());
    }

    void restart_during_sends(bool immediate);
};

// The server stops (fast: sessions ended, a checkpoint; immediate: as after a crash, WAL
// replay at the next start) while the leader claims, passes gates and sends, and comes back on
// the same port. The database is set to what docs/ha.md requires ("Durability"):
// synchronous_commit on, so a committed gate survives the crash (the binary's server runs with
// it off for speed).
void ha_environment::restart_during_sends(bool immediate)
{
    // Another test's database: the restart must keep it (the server is the binary's).
    const auto other = pg.create_database();
    pg.execute(other, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
    pg.execute(db, fmt::format("ALTER DATABASE {} SET synchronous_commit = on", db));
    make_cluster(2, environment_rules(), {}, environment_engine);
    start(0);
    start(1);
    begin_checking();
    ASSERT_TRUE(wait_for_leader(10s));
    ASSERT_TRUE(payments_go_on());
    const auto epoch = lease().epoch;

    // Requests take 300 ms: one may be out while the server stops, its result recorded after.
    for (auto& n : nodes) n.payman_link->delay(300ms);
    ASSERT_TRUE(payments_go_on());
    pg.restart(immediate);
    for (auto& n : nodes) n.payman_link->pass();
    if (std::getenv("PAYMAND_HA_ENV_DEBUG"))
        for (auto& n : nodes) std::cerr << n.process->err();

    // The nodes reconnect: someone leads and payments go on.
    ASSERT_TRUE(wait_for_leader(20s)) << "no leader after the restart";
    EXPECT_TRUE(payments_go_on()) << "no payments after the restart";
    const auto due = settled_window();
    stop_all();
    witnesses(fmt::format("PostgreSQL restarted ({}) during sends, epoch {} before",
                          immediate ? "immediate" : "fast", epoch),
              due);
    EXPECT_EQ(count_rows("state IN ('sending', 'claimed')"), "0")
        << "a row was left half-way: " << count_rows("state = 'sending'") << " sending";
    EXPECT_EQ(pg.query_value(other, "SELECT v FROM kept"), "42");
}

TEST_F(ha_environment, a_fast_database_restart_during_sends_pays_nothing_twice)
{
    restart_during_sends(false);
}

TEST_F(ha_environment, an_immediate_database_restart_during_sends_pays_nothing_twice)
{
    restart_during_sends(true);
}

// A node whose clock is 5 s ahead of the database's (ha.max_clock_skew is 1 s) never
// campaigns, even alone and with the lease free, says why, and never sends.
TEST_F(ha_environment, a_node_with_a_skewed_clock_never_leads_and_says_why)
{
    make_cluster(2, environment_rules(), {}, environment_engine);
    nodes[1].env.push_back("PAYMAND_TEST_CLOCK_SKEW_MS=5000");
    start(1);
    expect_journal(1, "ha: node pay-2 does not campaign for the lease: this node's clock is "
                      "[0-9]+ ms ahead of the database's, more than the 1000 ms allowed");
    ASSERT_TRUE(wait_for_eligibility_checks({1}, 3, 10s));
    EXPECT_EQ(lease().epoch, 0) << "the skewed node took the lease";

    start(0);
    begin_checking();
    const auto leader = wait_for_leader(10s);
    ASSERT_TRUE(leader);
    EXPECT_EQ(*leader, 0u);
    ASSERT_TRUE(payments_go_on());
    const auto due = settled_window();

    // The only eligible node leaves, releasing the lease: the skewed one still stays out.
    const auto epoch = lease().epoch;
    stop(0);
    ASSERT_TRUE(wait_for_eligibility_checks({1}, 3, 10s));
    EXPECT_EQ(lease().epoch, epoch);
    const auto status = status_of(1);
    EXPECT_EQ(status.status.code, 1) << status.out << status.err;
    EXPECT_THAT(status.out, HasSubstr("ha: node pay-2 may not lead: this node's clock is"));

    stop(1);
    EXPECT_EQ(count_rows("node = 'pay-2'"), "0") << "the skewed node claimed occurrences";
    const auto f = witnesses("a node with a skewed clock", due);
    EXPECT_GT(f.paid, 0u);
}

// pay-3 runs other rules (another amount). It never campaigns while pay-1 and pay-2 live, and
// says why; pay-2 sees a live node with other rules too and stays out as well (eligibility is
// symmetric: docs/ha.md, "Eligibility"). So the leader goes on paying, but when it dies nobody
// takes over (fail closed: no node can tell which rules are right) until the odd node leaves;
// then pay-2 leads and pays what came due meanwhile.
TEST_F(ha_environment, a_node_with_other_rules_never_leads_and_the_others_pay)
{
    make_cluster(3, environment_rules(), {}, environment_engine);
    write_node(nodes[2], environment_rules("0.02"), {}, environment_engine);
    start(0);
    ASSERT_EQ(wait_for_leader(10s), 0u);
    start(1);
    start(2);
    begin_checking();
    expect_journal(2, "ha: node pay-3 does not campaign for the lease: live node\\(s\\) "
                      "pay-1, pay-2 run another rule set or policy");
    expect_journal(1, "ha: node pay-2 does not campaign for the lease: live node\\(s\\) "
                      "pay-3 run another rule set or policy");
    ASSERT_TRUE(payments_go_on());
    EXPECT_EQ(lease().holder, "pay-1") << "a node with other rules unseated the leader";

    const auto term = lease();
    kill(0);
    ASSERT_TRUE(wait_for_eligibility_checks({1, 2}, 8, 10s));  // well past the lease's end
    EXPECT_EQ(lease().epoch, term.epoch) << "a node led beside a live node with other rules";
    EXPECT_EQ(lease().holder, "");

    stop(2);
    const auto next = wait_for_leader(10s);
    ASSERT_TRUE(next);
    EXPECT_EQ(nodes[*next].name, "pay-2");
    start(0);
    ASSERT_TRUE(payments_go_on());
    const auto due = settled_window();
    stop_all();
    EXPECT_EQ(count_rows("node = 'pay-3'"), "0") << "the node with other rules claimed";
    const auto f = witnesses("a node with other rules", due);
    EXPECT_GT(f.paid, 0u);
}

// A monthly limit of 0.10 TSD (ten payments of 0.01) across a takeover: pay-1 pays some of it
// and is killed; pay-2's limits count pay-1's payments from the shared ledger, so the month
// never holds more than ten payments (without them pay-2 would pay ten more). The limits' zone
// is UTC, or UTC-12 when the month ends in UTC within the next accelerated hours.
TEST_F(ha_environment, a_new_leaders_limits_count_the_old_leaders_payments)
{
    const auto now = accelerated_now();
    const auto month = [](std::chrono::sys_seconds t) {
        return date::year_month_day(std::chrono::floor<date::days>(t)).month();
    };
    const bool month_ends_soon = month(now) != month(now + std::chrono::hours(3));
    policy = fmt::format(
        "timezone: {}\nlimits:\n  currencies:\n    TSD: {{per_transaction: 0.01, monthly: 0.10}}\n",
        month_ends_soon ? "Etc/GMT+12" : "UTC");
    make_cluster(2, environment_rules(), {}, environment_engine);
    start(0);
    ASSERT_EQ(wait_for_leader(10s), 0u);
    start(1);
    const auto paid = [&] {
        return sandbox.ledger().as_object().at("transactions").as_array().size();
    };
    ASSERT_TRUE(eventually([&] { return paid() >= 4; }, 20s, 20ms));
    kill(0);
    ASSERT_EQ(wait_for_leader(20s), 1u);
    expect_journal(1, "limits: counting [0-9]+ payment\\(s\\) other nodes made");
    // Well past the limit: four accelerated minutes of three payments each.
    const auto until = accelerated_now() + std::chrono::minutes(6);
    ASSERT_TRUE(eventually([&] { return accelerated_now() >= until; }, 20s, 100ms));
    stop_all();
    EXPECT_LE(paid(), 10u) << "the month holds more payments than its limit allows";
    std::size_t denied = 0;
    for (const auto& r : read_records(nodes[1].audit_log()))
        if (r.at("type").as_string() == "denied") ++denied;
    EXPECT_GT(denied, 0u) << "pay-2 never reached the limit";
}

// pay-1's state directory copied: under another node's name the copy refuses to start; a
// whole machine cloned (same node name) goes on with pay-1's chain, and the original, started
// again, finds its chain and the ledger's copy diverged: it never leads (when it gains the lease
// it steps down at once) and sends nothing.
TEST_F(ha_environment, a_cloned_state_directory_never_leads_on_a_diverged_chain)
{
    ASSERT_NO_FATAL_FAILURE(two_nodes_pay_1_leading());
    stop(0);
    ASSERT_EQ(wait_for_leader(10s), 1u);

    // The copy under another name: its node memory belongs to pay-1.
    const auto renamed = add_node("pay-3", "pay-3", environment_rules(), {}, environment_engine);
    copy_state(0, renamed);
    auto refused = run(our_binary("paymand-crashpoints"), node_params(nodes[renamed]), 30s);
    EXPECT_EQ(refused.status.code, 65) << refused.err;
    EXPECT_THAT(refused.err, HasSubstr("belongs to node 'pay-1', not to 'pay-3'"));

    // The whole machine cloned: the clone runs as pay-1 and ships records the original never
    // wrote.
    const auto clone =
        add_node("pay-1", "pay-1-clone", environment_rules(), {}, environment_engine);
    copy_state(0, clone);
    const auto original_seqs = read_records(nodes[0].audit_log()).size();
    start(clone);
    ASSERT_TRUE(eventually(
        [&] {
            return std::stoul(pg.query_value(db, "SELECT coalesce(max(seq), 0) FROM "
                                                 "paymand_audit WHERE node = 'pay-1'")) >
                   original_seqs;
        },
        10s, 20ms));
    ASSERT_TRUE(payments_go_on());

    start(0);
    expect_journal(0, "ha: node pay-1 must not lead until an operator acts");
    ASSERT_TRUE(payments_go_on());
    const auto due = settled_window();

    // Everyone else leaves: the original gains the free lease and steps down at once.
    stop(clone);
    const auto epoch = lease().epoch;
    const auto sent = payment_request_count();
    stop(1);
    expect_journal(0, "ha: node pay-1 steps down: its audit chain and the ledger's diverged");
    EXPECT_TRUE(eventually([&] { return lease().holder.empty(); }, 10s, 20ms));
    EXPECT_EQ(lease().epoch, epoch + 1) << "the diverged node was to take the lease once";
    stop(0);
    EXPECT_EQ(payment_request_count(), sent) << "the diverged node sent";
    witnesses("a cloned state directory", due);
}

// The leader's chain diverges while it leads: a record under its name that it never wrote
// reaches the ledger first (a clone's, say). Its shipper's next batch is refused, the resume
// finds the ledger's record at that seq is not its own, and the leader steps down at once
// (`ha_node::state::diverged`); the other node takes over and pays on, nothing twice.
TEST_F(ha_environment, a_leader_whose_chain_diverges_steps_down_and_another_takes_over)
{
    ASSERT_NO_FATAL_FAILURE(two_nodes_pay_1_leading());
    const auto term = lease();

    ship_a_foreign_record("pay-1");
    expect_journal(0, "ha: node pay-1 must not lead until an operator acts");
    ASSERT_TRUE(eventually(
        [&] {
            const auto now = lease();
            return now.epoch > term.epoch && now.holder == "pay-2";
        },
        10s, 20ms));
    expect_journal(0, "ha: node pay-1 steps down from epoch");
    ASSERT_TRUE(payments_go_on());
    const auto due = settled_window();
    stop_all();
    witnesses("a leader whose chain diverged", due);
}

// A dump taken at epoch 1; the cluster pays on, a leader dies (epoch 2) and everything stops;
// the database is restored from the dump. Started again, no node leads: each remembers a higher
// epoch and more of its chain acknowledged than the restored ledger holds.
TEST_F(ha_environment, a_database_restored_from_an_earlier_dump_is_never_led)
{
    make_cluster(2, environment_rules(), {}, environment_engine);
    start(0);
    start(1);
    begin_checking();
    const auto leader = wait_for_leader(10s);
    ASSERT_TRUE(leader);
    ASSERT_TRUE(payments_go_on());
    const auto dump = pg.dump(db);
    const auto dumped_epoch = lease().epoch;

    kill(*leader);
    ASSERT_TRUE(eventually([&] { return lease().epoch > dumped_epoch; }, 20s, 20ms));
    start(*leader);
    ASSERT_TRUE(payments_go_on());
    const auto due = settled_window();
    stop_all();
    witnesses("before the restore", due);

    pg.restore(db, dump);
    const auto sent = payment_request_count();
    const auto rows = count_rows("true");
    start(0);
    start(1);
    for (std::size_t i = 0; i < 2; ++i) {
        expect_journal(i, fmt::format("ha: node {} does not campaign for the lease: the lease "
                                      "epoch went backwards",
                                      nodes[i].name));
        // The shipper too: the ledger holds less of the chain than it acknowledged.
        expect_journal(
            i, fmt::format("ha: node {} must not lead until an operator acts", nodes[i].name));
    }
    ASSERT_TRUE(wait_for_eligibility_checks({0, 1}, 3, 10s));
    EXPECT_EQ(lease().epoch, dumped_epoch) << "a node led the restored ledger";
    const auto status = status_of(0);
    EXPECT_EQ(status.status.code, 1) << status.out << status.err;
    EXPECT_THAT(status.out, HasSubstr("ha: node pay-1 may not lead: the lease epoch went "
                                      "backwards"));
    stop(0);
    stop(1);
    EXPECT_EQ(payment_request_count(), sent) << "a node paid on the restored ledger";
    EXPECT_EQ(count_rows("true"), rows) << "a node claimed on the restored ledger";
}

}  // namespace
}  // namespace paymand::test
