// `paymand run` as a process against payman-sandbox: start, readiness, reload, stop, the
// state lock, refusal on bad input, and no secret in anything it writes.

#include "support/process.hpp"
#include "support/sandbox.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>

namespace paymand::test {
namespace {

using testing::HasSubstr;
using testing::Not;

const std::string secret_env = "PAYMAND_TEST_CLIENT_SECRET";

const char* good_rules = R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00}
)";

class daemon_test : public testing::Test {
protected:
    temp_dir dir;
    sandbox_process sandbox;

    std::filesystem::path write_config(std::string extra = {})
    {
        dir.write("rules/rent.yaml", good_rules);
        return dir.write("paymand.yaml", "payman:\n  base_url: " + sandbox.base_url() +
                                             "\n  client_id: " + std::string(sandbox_client_id) +
                                             "\n  client_secret: {env: " + secret_env +
                                             "}\nrules_directory: rules\nstate_directory: state\n"
                                             "payees: any\nlimits: none\nlog: {format: text}\n" +
                                             extra);
    }

    process_params daemon_args(std::vector<std::string> extra = {})
    {
        process_params p{.args = {"run", "--config", (dir / "paymand.yaml").string()},
                         .env = {secret_env + "=" + std::string(sandbox_client_secret)},
                         .unset_env = {"NOTIFY_SOCKET", "PAYMAN_CLIENT_SECRET",
                                       "CREDENTIALS_DIRECTORY", "JOURNAL_STREAM"}};
        p.args.insert(p.args.end(), extra.begin(), extra.end());
        return p;
    }

    std::string audit() { return read_file(dir / "state/audit.jsonl"); }
};

TEST_F(daemon_test, starts_records_its_start_and_stops_cleanly_on_sigterm)
{
    write_config();
    child_process daemon(our_binary("paymand"), daemon_args());
    daemon.wait_for_line(std::regex("running: 1 rules"), 30s, true);
    daemon.send_signal(SIGTERM);
    auto status = daemon.wait();
    EXPECT_TRUE(status.ok()) << daemon.err();
    auto log = audit();
    EXPECT_THAT(log, HasSubstr("\"type\":\"started\""));
    EXPECT_THAT(log, HasSubstr("\"type\":\"config_loaded\""));
    EXPECT_THAT(log, HasSubstr("\"type\":\"rules_loaded\""));
    EXPECT_THAT(log, HasSubstr("\"type\":\"stopped\""));
}

TEST_F(daemon_test, a_second_daemon_on_the_same_state_refuses_to_start)
{
    write_config();
    child_process first(our_binary("paymand"), daemon_args());
    first.wait_for_line(std::regex("running"), 30s, true);
    auto second = run(our_binary("paymand"), daemon_args());
    EXPECT_EQ(second.status.code, 75);
    EXPECT_THAT(second.err, HasSubstr("paymand.lock"));
    EXPECT_TRUE(first.running());
}

TEST_F(daemon_test, a_reload_with_a_broken_rule_file_keeps_the_running_rules)
{
    write_config();
    child_process daemon(our_binary("paymand"), daemon_args());
    daemon.wait_for_line(std::regex("running: 1 rules"), 30s, true);
    dir.write("rules/broken.yaml", "rules:\n  - id: Bad Id\n    schedule: whenever\n");
    daemon.send_signal(SIGHUP);
    daemon.wait_for_line(std::regex("reload failed: keeping the rules that are running"), 30s,
                         true);
    EXPECT_THAT(daemon.err(), HasSubstr("broken.yaml:2:"));
    EXPECT_TRUE(daemon.running());
    std::filesystem::remove(dir / "rules/broken.yaml");
    dir.write("rules/more.yaml", R"(rules:
  - id: rent-2
    schedule: monthly on day 2 at 09:00
    pay: {payee: John Doe, amount: 10.00}
)");
    daemon.send_signal(SIGHUP);
    // The reload line names what changed, then the status.
    auto line = daemon.wait_for_line(std::regex("(.*reloaded: .*)"), 30s, true);
    EXPECT_THAT(line, HasSubstr("reloaded: added: rent-2 (0 9 2 * * UTC: pay 10.00 TSD to John "
                                "Doe); 2 rules"));
    std::filesystem::remove(dir / "rules/more.yaml");
    daemon.send_signal(SIGHUP);
    line = daemon.wait_for_line(std::regex("(.*reloaded: removed: .*)"), 30s, true);
    EXPECT_THAT(line, HasSubstr("reloaded: removed: rent-2 (was 0 9 2 * * UTC: pay 10.00 TSD to "
                                "John Doe); 1 rules"));
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok());
}

