// Issue 21's fault scenarios (docs/ha.md, "The three-node scenarios"): the leader held past its
// lease at a pause point and continued, cut from the database or from Payman, killed at every
// crash point, and killed a second before a due occurrence. Besides the cluster's witnesses
// (expect_cluster_agrees: at most one request and one payment per occurrence, none vanished,
// every chain verifies), each scenario checks how the occurrence the leader had in flight ends:
// claimed only -> released and run once by the new leader; sending -> in doubt, never re-sent.
//
// Node 0 leads (it starts alone), its point armed through its environment; the others join as
// standbys. One rule pays every accelerated minute (one a second), so that at most one
// occurrence is in flight when the leader stops. Payments are not confirmed by listings, so
// every request a node writes after its credential check (a token, a payee listing) is a
// payment: `request_written:4` is a payment's request, whatever the order of those two.

#include "ha_cluster.hpp"
#include "support/audit_witness.hpp"
#include "support/poll.hpp"

#include <date/date.h>
#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <iostream>
#include <thread>

namespace paymand::test::faults {
namespace {

using namespace std::chrono_literals;

const std::vector<std::string> paying_rules = {"f0"};

const std::string one_rule_each_minute = R"(rules:
  - id: f0
    schedule: "* * * * *"
    catchup: each
    catchup_window: 2h
    pay: {payee: John Doe, amount: 0.01}
)";

const std::string fault_engine =
    "engine: {concurrency: 8, shutdown_grace: 10s, confirm_payments: false}\n";

std::string point_name(std::string_view point)
{
    std::string name(point);
    std::replace(name.begin(), name.end(), ':', '_');
    return name;
}

long long ms_since(std::chrono::steady_clock::time_point from)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 from)
        .count();
}

class ha_faults : public ha_cluster {
protected:
    std::chrono::sys_seconds checked_from{};
    std::int64_t first_epoch = 0;

    // Node 0 starts alone with `env` and leads; then nodes 1.. join as standbys.
    void start_led_by_first(std::vector<std::string> env)
    {
        nodes.at(0).env = std::move(env);
        start(0);
        const auto leader = wait_for_leader(10s);
        ASSERT_TRUE(leader && *leader == 0) << "node 0 did not lead";
        first_epoch = lease().epoch;
        // Every node runs the same rules: from the leader's next minute on, all is checked.
        checked_from = accelerated_now();
        for (std::size_t i = 1; i < nodes.size(); ++i) start(i);
    }

    std::set<std::string> due_until_now() const
    {
        return due_identities(paying_rules, checked_from,
                              accelerated_now() - std::chrono::minutes(2));
    }

    // The identities node 0 holds in its first term in state claimed or sending.
    std::map<std::string, occurrence_row> in_flight_of_first()
    {
        std::map<std::string, occurrence_row> out;
        for (auto& [id, row] : occurrence_rows())
            if (row.node == nodes[0].name && row.epoch == first_epoch &&
                (row.state == "claimed" || row.state == "sending"))
                out.emplace(id, row);
        return out;
    }

    std::size_t paid_in_terms_after_first()
    {
        std::size_t n = 0;
        for (const auto& [id, row] : occurrence_rows())
            if (row.epoch > first_epoch && row.state == "paid") ++n;
        return n;
    }

    // Waits until another node leads with a higher epoch than node 0's first term.
    bool taken_over(std::chrono::milliseconds timeout)
    {
        return eventually(
            [&] {
                const auto l = lease();
                return l.epoch > first_epoch && !l.holder.empty() && l.holder != nodes[0].name;
            },
            timeout, 20ms);
    }

    // Waits until the leader after node 0 paid `more` occurrences more than now.
    bool new_leader_pays(std::size_t more)
    {
        const auto target = paid_in_terms_after_first() + more;
        return eventually([&] { return paid_in_terms_after_first() >= target; }, 15s, 50ms);
    }

    // Every payment request logged after `after`: the occurrence's row was gated by a later term
    // than node 0's first, except those of `allowed`.
    void expect_no_request_of_the_first_term_after(std::int64_t after,
                                                   const std::set<std::string>& allowed)
    {
        const auto rows = occurrence_rows();
        std::map<std::string, occurrence_row> by_tag;
        for (const auto& [id, row] : rows) by_tag[tag_of(id)] = row;
        for (const auto& [tag, n] : payment_requests(after)) {
            const auto row = by_tag.find(tag);
            ASSERT_NE(row, by_tag.end()) << tag << " was asked for without a ledger row";
            if (allowed.contains(tag)) continue;
            EXPECT_GT(row->second.epoch, first_epoch)
                << tag << " was asked for by " << row->second.node << " in epoch "
                << row->second.epoch << " after its term ended";
        }
    }

