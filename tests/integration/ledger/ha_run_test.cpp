// `paymand run` with an `ha:` section (docs/ha.md, "A node in `paymand run`"): two daemons with
// the same rules, one sandbox, one PostgreSQL. The sandbox's ledger is the witness: every
// occurrence is paid once, by the node that leads; killing the leader lets the other pay the
// next ones. The daemons are the test build (paymand-crashpoints) whose wall clock runs 60
// times as fast, so that a minute schedule fires every second.

#include "ledger_fixture.hpp"
#include "paymand/audit/codec.hpp"
#include "paymand/audit/state_lock.hpp"
#include "paymand/ledger/audit_shipping.hpp"
#include "paymand/ledger/node_table.hpp"
#include "paymand/prompt/memo_tag.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <set>
#include <thread>

namespace paymand::test {
namespace {

using testing::HasSubstr;
using testing::Not;

const std::string secret_env = "PAYMAND_TEST_CLIENT_SECRET";

const char* every_minute = R"(rules:
  - id: tick
    schedule: "* * * * *"
    pay: {payee: John Doe, amount: 1.00}
)";

// For the normal build (real time): nothing falls due during a test.
const char* yearly = R"(rules:
  - id: tick
    schedule: "0 9 1 1 *"
    pay: {payee: John Doe, amount: 1.00}
)";

// PAYMAND_TEST_CLOCK for paymand-crashpoints: the wall clock from `anchor` on, 60 times as fast.
std::string fast_clock(std::int64_t anchor)
{
    return "PAYMAND_TEST_CLOCK=" + std::to_string(anchor) + ":60";
}

std::int64_t unix_now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::vector<boost::json::object> audit_records(const std::filesystem::path& file)
{
    std::vector<boost::json::object> out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        out.push_back(boost::json::parse(line).as_object());
    }
    return out;
}

// The occurrences a node's audit log says it paid.
std::set<std::string> completed_in(const std::filesystem::path& file)
{
    std::set<std::string> out;
    for (const auto& r : audit_records(file)) {
        if (r.at("type").as_string() == "result" && r.at("outcome").as_string() == "completed")
            out.insert(std::string(r.at("occurrence").as_string()));
    }
    return out;
}

// "tick@2026-12-01T09:00" -> "pm:tick:20261201T0900", the tag its payment's memo carries.
std::string tag_of(std::string_view identity)
{
    const auto at = identity.find('@');
    std::string local(identity.substr(at + 1));
    std::erase(local, '-');
    std::erase(local, ':');
    return "pm:" + std::string(identity.substr(0, at)) + ":" + local;
}

class ha_run_test : public ledger_test {
protected:
    sandbox_process sandbox;
    temp_dir dir;
    std::int64_t anchor = unix_now();

    // A node's directory: its configuration, the same rules as every node, its own state.
    // `conninfo`: the ha.conninfo line's value, the fixture's database unless given.
    std::filesystem::path node_config(const std::string& node, const char* rules = every_minute,
                                      const std::string& extra = {}, std::string conninfo = {})
    {
        if (conninfo.empty()) conninfo = pg.socket_conninfo(db);
        dir.write(node + "/rules/tick.yaml", rules);
        return dir.write(node + "/paymand.yaml",
                         "payman:\n  base_url: " + sandbox.base_url() +
                             "\n  client_id: " + std::string(sandbox_client_id) +
                             "\n  client_secret: {env: " + secret_env +
                             "}\nrules_directory: rules\nstate_directory: state\n"
                             "timezone: UTC\nmin_pay_interval: 1m\npayees: any\nlimits: none\n"
                             "log: {format: text}\nengine: {confirm_payments: false}\n"
                             "ha:\n  conninfo: " +
                             conninfo + "\n  node: " + node +
                             "\n  lease: 3s\n  renew: 1s\n  safety_margin: 1s\n" + extra);
    }

    process_params args(std::vector<std::string> a)
    {
        return {.args = std::move(a),
                .env = {secret_env + "=" + std::string(sandbox_client_secret), fast_clock(anchor)},
                .unset_env = {"NOTIFY_SOCKET", "PAYMAN_CLIENT_SECRET", "CREDENTIALS_DIRECTORY",
                              "JOURNAL_STREAM", "PAYMAND_CRASH_AT", "PAYMAND_PAUSE_AT"}};
    }