TEST_F(daemon_test, a_broken_configuration_is_refused_with_its_position)
{
    write_config("engine: {concurrency: many}\n");
    auto result = run(our_binary("paymand"), daemon_args());
    EXPECT_EQ(result.status.code, 1);
    EXPECT_THAT(result.err, HasSubstr("paymand.yaml:10:23: error:"));
}

// A loopback port that counts who connected to it: the witness that no database connection
// was opened.
class connection_witness {
public:
    connection_witness() : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0})
    {
        acceptor_.non_blocking(true);
    }
    std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }
    bool anyone_connected()
    {
        boost::system::error_code ec;
        boost::asio::ip::tcp::socket s(io_);
        acceptor_.accept(s, ec);
        return !ec;
    }

private:
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
};

TEST_F(daemon_test, without_an_ha_section_the_daemon_opens_no_database_connection)
{
    connection_witness db;
    write_config("engine: {confirm_payments: false}\n");
    auto args = daemon_args();
    // Were libpq asked to connect with its defaults, these would take it to the witness.
    args.env.push_back("PGHOST=127.0.0.1");
    args.env.push_back("PGPORT=" + db.port());
    child_process daemon(our_binary("paymand"), args);
    daemon.wait_for_line(std::regex("running: 1 rules"), 30s, true);
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok()) << daemon.err();
    // A payment too: trigger pays on its own once the daemon is gone.
    auto trigger = run(our_binary("paymand"),
                       {.args = {"trigger", "rent", "--config", (dir / "paymand.yaml").string()},
                        .env = args.env,
                        .unset_env = args.unset_env});
    EXPECT_EQ(trigger.status.code, 0) << trigger.err;
    EXPECT_FALSE(db.anyone_connected());
}

// A dry run with ha: decides as a single node would, and opens no database; a trigger on its
// own (no daemon on the node) is refused before anything is recorded or connected.
TEST_F(daemon_test, with_an_ha_section_a_dry_run_opens_no_database_and_a_lone_trigger_is_refused)
{
    connection_witness db;
    write_config("ha:\n  conninfo: host=127.0.0.1 port=" + db.port() +
                 " dbname=paymand connect_timeout=2\n  node: n1\n");
    child_process dry(our_binary("paymand"),
                      daemon_args({"--dry-run", "--assume-balance", "100.00"}));
    dry.wait_for_line(std::regex("running \\(DRY RUN\\)"), 30s, true);
    dry.send_signal(SIGTERM);
    EXPECT_TRUE(dry.wait().ok()) << dry.err();
    EXPECT_THAT(dry.err(), HasSubstr("dry run: the ha: section is left aside"));
    auto trigger = run(our_binary("paymand"),
                       {.args = {"trigger", "rent", "--config", (dir / "paymand.yaml").string()},
                        .env = daemon_args().env,
                        .unset_env = daemon_args().unset_env});
    EXPECT_EQ(trigger.status.code, 1);
    EXPECT_THAT(trigger.err, HasSubstr("a trigger on its own would pay without the shared "
                                       "ledger's gate"));
    EXPECT_THAT(read_file(dir / "state/audit.jsonl"), Not(HasSubstr("\"type\":\"intent\"")));
    EXPECT_FALSE(db.anyone_connected());
}

TEST_F(daemon_test, a_corrupt_audit_log_stops_the_daemon_before_it_pays)
{
    write_config();
    {
        child_process daemon(our_binary("paymand"), daemon_args());
        daemon.wait_for_line(std::regex("running"), 30s, true);
        daemon.send_signal(SIGTERM);
        ASSERT_TRUE(daemon.wait().ok());
    }
    auto log = audit();
    auto at = log.find("\"started\"");
    ASSERT_NE(at, std::string::npos);
    log[at + 2] = 'X';  // one byte changed in the middle of the chain
    dir.write("state/audit.jsonl", log);
    auto result = run(our_binary("paymand"), daemon_args());
    EXPECT_EQ(result.status.code, 65);
    EXPECT_THAT(result.err, HasSubstr("corrupt"));
}