    cluster_figures finish(std::set<std::string> due, std::string_view scenario)
    {
        const auto open = wait_until_settled(due, 30s);
        EXPECT_TRUE(open.empty()) << open.size() << " not settled";
        stop_all();
        const auto f = expect_cluster_agrees(due);
        std::cout << fmt::format("{}: {} due, {} paid, {} payment requests, {} in doubt, {} "
                                 "duplicates, last epoch {}\n",
                                 scenario, f.due, f.paid, f.sends, f.in_doubt, f.duplicates,
                                 f.last_epoch);
        return f;
    }
};

// --- 2. the leader held (SIGSTOP) past its lease, then continued (SIGCONT) ---

struct pause_case {
    const char* point;         // PAYMAND_PAUSE_AT; "idle": the test stops it between payments
    const char* row_at_pause;  // the held occurrence's row while it is stopped
    int requests_at_pause;     // its payment requests in the sandbox's log then
    const char* row_after_takeover;
};

// ctest lists a case by its point, not by its bytes.
void PrintTo(const pause_case& c, std::ostream* out)
{
    *out << c.point;
}

class ha_faults_pause : public ha_faults, public testing::WithParamInterface<pause_case> {
protected:
    const pause_case c = GetParam();
    const bool idle = std::string_view(c.point) == "idle";
    // Stopped after its gate passed: the request is not written yet.
    const bool gate_passed =
        std::string_view(c.row_at_pause) == "sending" && c.requests_at_pause == 0;

    // Stops node 0 between two payments, with nothing claimed or sent in flight.
    void pause_idle()
    {
        ASSERT_TRUE(eventually(
            [&] {
                const auto rows = ledger_rows();
                return std::count_if(rows.begin(), rows.end(),
                                     [](const auto& r) { return r.second == "paid"; }) >= 1;
            },
            10s, 50ms));
        for (int attempt = 0; attempt < 5; ++attempt) {
            // Mid-way between two accelerated minutes: the last payment is long done.
            eventually(
                [&] {
                    const auto second = accelerated_now().time_since_epoch().count() % 60;
                    return second >= 20 && second <= 40;
                },
                2s, 5ms);
            pause(0);
            if (in_flight_of_first().empty()) return;
            resume(0);
        }
        FAIL() << "node 0 never was idle";
    }

    // The occurrence node 0 holds while it is stopped ("" when idle), as the case says.
    std::string held_at_pause()
    {
        const auto held = in_flight_of_first();
        if (idle) {
            EXPECT_TRUE(held.empty());
            return {};
        }
        EXPECT_EQ(held.size(), 1u) << "expected one occurrence in flight at " << c.point;
        if (held.size() != 1) return {};
        EXPECT_EQ(held.begin()->second.state, c.row_at_pause);
        const auto tag = tag_of(held.begin()->first);
        EXPECT_TRUE(
            eventually([&] { return payment_requests()[tag] == c.requests_at_pause; }, 5s, 20ms))
            << tag;
        return held.begin()->first;
    }

    // How the held occurrence ended, once every node stopped.
    void expect_held_ended(const std::string& held, int requests_before_continue)
    {
        const auto end = occurrence_rows().at(held);
        const auto sent = payment_requests()[tag_of(held)];
        if (std::string_view(c.row_after_takeover) == "released") {
            EXPECT_EQ(end.state, "paid");
            EXPECT_NE(end.node, nodes[0].name) << "the new leader runs a released occurrence";
            EXPECT_EQ(sent, 1);
            return;
        }
        EXPECT_TRUE(end.state == "in_doubt" || end.state == "paid") << end.state;
        EXPECT_EQ(end.node, nodes[0].name) << "an occurrence in doubt is never run again";
        EXPECT_EQ(requests_before_continue, c.requests_at_pause);
        EXPECT_LE(sent, 1);
    }
};