    process_params run_args(const std::string& node)
    {
        return args({"run", "--config", (dir / node / "paymand.yaml").string()});
    }

    std::filesystem::path audit_of(const std::string& node) const
    {
        return dir / node / "state/audit.jsonl";
    }

    void init_schema()
    {
        auto init = paymand::test::run(
            our_binary("paymand"), {.args = {"db", "init", "--conninfo", pg.socket_conninfo(db)}});
        ASSERT_EQ(init.status.code, 0) << init.err;
    }

    // Every payment in the sandbox, counted by the memo's tag.
    std::map<std::string, int> paid_by_tag()
    {
        std::map<std::string, int> paid;
        const auto whole = sandbox.ledger();
        for (const auto& tx : whole.as_object().at("transactions").as_array()) {
            auto tag = prompt::find_memo_tag(std::string(tx.at("memo").as_string()));
            EXPECT_TRUE(tag) << tx;
            if (tag) ++paid[prompt::format_memo_tag(*tag)];
        }
        return paid;
    }

    // Waits (30 s at most) until the sandbox holds at least `n` payments.
    void wait_for_payments(std::size_t n)
    {
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (paid_by_tag().size() < n) {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline)
                << "the sandbox holds " << paid_by_tag().size() << " payments, not " << n;
            std::this_thread::sleep_for(100ms);
        }
    }

    // Ships `bodies` as records of `node`'s audit log, after what it shipped before (in
    // `shipped`), each line formatted and chained as the node would write it.
    void ship(const std::string& node, std::vector<audit::record_body> bodies)
    {
        auto& [seq, prev] = shipped[node];
        if (prev.empty()) prev = std::string(audit::genesis_hash);
        std::vector<ledger::shipped_record> lines;
        for (auto& body : bodies) {
            audit::record r{
                .seq = ++seq,
                .ts = audit::utc_micros(std::chrono::sys_days{std::chrono::year{2026} / 12 / 1}),
                .body = std::move(body)};
            auto line = audit::format_line(r, prev);
            ASSERT_TRUE(line) << line.error().message;
            line->pop_back();
            prev = r.hash;
            lines.push_back({static_cast<std::int64_t>(seq), std::move(*line)});
        }
        auto conn = open();
        auto sent = run(ledger::async_ship_audit(conn, node, std::move(lines)));
        ASSERT_TRUE(sent) << sent.error().what();
    }
    std::map<std::string, std::pair<std::uint64_t, std::string>> shipped;

    std::string status_of(const std::string& node)
    {
        auto status = paymand::test::run(
            our_binary("paymand"),
            args({"status", "--config", (dir / node / "paymand.yaml").string()}));
        return status.out + status.err;
    }
};

TEST_F(ha_run_test, two_nodes_pay_each_occurrence_once_and_the_standby_takes_over_a_killed_leader)
{
    init_schema();
    node_config("n1");
    node_config("n2");
    child_process n1(our_binary("paymand-crashpoints"), run_args("n1"));
    n1.wait_for_line(std::regex("ha: node n1 leads with epoch 1"), 30s, true);
    n1.wait_for_line(std::regex("running"), 30s, true);
    child_process n2(our_binary("paymand-crashpoints"), run_args("n2"));
    n2.wait_for_line(std::regex("running.*ha: n2 standby"), 30s, true);

    wait_for_payments(3);
    EXPECT_THAT(status_of("n1"), HasSubstr("ha: node n1 leads (epoch 1"));
    EXPECT_THAT(status_of("n2"), HasSubstr("ha: node n2 is a standby"));
    EXPECT_THAT(n2.err(), Not(HasSubstr("leads with epoch")));

    n1.send_signal(SIGKILL);
    n1.wait();
    n2.wait_for_line(std::regex("ha: node n2 leads with epoch 2"), 30s, true);
    // n2 pays the next occurrences (its own audit log says so; the witness is checked below).
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (completed_in(audit_of("n2")).size() < 3) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << n2.err();
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_THAT(status_of("n2"), HasSubstr("ha: node n2 leads (epoch 2"));

    n2.send_signal(SIGTERM);
    ASSERT_TRUE(n2.wait(60s).ok()) << n2.err();
    EXPECT_THAT(n2.err(), HasSubstr("ha: node n2 steps down from epoch 2"));

    // The witness: each occurrence paid once, and each payment one a node recorded as paid.
    const auto paid = paid_by_tag();
    const auto by_n1 = completed_in(audit_of("n1"));
    const auto by_n2 = completed_in(audit_of("n2"));
    EXPECT_GE(by_n1.size(), 3u);
    EXPECT_GE(by_n2.size(), 3u);
    for (const auto& [tag, n] : paid) EXPECT_EQ(n, 1) << tag << " paid " << n << " times";
    std::set<std::string> recorded;
    for (const auto& occ : by_n1) {
        EXPECT_FALSE(by_n2.contains(occ)) << occ << " paid by both nodes";
        recorded.insert(tag_of(occ));
    }
    for (const auto& occ : by_n2) recorded.insert(tag_of(occ));
    for (const auto& occ : recorded) EXPECT_TRUE(paid.contains(occ)) << occ << " not in the ledger";
    // n1 may have been killed between a payment and its record: at most one such.
    EXPECT_LE(paid.size(), recorded.size() + 1);

    // Each node remembers the highest epoch it saw.
    EXPECT_THAT(read_file(dir / "n1/state/ha-node.json"), HasSubstr("\"highest_epoch\":1"));
    EXPECT_THAT(read_file(dir / "n2/state/ha-node.json"), HasSubstr("\"highest_epoch\":2"));
    EXPECT_EQ(pg.query_value(db, "SELECT epoch FROM paymand_lease"), "2");
}