TEST_F(daemon_test, a_missing_secret_is_reported_without_starting)
{
    write_config();
    auto args = daemon_args();
    args.env.clear();
    auto result = run(our_binary("paymand"), args);
    EXPECT_EQ(result.status.code, 69);
    EXPECT_THAT(result.err, HasSubstr(secret_env));
}

TEST_F(daemon_test, dry_run_with_an_assumed_balance_needs_no_credentials)
{
    write_config();
    auto args = daemon_args({"--dry-run", "--assume-balance", "500.00"});
    args.env.clear();
    child_process daemon(our_binary("paymand"), args);
    daemon.wait_for_line(std::regex("running \\(DRY RUN\\)"), 30s, true);
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok()) << daemon.err();
    EXPECT_TRUE(std::filesystem::exists(dir / "state/audit.dry-run.jsonl"));
    EXPECT_FALSE(std::filesystem::exists(dir / "state/audit.jsonl"));
}

TEST_F(daemon_test, the_secret_never_appears_in_output_or_state)
{
    write_config();
    child_process daemon(our_binary("paymand"), daemon_args());
    daemon.wait_for_line(std::regex("running"), 30s, true);
    daemon.send_signal(SIGHUP);
    daemon.wait_for_line(std::regex("reloaded"), 30s, true);
    daemon.send_signal(SIGTERM);
    ASSERT_TRUE(daemon.wait().ok());
    const std::string secret(sandbox_client_secret);
    EXPECT_THAT(daemon.out(), Not(HasSubstr(secret)));
    EXPECT_THAT(daemon.err(), Not(HasSubstr(secret)));
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "state"))
        if (entry.is_regular_file()) {
            EXPECT_THAT(read_file(entry.path()), Not(HasSubstr(secret))) << entry.path();
        }
}

TEST_F(daemon_test, trigger_pays_one_manual_occurrence_witnessed_by_the_ledger)
{
    write_config();
    auto args = daemon_args();
    args.args = {"trigger", "rent", "--config", (dir / "paymand.yaml").string()};
    auto result = run(our_binary("paymand"), args);
    ASSERT_TRUE(result.status.ok()) << result.err;
    auto txs = sandbox.ledger().as_object().at("transactions").as_array();
    ASSERT_EQ(txs.size(), 1u);
    EXPECT_EQ(txs[0].at("amount").as_string(), "10.00");
    EXPECT_EQ(txs[0].at("payee").as_string(), "John Doe");
    auto log = audit();
    EXPECT_THAT(log, HasSubstr("~manual"));
    EXPECT_THAT(log, HasSubstr("\"type\":\"intent\""));
    EXPECT_THAT(log, HasSubstr("\"outcome\":\"completed\""));
}

TEST_F(daemon_test, a_dry_run_trigger_beside_the_daemon_uses_its_own_log_and_lock)
{
    write_config();
    child_process daemon(our_binary("paymand"), daemon_args());
    daemon.wait_for_line(std::regex("running"), 30s, true);
    auto args = daemon_args();
    args.args = {"trigger", "rent", "--config", (dir / "paymand.yaml").string(), "--dry-run"};
    auto result = run(our_binary("paymand"), args);
    EXPECT_EQ(result.status.code, 0) << result.err;
    EXPECT_THAT(result.out, HasSubstr("would pay 10.00 TSD to John Doe"));
    EXPECT_EQ(sandbox.ledger().as_object().at("transactions").as_array().size(), 0u);
}

TEST_F(daemon_test, trigger_of_an_unknown_rule_is_an_error)
{
    write_config();
    auto args = daemon_args();
    args.args = {"trigger", "nope", "--config", (dir / "paymand.yaml").string()};
    auto result = run(our_binary("paymand"), args);
    EXPECT_EQ(result.status.code, 1);
    EXPECT_THAT(result.err, HasSubstr("no such rule 'nope'"));
}

TEST_F(daemon_test, ask_reads_credentials_from_the_daemon_configuration)
{
    write_config();
    auto args = daemon_args();
    args.args = {"ask", "what's my wallet balance?", "--config", (dir / "paymand.yaml").string()};
    auto result = run(our_binary("paymand"), args);
    ASSERT_TRUE(result.status.ok()) << result.err;
    EXPECT_THAT(result.out, HasSubstr("1,000.00"));
    EXPECT_THAT(result.out, HasSubstr("state: completed"));
}