TEST_P(ha_faults_pause, a_leader_held_past_its_lease_steps_down_and_sends_nothing_new)
{
    make_cluster(3, one_rule_each_minute, {}, fault_engine);
    auto env = idle ? std::vector<std::string>{}
                    : std::vector<std::string>{std::string("PAYMAND_PAUSE_AT=") + c.point};
    ASSERT_NO_FATAL_FAILURE(start_led_by_first(std::move(env)));
    if (idle) {
        ASSERT_NO_FATAL_FAILURE(pause_idle());
    } else {
        ASSERT_TRUE(wait_paused(0, 15s)) << nodes[0].process->err();
    }
    const auto paused_at = std::chrono::steady_clock::now();
    const auto held = held_at_pause();
    ASSERT_EQ(held.empty(), idle);

    ASSERT_TRUE(taken_over(10s)) << "no takeover from the stopped leader";
    const auto takeover_ms = ms_since(paused_at);
    const auto term = lease();
    if (!idle) {
        const auto row = occurrence_rows().at(held);
        // A released row may already be claimed again by the new leader.
        if (std::string_view(c.row_after_takeover) == "released") {
            EXPECT_TRUE(row.state == "released" || row.epoch > first_epoch) << row.state;
        } else {
            EXPECT_EQ(row.state, c.row_after_takeover);
        }
    }
    ASSERT_TRUE(new_leader_pays(1));

    const auto before_continue = last_request_seq();
    const auto held_requests = idle ? 0 : payment_requests()[tag_of(held)];
    resume(0);
    nodes[0].process->wait_for_line(std::regex("pay-1 lost the lease"), 10s, true);
    // One more occurrence: time for the continued node to misbehave if it would.
    ASSERT_TRUE(new_leader_pays(1));
    EXPECT_EQ(lease().epoch, term.epoch) << "the continued node disturbed the new term";
    // The gate passed before the stop: the request may still go out once, late, from the old
    // node (the residual stale-send window, docs/ha.md "Clocks"), never from the new leader.
    std::set<std::string> allowed;
    if (gate_passed) allowed.insert(tag_of(held));
    expect_no_request_of_the_first_term_after(before_continue, allowed);

    auto due = due_until_now();
    if (!idle) due.insert(held);
    finish(due, fmt::format("paused at {} (taken over after {} ms)", c.point, takeover_ms));
    if (!idle) expect_held_ended(held, held_requests);
}

INSTANTIATE_TEST_SUITE_P(
    points, ha_faults_pause,
    testing::Values(
        // Claimed, nothing decided yet: the takeover releases it, the new leader pays it.
        pause_case{"after_claim:2", "claimed", 0, "released"},
        // Gate passed, request not written: in doubt, the new leader never sends it.
        pause_case{"after_gate:2", "sending", 0, "in_doubt"},
        // Request written (the sandbox pays it), answer not read: in doubt, never re-sent.
        pause_case{"request_written:4", "sending", 1, "in_doubt"},
        // Nothing in flight.
        pause_case{"idle", "", 0, ""}),
    [](const auto& info) { return point_name(info.param.point); });

// --- 4. the leader killed (SIGKILL) at each crash point during a payment ---

struct crash_case {
    const char* point;         // PAYMAND_CRASH_AT
    const char* row_at_death;  // the occurrence's row when the leader died
    int requests_at_death;     // its payment requests in the sandbox's log then
    const char* row_at_end;    // "paid" (released, run by the new leader) or "in_doubt"
    int requests_at_end;
};

void PrintTo(const crash_case& c, std::ostream* out)
{
    *out << c.point;
}

class ha_faults_crash : public ha_faults, public testing::WithParamInterface<crash_case> {};

TEST_P(ha_faults_crash, a_leader_killed_at_a_crash_point_is_taken_over_and_nothing_is_paid_twice)
{
    const auto c = GetParam();
    make_cluster(2, one_rule_each_minute, {}, fault_engine);
    ASSERT_NO_FATAL_FAILURE(start_led_by_first({std::string("PAYMAND_CRASH_AT=") + c.point}));
    ASSERT_TRUE(wait_crashed(0, 15s)) << "node 0 did not die at " << c.point;
    const auto died_at = std::chrono::steady_clock::now();
    const auto held = in_flight_of_first();
    ASSERT_EQ(held.size(), 1u) << "expected one occurrence in flight at " << c.point;
    const auto& [identity, row] = *held.begin();
    EXPECT_EQ(row.state, c.row_at_death);
    const auto tag = tag_of(identity);
    EXPECT_TRUE(
        eventually([&] { return payment_requests()[tag] == c.requests_at_death; }, 5s, 20ms));

    ASSERT_TRUE(taken_over(10s)) << "no takeover from the dead leader";
    const auto takeover_ms = ms_since(died_at);
    // Back as a standby, its point disarmed: it must not send what it held either.
    nodes[0].env.clear();
    start(0);
    ASSERT_TRUE(new_leader_pays(1));

    auto due = due_until_now();
    due.insert(identity);
    finish(due, fmt::format("killed at {} (taken over after {} ms)", c.point, takeover_ms));
    // A row its restarted sender settles (its log or its listing knows) may take a moment.
    const bool settled = eventually(
        [&, id = identity] { return occurrence_rows().at(id).state == c.row_at_end; }, 10s, 50ms);
    const auto end = occurrence_rows().at(identity);
    EXPECT_TRUE(settled) << "the row ended " << end.state;
    if (end.state == "paid" && c.requests_at_death == 0) {
        EXPECT_NE(end.node, nodes[0].name) << "run by the new leader";
    } else if (end.state == "paid") {
        EXPECT_EQ(end.node, nodes[0].name) << "sent by the dead leader, settled when it came back";
    }
    EXPECT_EQ(payment_requests()[tag], c.requests_at_end);
}