TEST_F(ha_run_test, a_corrupt_node_memory_refuses_to_start)
{
    init_schema();
    node_config("n1");
    dir.write("n1/state/ha-node.json", "{\"format\":1,\"node\":\"n1\",\"highest_ep");
    auto ran = paymand::test::run(our_binary("paymand"), run_args("n1"));
    EXPECT_EQ(ran.status.code, 65) << ran.err;
    EXPECT_THAT(ran.err, HasSubstr("ha-node.json is not JSON"));
    EXPECT_THAT(ran.err, HasSubstr("must not lead"));
    EXPECT_EQ(pg.query_value(db, "SELECT count(*) FROM paymand_node"), "0");
}

// Also: the node's metrics, and a reload that would change the rule set's published hash.
TEST_F(ha_run_test, a_trigger_without_a_running_node_is_refused_and_hands_over_to_one_that_runs)
{
    init_schema();
    node_config("n1", yearly, "metrics: {listen: \"127.0.0.1:0\"}\n");
    const auto config = (dir / "n1/paymand.yaml").string();
    auto alone =
        paymand::test::run(our_binary("paymand"), args({"trigger", "tick", "--config", config}));
    EXPECT_EQ(alone.status.code, 1);
    EXPECT_THAT(alone.err, HasSubstr("a trigger on its own would pay without the shared "
                                     "ledger's gate"));
    EXPECT_TRUE(paid_by_tag().empty());

    child_process n1(our_binary("paymand"), run_args("n1"));
    const auto serving =
        n1.wait_for_line(std::regex("metrics: serving (http://127\\.0\\.0\\.1:[0-9]+)"), 30s, true);
    n1.wait_for_line(std::regex("ha: node n1 leads with epoch 1"), 30s, true);
    n1.wait_for_line(std::regex("running.*ha: n1 LEADS \\(epoch 1\\)"), 30s, true);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(serving, m, std::regex("http://127\\.0\\.0\\.1:[0-9]+")));
    const auto scrape = http_request({.url = std::string(m[0]) + "/metrics"}).body;
    EXPECT_THAT(scrape, HasSubstr("paymand_ha_leader 1"));
    EXPECT_THAT(scrape, HasSubstr("paymand_ha_eligible 1"));
    EXPECT_THAT(scrape, HasSubstr("paymand_ha_epoch 1"));
    EXPECT_THAT(scrape, HasSubstr("paymand_ha_takeovers_total 1"));
    auto handed =
        paymand::test::run(our_binary("paymand"), args({"trigger", "tick", "--config", config}));
    EXPECT_EQ(handed.status.code, 0) << handed.out << handed.err;
    EXPECT_THAT(handed.out, HasSubstr("(run by the daemon)"));
    EXPECT_EQ(paid_by_tag().size(), 1u);
    EXPECT_EQ(pg.query_value(db, "SELECT state FROM paymand_occurrence"), "paid");

    dir.write("n1/rules/tick.yaml", every_minute);
    n1.send_signal(SIGHUP);
    n1.wait_for_line(std::regex("reload refused: ha: the rules or the policy changed"), 30s, true);
    // The live view follows within its 200 ms pace.
    std::string status;
    for (int i = 0; i < 100; ++i) {
        status = status_of("n1");
        if (status.find("last reload: ") != std::string::npos) break;
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_THAT(status, HasSubstr("FAILED: ha: the rules or the policy changed"));
    n1.send_signal(SIGTERM);
    EXPECT_TRUE(n1.wait(60s).ok()) << n1.err();
}