TEST_F(daemon_test, ask_with_a_broken_configuration_names_the_position)
{
    write_config("engine: {concurrency: many}\n");
    auto args = daemon_args();
    args.args = {"ask", "list all payees", "--config", (dir / "paymand.yaml").string()};
    auto result = run(our_binary("paymand"), args);
    EXPECT_EQ(result.status.code, 1);
    EXPECT_THAT(result.err, HasSubstr("paymand.yaml:10:23: error:"));
}

TEST_F(daemon_test, an_in_doubt_payment_is_resolved_by_the_operator)
{
    write_config();
    // The sandbox executes the payment and drops the connection: outcome unknown.
    sandbox.inject_fault(boost::json::parse(
        R"({"endpoint":"tasks","prompt_kind":"payment","action":"reset_after_read"})"));
    auto trigger = daemon_args();
    trigger.args = {"trigger", "rent", "--config", (dir / "paymand.yaml").string()};
    ASSERT_EQ(run(our_binary("paymand"), trigger).status.code, 13);  // in doubt
    auto log = audit();
    ASSERT_THAT(log, HasSubstr("\"type\":\"in_doubt\""));
    std::smatch m;
    ASSERT_TRUE(std::regex_search(log, m, std::regex("\"occurrence\":\"(rent@[^\"]+~manual)\"")));
    const std::string occurrence = m[1];

    auto resolve = daemon_args();
    resolve.args = {"audit",    "resolve",
                    occurrence, "--paid",
                    "--note",   "listed in the ledger",
                    "--config", (dir / "paymand.yaml").string()};
    auto done = run(our_binary("paymand"), resolve);
    ASSERT_TRUE(done.status.ok()) << done.err;
    EXPECT_THAT(done.out, HasSubstr("resolved " + occurrence + " as paid"));
    EXPECT_THAT(audit(), HasSubstr("\"type\":\"resolved\""));

    // Resolving it again is refused: it is no longer in doubt.
    auto again = run(our_binary("paymand"), resolve);
    EXPECT_EQ(again.status.code, 1);
}

TEST_F(daemon_test, a_running_daemon_records_the_verdict_it_is_handed)
{
    // No reconciliation: the payment must stay in doubt until the operator decides.
    write_config("engine: {reconcile_interval: 0s}\n");
    sandbox.inject_fault(boost::json::parse(
        R"({"endpoint":"tasks","prompt_kind":"payment","action":"reset_after_read"})"));
    auto trigger = daemon_args();
    trigger.args = {"trigger", "rent", "--config", (dir / "paymand.yaml").string()};
    ASSERT_EQ(run(our_binary("paymand"), trigger).status.code, 13);  // in doubt
    std::smatch m;
    auto before = audit();
    ASSERT_TRUE(
        std::regex_search(before, m, std::regex("\"occurrence\":\"(rent@[^\"]+~manual)\"")));
    const std::string occurrence = m[1];

    auto status_args = daemon_args();
    status_args.args = {"status", "--config", (dir / "paymand.yaml").string()};
    auto stopped = run(our_binary("paymand"), status_args);
    EXPECT_EQ(stopped.status.code, 2) << stopped.err;  // CRITICAL: not running
    EXPECT_THAT(stopped.out, HasSubstr("paymand is not running"));

    child_process daemon(our_binary("paymand"), daemon_args());
    daemon.wait_for_line(std::regex("IN DOUBT: 1"), 30s, true);
    // `status` works beside the running daemon, lock-free, and says how to resolve.
    auto status = run(our_binary("paymand"), status_args);
    EXPECT_EQ(status.status.code, 1) << status.err;  // WARNING: in doubt
    EXPECT_THAT(status.out, HasSubstr("paymand is running (pid " + std::to_string(daemon.pid())));
    EXPECT_THAT(status.out, HasSubstr("IN DOUBT: 1 occurrence needs an operator"));
    EXPECT_THAT(status.out, HasSubstr("paymand audit resolve " + occurrence +
                                      " --paid|--not-paid --note \"...\" --config "));
    EXPECT_THAT(status.out, HasSubstr("TSD: today 10.00 TSD of no limit"));
    status_args.args.push_back("--json");
    auto json = boost::json::parse(run(our_binary("paymand"), status_args).out).as_object();
    EXPECT_EQ(json.at("running").as_bool(), true);
    ASSERT_EQ(json.at("in_doubt").as_array().size(), 1u);
    EXPECT_EQ(json.at("in_doubt").as_array()[0].at("occurrence").as_string(), occurrence);

    auto resolve = daemon_args();
    resolve.args = {"audit",    "resolve",
                    occurrence, "--not-paid",
                    "--note",   "not in the ledger; checked with Payman support",
                    "--config", (dir / "paymand.yaml").string()};
    auto done = run(our_binary("paymand"), resolve);
    ASSERT_TRUE(done.status.ok()) << done.err;
    EXPECT_THAT(done.out, HasSubstr("resolved " + occurrence + " as not_paid (audit record"));
    EXPECT_THAT(done.out, HasSubstr("recorded by the running daemon"));
    EXPECT_THAT(audit(), HasSubstr("\"type\":\"resolved\""));
    daemon.wait_for_line(std::regex("resolved by an operator as not_paid"), 30s, true);
    EXPECT_TRUE(std::filesystem::is_empty(dir / "state/inbox"));

    // An unknown occurrence is refused before anything is handed over.
    resolve.args[2] = "rent@2030-01-01T09:00";
    auto unknown = run(our_binary("paymand"), resolve);
    EXPECT_EQ(unknown.status.code, 1);
    EXPECT_THAT(unknown.err, HasSubstr("rent@2030-01-01T09:00"));

    // A malformed request dropped into the inbox is refused with a note beside it.
    dir.write("state/inbox/.x", "{\"occurrence\": 1}");
    std::filesystem::rename(dir / "state/inbox/.x", dir / "state/inbox/0-bad.json");
    daemon.wait_for_line(std::regex("inbox: .*0-bad.json is not a resolution request"), 30s, true);
    EXPECT_TRUE(std::filesystem::exists(dir / "state/inbox/0-bad.rejected"));
    EXPECT_FALSE(std::filesystem::exists(dir / "state/inbox/0-bad.json"));
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok());
}