INSTANTIATE_TEST_SUITE_P(
    points, ha_faults_crash,
    testing::Values(
        // Claimed only: released by the takeover, paid once by the new leader.
        crash_case{"after_claim:2", "claimed", 0, "paid", 1},
        // The intent is durable, the gate never opened: released, paid once by the new leader
        // (the dead node's own log holds the intent in doubt).
        crash_case{"after_intent_durable:2", "claimed", 0, "paid", 1},
        // Gate passed, nothing written: in doubt, never sent by anyone.
        crash_case{"after_gate:2", "sending", 0, "in_doubt", 0},
        // Request written (the sandbox pays it): in doubt, never sent again; when the dead
        // node comes back, its reconciliation finds the payment listed and settles the row.
        crash_case{"request_written:4", "sending", 1, "paid", 1},
        // Paid and the result durable in the node's log, the row not yet told: in doubt after
        // the takeover, never sent again; the node, back, settles it as its log says.
        crash_case{"after_result_durable:2", "sending", 1, "paid", 1}),
    [](const auto& info) { return point_name(info.param.point); });

// --- 3. partitions through the leader's proxies ---

TEST_F(ha_faults, a_leader_cut_from_the_database_stops_sending_and_a_standby_takes_over)
{
    make_cluster(3, one_rule_each_minute, {}, fault_engine);
    ASSERT_NO_FATAL_FAILURE(start_led_by_first({}));
    ASSERT_TRUE(eventually([&] { return ledger_rows().size() >= 2; }, 10s, 50ms));
    const auto cut_at = std::chrono::steady_clock::now();
    nodes[0].db_link->black_hole();
    // Renewals go unanswered: the node stops trusting its lease when its window runs out.
    nodes[0].process->wait_for_line(std::regex("pay-1 lost the lease"), 10s, true);
    const auto lost_ms = ms_since(cut_at);
    const auto after_loss = last_request_seq();
    ASSERT_TRUE(taken_over(10s)) << "no standby took over";
    const auto takeover_ms = ms_since(cut_at);
    const auto term = lease();
    ASSERT_TRUE(new_leader_pays(1));
    expect_no_request_of_the_first_term_after(after_loss, {});

    // Healed: what the proxy held reaches the database late and is refused there (fenced).
    nodes[0].db_link->pass();
    ASSERT_TRUE(new_leader_pays(1));
    expect_no_request_of_the_first_term_after(after_loss, {});
    EXPECT_EQ(lease().epoch, term.epoch);
    finish(due_until_now(), fmt::format("leader cut from the database (lost its lease after {} "
                                        "ms, taken over after {} ms)",
                                        lost_ms, takeover_ms));
}