// A node whose policy differs from the leader's stays out, says why, and is a warning in status;
// a manual run there is not paid and `trigger` says where to run it.
TEST_F(ha_run_test, a_node_with_another_policy_does_not_campaign_and_status_warns)
{
    init_schema();
    node_config("n1", yearly);
    node_config("n2", yearly, "wallets: [Main]\n");
    child_process n1(our_binary("paymand"), run_args("n1"));
    n1.wait_for_line(std::regex("running.*ha: n1 LEADS \\(epoch 1\\)"), 30s, true);
    child_process n2(our_binary("paymand"), run_args("n2"));
    n2.wait_for_line(std::regex("running.*ha: n2 NOT ELIGIBLE: .*n1"), 30s, true);
    EXPECT_THAT(n2.err(), HasSubstr("ha: node n2 does not campaign for the lease"));
    auto status = paymand::test::run(
        our_binary("paymand"), args({"status", "--config", (dir / "n2/paymand.yaml").string()}));
    EXPECT_EQ(status.status.code, 1) << status.out << status.err;
    EXPECT_THAT(status.out, HasSubstr("WARNING"));
    EXPECT_THAT(status.out, HasSubstr("ha: node n2 may not lead: "));
    auto json = paymand::test::run(
        our_binary("paymand"),
        args({"status", "--json", "--config", (dir / "n2/paymand.yaml").string()}));
    EXPECT_THAT(json.out, HasSubstr("\"role\":\"not_eligible\""));
    // A manual run on a node that does not lead: no leader runs it; said at once, not paid.
    auto trigger = paymand::test::run(
        our_binary("paymand"),
        args({"trigger", "tick", "--config", (dir / "n2/paymand.yaml").string()}));
    EXPECT_EQ(trigger.status.code, 10) << trigger.out << trigger.err;
    EXPECT_THAT(trigger.out, HasSubstr("run paymand trigger on the node that leads"));
    EXPECT_TRUE(paid_by_tag().empty());
    n2.send_signal(SIGTERM);
    EXPECT_TRUE(n2.wait(60s).ok()) << n2.err();
    n1.send_signal(SIGTERM);
    EXPECT_TRUE(n1.wait(60s).ok()) << n1.err();
}