TEST_F(daemon_test, serves_metrics_on_loopback_when_configured)
{
    write_config("metrics: {listen: \"127.0.0.1:0\"}\n");
    child_process daemon(our_binary("paymand"), daemon_args());
    auto line = daemon.wait_for_line(std::regex("metrics: serving (http://127\\.0\\.0\\.1:[0-9]+)"),
                                     30s, true);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, std::regex("http://127\\.0\\.0\\.1:[0-9]+")));
    const std::string base = m[0];
    daemon.wait_for_line(std::regex("running: 1 rules"), 30s, true);
    auto scrape = http_request({.url = base + "/metrics"});
    EXPECT_EQ(scrape.status, 200);
    EXPECT_THAT(scrape.body, HasSubstr("paymand_rules_loaded 1"));
    EXPECT_THAT(scrape.body, HasSubstr("paymand_in_doubt_occurrences 0"));
    EXPECT_THAT(scrape.body, HasSubstr("paymand_next_occurrence_timestamp_seconds "));
    EXPECT_THAT(scrape.body, HasSubstr("paymand_audit_records_total{type=\"rules_loaded\"} 1"));
    auto health = http_request({.url = base + "/healthz"});
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.body, "ok\n");
    // The credential check's outcome (issue 18, item 3).
    daemon.wait_for_line(std::regex("credentials verified"), 30s, true);
    EXPECT_THAT(http_request({.url = base + "/metrics"}).body,
                HasSubstr("paymand_credentials{state=\"verified\"} 1"));
    daemon.send_signal(SIGHUP);
    daemon.wait_for_line(std::regex("reloaded: no rule changed; 1 rules"), 30s, true);
    EXPECT_THAT(http_request({.url = base + "/metrics"}).body,
                HasSubstr("paymand_last_reload_success 1"));
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok());
}

TEST_F(daemon_test, a_metrics_address_beyond_loopback_needs_an_explicit_opt_in)
{
    write_config("metrics: {listen: \"0.0.0.0:9464\"}\n");
    auto refused = run(our_binary("paymand"), daemon_args());
    EXPECT_EQ(refused.status.code, 1);
    EXPECT_THAT(refused.err, HasSubstr("paymand.yaml:10:19: error: metrics.listen: 0.0.0.0:9464"));
}