TEST_F(ha_faults, a_leader_cut_from_payman_keeps_its_lease_and_its_sends_end_in_doubt)
{
    make_cluster(3, one_rule_each_minute, {}, fault_engine);
    // Short, so that the test is; the sanitized sandbox answers more slowly.
    const auto read_timeout = sanitized_build ? "{read: 3s}" : "{read: 1s}";
    for (std::size_t i = 0; i < nodes.size(); ++i) set_payman_timeouts(i, read_timeout);
    ASSERT_NO_FATAL_FAILURE(start_led_by_first({}));
    ASSERT_TRUE(eventually([&] { return ledger_rows().size() >= 2; }, 10s, 50ms));
    nodes[0].payman_link->black_hole();
    // Each request written into the silence times out unanswered: in doubt.
    std::set<std::string> in_doubt;
    ASSERT_TRUE(eventually(
        [&] {
            in_doubt.clear();
            for (const auto& [id, row] : occurrence_rows())
                if (row.state == "in_doubt") in_doubt.insert(id);
            return in_doubt.size() >= 2;
        },
        15s, 50ms));
    // The database link is fine: the lease stays.
    EXPECT_EQ(lease().epoch, first_epoch);
    EXPECT_EQ(lease().holder, nodes[0].name);

    // Healed: the held requests reach the sandbox late; new occurrences are paid again.
    nodes[0].payman_link->pass();
    const auto last_in_doubt = *in_doubt.rbegin();
    ASSERT_TRUE(eventually(
        [&] {
            std::size_t later = 0;
            for (const auto& [id, row] : occurrence_rows())
                if (id > last_in_doubt && row.state == "paid") ++later;
            return later >= 2;
        },
        15s, 50ms));
    auto due = due_until_now();
    due.insert(in_doubt.begin(), in_doubt.end());
    const auto f = finish(due, "leader cut from Payman");
    EXPECT_GE(f.in_doubt, in_doubt.size());
    // Each is counted in the node's audit log, stays in doubt, and was never asked for again.
    std::set<std::string> recorded;
    for (const auto& r : read_records(nodes[0].audit_log()))
        if (r.at("type").as_string() == "in_doubt")
            recorded.insert(std::string(r.at("occurrence").as_string()));
    const auto rows = occurrence_rows();
    for (const auto& id : in_doubt) {
        EXPECT_TRUE(recorded.contains(id)) << id;
        EXPECT_EQ(rows.at(id).state, "in_doubt") << id;
        EXPECT_LE(payment_requests()[tag_of(id)], 1) << id;
    }
    EXPECT_EQ(lease().epoch, first_epoch);
}

// --- 5. the leader killed a second before a due occurrence ---

// The real instant at which the nodes' accelerated clock reads `t`.
std::chrono::system_clock::time_point real_time_of(std::chrono::sys_seconds anchor,
                                                   std::chrono::sys_seconds t)
{
    return anchor + std::chrono::duration_cast<std::chrono::milliseconds>(t - anchor) / clock_speed;
}

// At 60x, one real second is one accelerated minute, and the 1 s lease is one minute too. A
// leader killed one real second (a lease) before an occurrence is taken over about when it
// comes due, as a leader with the default 10 s lease killed a second before one is taken over
// some 11 s after it: within the 60 s an occurrence may be late and still be on time. The rule
// catches nothing up (`catchup: none`): only that on-time rule can run it, and only the new
// leader can, since the old one was dead before it came due.
TEST_F(ha_faults, a_leader_killed_a_second_before_a_due_occurrence_leaves_it_to_the_new_leader)
{
    // Time for two nodes to start (slower when sanitized) before the kill.
    const auto due_at = std::chrono::ceil<std::chrono::minutes>(
        accelerated_now() + std::chrono::minutes(sanitized_build ? 10 : 5));
    const auto rules =
        fmt::format("rules:\n  - id: d0\n    schedule: \"{} {} * * *\"\n"
                    "    catchup: none\n    pay: {{payee: John Doe, amount: 0.01}}\n",
                    date::format("%M", due_at), date::format("%H", due_at));
    const auto identity = "d0@" + date::format("%Y-%m-%dT%H:%M", due_at);
    make_cluster(2, rules, {}, fault_engine);
    ASSERT_NO_FATAL_FAILURE(start_led_by_first({}));
    const auto kill_at = real_time_of(anchor, due_at - std::chrono::minutes(1));
    ASSERT_LT(std::chrono::system_clock::now(), kill_at) << "the cluster started too slowly";
    std::this_thread::sleep_until(kill_at);
    kill(0);
    ASSERT_TRUE(taken_over(10s)) << "no takeover from the dead leader";
    ASSERT_TRUE(eventually([&] { return ledger_rows()[identity] == "paid"; }, 10s, 50ms))
        << identity << " was not paid";
    const auto late_ms =
        std::stoll(pg.query_value(
            db, "SELECT (extract(epoch FROM claimed_at) * 1000)::bigint FROM paymand_occurrence "
                "WHERE identity = '" +
                    identity + "'")) -
        std::chrono::duration_cast<std::chrono::milliseconds>(
            real_time_of(anchor, due_at).time_since_epoch())
            .count();
    EXPECT_EQ(occurrence_rows().at(identity).node, nodes[1].name);
    for (const auto& r : read_records(nodes[0].audit_log())) {
        EXPECT_FALSE(r.contains("occurrence") && r.at("occurrence").as_string() == identity)
            << "the dead leader fired it: " << r;
    }
    finish({identity},
           fmt::format("leader killed a second before {} (claimed {} ms late, {} accelerated s)",
                       identity, late_ms, late_ms * clock_speed / 1000));
}

}  // namespace
}  // namespace paymand::test::faults