// `status` on pay-2 reads the shared ledger: what pay-1 left in doubt, with the command that
// resolves it on pay-1, and whether any node leads; "cannot tell" when the ledger cannot be
// read. The test holds each node's state lock, as its daemon would, so that the cluster alone
// decides between OK (0) and WARNING (1).
TEST_F(ha_run_test, status_shows_the_cluster_what_other_nodes_left_in_doubt_and_who_leads)
{
    init_schema();
    const auto config = node_config("pay-2", yearly).string();
    std::filesystem::create_directories(dir / "pay-2/state");
    auto lock = audit::state_lock::acquire(dir / "pay-2/state/paymand.lock");
    ASSERT_TRUE(lock) << lock.error().message;
    const auto status = [&](std::vector<std::string> extra = {}) {
        std::vector<std::string> a{"status", "--config", config};
        a.insert(a.end(), extra.begin(), extra.end());
        return paymand::test::run(our_binary("paymand"), args(std::move(a)));
    };
    auto c = open();
    // pay-2 led first and left a row sending: its own (its audit log has it), not listed again.
    claim_and_send(c, take_lease(c, "pay-2"), "tick@own", "tick");
    expire_lease();
    const auto pay1 = take_lease(c, "pay-1");
    ASSERT_TRUE(ledger_test::run(ledger::async_publish_node(c, {"pay-1", "r", "p"}, 10s)));
    auto calm = status();
    EXPECT_EQ(calm.status.code, 0) << calm.out << calm.err;
    EXPECT_THAT(calm.out, HasSubstr("cluster: pay-1 leads (epoch 2, "));
    EXPECT_THAT(calm.out, HasSubstr("  node pay-1: alive, last seen "));
    EXPECT_THAT(calm.out, HasSubstr("in doubt or sending on other nodes: none"));
    EXPECT_THAT(calm.out, Not(HasSubstr("tick@own")));

    // Each 250.00 TSD, due now: pay-2's spending against limits counts them.
    auto now_due = test_payment(250'00);
    now_due.due = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    claim_and_send(c, pay1, "tick@1", "tick", now_due);
    ASSERT_TRUE(*ledger_test::run(
        ledger::async_record_result(c, pay1, "tick@1", ledger::occurrence_state::in_doubt)));
    claim_and_send(c, pay1, "tick@2", "tick", now_due);  // in flight under pay-1's lease
    auto doubt = status();
    EXPECT_EQ(doubt.status.code, 1) << doubt.out << doubt.err;
    EXPECT_THAT(doubt.out, HasSubstr("WARNING: cluster: 1 occurrence of other nodes needs an "
                                     "operator"));
    EXPECT_THAT(doubt.out, HasSubstr("IN DOUBT on pay-1: tick@1 (rule tick, epoch 2, "));
    EXPECT_THAT(doubt.out, HasSubstr("check Payman, then on pay-1: paymand audit resolve tick@1 "
                                     "--paid|--not-paid --note"));
    EXPECT_THAT(doubt.out, HasSubstr("in flight on pay-1: tick@2"));
    EXPECT_THAT(doubt.out, Not(HasSubstr("tick@own")));
    EXPECT_THAT(doubt.out, HasSubstr("TSD: today 500.00 TSD"));
    EXPECT_THAT(doubt.out, HasSubstr("(with 2 payment(s) of other nodes from the shared ledger)"));
    auto json = status({"--json"});
    EXPECT_EQ(json.status.code, 1);
    const auto cluster = boost::json::parse(json.out).at("cluster");
    EXPECT_EQ(cluster.at("leader"), "pay-1");
    ASSERT_EQ(cluster.at("open").as_array().size(), 2u) << json.out;
    EXPECT_EQ(cluster.at("open").at(0).at("identity"), "tick@1");
    EXPECT_EQ(cluster.at("open").at(1).at("in_flight"), true);
    EXPECT_EQ(boost::json::parse(json.out).at("other_nodes_payments_counted"), 2);

    expire_lease();
    auto leaderless = status();
    EXPECT_EQ(leaderless.status.code, 1) << leaderless.out << leaderless.err;
    EXPECT_THAT(leaderless.out, HasSubstr("cluster: no node leads (the lease expired "));
    EXPECT_THAT(leaderless.out, HasSubstr("nothing is paid until one takes over"));
    EXPECT_THAT(leaderless.out, HasSubstr("IN DOUBT on pay-1: tick@2"));
}

TEST_F(ha_run_test, status_cannot_tell_the_cluster_when_the_ledger_cannot_be_read)
{
    // Nothing listens on port 1; the password must appear nowhere.
    node_config("pay-2", yearly, {}, "{env: PAYMAND_TEST_CONNINFO}");
    std::filesystem::create_directories(dir / "pay-2/state");
    auto lock = audit::state_lock::acquire(dir / "pay-2/state/paymand.lock");
    ASSERT_TRUE(lock) << lock.error().message;
    auto unreachable = args({"status", "--config", (dir / "pay-2/paymand.yaml").string()});
    unreachable.env.push_back("PAYMAND_TEST_CONNINFO=host=127.0.0.1 port=1 dbname=paymand "
                              "user=paymand password=hunter2");
    auto refused = paymand::test::run(our_binary("paymand"), unreachable);
    EXPECT_EQ(refused.status.code, 1) << refused.out << refused.err;
    EXPECT_THAT(refused.out, HasSubstr("WARNING: cluster: cannot tell: "));
    EXPECT_THAT(refused.out + refused.err, Not(HasSubstr("hunter2")));
    EXPECT_THAT(refused.out, Not(HasSubstr(" leads (epoch")));
    EXPECT_THAT(refused.out, Not(HasSubstr("no node leads")));

    // A database without the ledger's schema (init_schema was not run).
    node_config("pay-3", yearly);
    std::filesystem::create_directories(dir / "pay-3/state");
    auto lock3 = audit::state_lock::acquire(dir / "pay-3/state/paymand.lock");
    ASSERT_TRUE(lock3) << lock3.error().message;
    auto missing = paymand::test::run(
        our_binary("paymand"),
        args({"status", "--json", "--config", (dir / "pay-3/paymand.yaml").string()}));
    EXPECT_EQ(missing.status.code, 1) << missing.out << missing.err;
    const auto cluster = boost::json::parse(missing.out).at("cluster");
    EXPECT_EQ(cluster.at("readable"), false);
    EXPECT_THAT(std::string(cluster.at("error").as_string()), HasSubstr("schema"));
}

audit::occurrence_ref rent_on(int day)
{
    return {"rent", fmt::format("rent@2026-12-{:02}T09:00", day),
            std::chrono::sys_days{std::chrono::year{2026} / 12 / day} + std::chrono::hours(9)};
}

audit::intent_record intent_of(const audit::occurrence_ref& ref)
{
    return {.ref = ref,
            .payee = "John Doe",
            .amount = money::amount(*money::currency::find("TSD"), 100'00),
            .wallet = std::nullopt,
            .memo = "pm:rent",
            .idempotency_key = "idem-" + ref.occurrence,
            .prompt = "send 100.00 TSD to John Doe"};
}

audit::result_record paid_result(const audit::occurrence_ref& ref)
{
    return {.ref = ref,
            .outcome = audit::outcome::completed,
            .task_id = "task-1",
            .state = "completed",
            .reason = std::nullopt,
            .excerpt = "Sent 100.00 TSD to John Doe."};
}

// `audit report --cluster` reads every node's shipped log from the ledger: each node's report,
// the cluster's totals, where to resolve what is open; an occurrence paid on two nodes is an
// error (exit 65).
TEST_F(ha_run_test, a_cluster_report_shows_every_node_and_adds_up_their_payments)
{
    init_schema();
    const auto config = node_config("pay-2", yearly).string();
    ship("pay-1", {intent_of(rent_on(1)), paid_result(rent_on(1))});
    ship("pay-2", {intent_of(rent_on(2)), paid_result(rent_on(2)), intent_of(rent_on(3)),
                   audit::in_doubt_record{rent_on(3), "timeout after the request was written"}});
    auto report = paymand::test::run(
        our_binary("paymand"),
        args({"audit", "report", "--cluster", "--month", "2026-12", "--config", config}));
    EXPECT_EQ(report.status.code, 0) << report.out << report.err;
    EXPECT_THAT(report.out, HasSubstr("== node pay-1 =="));
    EXPECT_THAT(report.out, HasSubstr("== node pay-2 =="));
    EXPECT_THAT(report.out, HasSubstr("200.00 TSD  2 payment(s)"));
    EXPECT_THAT(report.out, HasSubstr("rent@2026-12-03T09:00 --paid|--not-paid"));
    EXPECT_THAT(report.out, HasSubstr("(on node pay-2)"));
    auto json = paymand::test::run(
        our_binary("paymand"),
        args({"audit", "report", "--cluster", "--month", "2026-12", "--json", "--config", config}));
    ASSERT_EQ(json.status.code, 0) << json.err;
    const auto parsed = boost::json::parse(json.out).as_object();
    EXPECT_EQ(parsed.at("nodes").as_array().size(), 2u);
    EXPECT_EQ(parsed.at("per_currency").as_array().at(0).at("total").as_string(), "200.00");

    ship("pay-1", {intent_of(rent_on(2)), paid_result(rent_on(2))});
    auto twice = paymand::test::run(
        our_binary("paymand"),
        args({"audit", "report", "--cluster", "--month", "2026-12", "--config", config}));
    EXPECT_EQ(twice.status.code, 65) << twice.out << twice.err;
    EXPECT_THAT(twice.out, HasSubstr("rent@2026-12-02T09:00 is paid on more than one node "
                                     "(pay-1, pay-2)"));

    auto alone = paymand::test::run(our_binary("paymand"),
                                    args({"audit", "report", "--cluster", "--month", "2026-12",
                                          "--config", (dir / "nowhere.yaml").string()}));
    EXPECT_NE(alone.status.code, 0);
}

}  // namespace
}  // namespace paymand::test