TEST_F(daemon_test, auth_test_fetches_a_token_and_compares_the_scopes_the_rules_need)
{
    auto config = write_config().string();
    auto args = daemon_args();
    args.args = {"auth", "test", "--config", config};
    auto ok = run(our_binary("paymand"), args);
    ASSERT_EQ(ok.status.code, 0) << ok.err;
    EXPECT_THAT(ok.out, HasSubstr("authenticated: access token valid for"));
    EXPECT_THAT(ok.out, HasSubstr("ok      write_send_payment"));
    EXPECT_THAT(ok.out, Not(HasSubstr(std::string(sandbox_client_secret))));
    EXPECT_EQ(sandbox.stats().at("requests").at("tasks_send").as_int64(), 0);  // no ask

    // The read-only client lacks the payment scope the rule needs.
    dir.write("paymand.yaml", "payman:\n  base_url: " + sandbox.base_url() +
                                  "\n  client_id: " + std::string(sandbox_readonly_client_id) +
                                  "\n  client_secret: {env: " + secret_env +
                                  "}\nrules_directory: rules\nstate_directory: state\n" +
                                  "payees: any\nlimits: none\n");
    args.env = {secret_env + "=" + std::string(sandbox_readonly_client_secret)};
    auto missing = run(our_binary("paymand"), args);
    EXPECT_EQ(missing.status.code, 1);
    EXPECT_THAT(missing.out, HasSubstr("MISSING write_send_payment"));

    // --json (issue 18, item 8): the same facts as one object.
    args.args.push_back("--json");
    auto lacking = run(our_binary("paymand"), args);
    EXPECT_EQ(lacking.status.code, 1);
    auto facts = boost::json::parse(lacking.out).as_object();
    EXPECT_EQ(facts.at("authenticated").as_bool(), true);
    EXPECT_EQ(facts.at("missing").as_int64(), 1);
    EXPECT_EQ(facts.at("needed").at(0).at("scope").as_string(), "write_send_payment");
    EXPECT_EQ(facts.at("needed").at(0).at("granted").as_bool(), false);
    EXPECT_THAT(lacking.out, Not(HasSubstr(std::string(sandbox_readonly_client_secret))));
    args.args.pop_back();

    args.env = {secret_env + "=wrong-secret"};
    auto refused = run(our_binary("paymand"), args);
    EXPECT_EQ(refused.status.code, 1) << refused.err;
    args.args.push_back("--json");
    auto refused_json = run(our_binary("paymand"), args);
    EXPECT_EQ(refused_json.status.code, 1);
    auto said = boost::json::parse(refused_json.out).as_object();
    EXPECT_EQ(said.at("authenticated").as_bool(), false);
    EXPECT_EQ(said.at("refused").as_bool(), true);
}

// 1,000 rules: their rules_loaded set exceeds one audit line (64 KiB) and is written in
// parts of one batch; the daemon starts, and a restart knows every rule's definition.
TEST_F(daemon_test, a_thousand_rules_load_and_are_known_again_after_a_restart)
{
    write_config();
    std::string rules = "rules:\n";
    for (int i = 0; i < 1000; ++i)
        rules += "  - id: rule-number-" + std::to_string(i) +
                 "\n    schedule: monthly on day 1 at 09:00\n    pay: {payee: John Doe, amount: "
                 "1.00}\n";
    dir.write("rules/rent.yaml", rules);
    for (int run_no = 0; run_no < 2; ++run_no) {
        child_process daemon(our_binary("paymand"), daemon_args());
        daemon.wait_for_line(std::regex("running: 1000 rules"), 30s, true);
        daemon.send_signal(SIGTERM);
        ASSERT_TRUE(daemon.wait().ok()) << daemon.err();
    }
    auto log = audit();
    EXPECT_THAT(log, HasSubstr("\"part\":3,\"parts\":3"));
    auto status_args = daemon_args();
    status_args.args = {"status", "--config", (dir / "paymand.yaml").string(), "--next", "0"};
    auto status = run(our_binary("paymand"), status_args);
    EXPECT_THAT(status.out, HasSubstr("rules: 1000 in"));
    EXPECT_THAT(status.out, HasSubstr("the daemon last loaded 1000 at"));
    EXPECT_THAT(status.out, Not(HasSubstr("changed since")));
    auto verify = daemon_args();
    verify.args = {"audit", "verify", "--config", (dir / "paymand.yaml").string(), "--full"};
    EXPECT_EQ(run(our_binary("paymand"), verify).status.code, 0);
}

}  // namespace
}  // namespace paymand::test
