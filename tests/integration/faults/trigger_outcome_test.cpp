// Issue 18, item 5: commands that act say what happened. `paymand trigger` printed "done; see
// the audit log" and exited 0 when the payment went in doubt and when its condition was not
// met; it refused with 75 while the daemon ran; a typo in the rule id met the lock first; a
// dry run's payment was recorded as `failed`. Now: one line per outcome, one exit code per
// outcome class (0 paid, 10 not run, 11 denied, 12 not paid, 13 in doubt), the run handed to
// a running daemon, "no such rule" with the nearest ids before any lock, a dry-run outcome
// ("would pay ..."), and `run --dry-run` logs every occurrence it handles. Item 3: outcomes
// that need attention are logged at error priority, with the agent's reply (item 4).

#include "fault_fixture.hpp"

#include <gmock/gmock.h>
#include <signal.h>

#include <regex>
#include <thread>

namespace paymand::test::faults {
namespace {

using testing::HasSubstr;
using testing::Not;

class trigger_outcome : public fault_test {
protected:
    std::unique_ptr<child_process> start_daemon()
    {
        auto d = std::make_unique<child_process>(our_binary("paymand"), daemon_args());
        d->wait_for_line(std::regex("running"), 30s, true);
        return d;
    }

    // The configuration with `limits: none` replaced by `limits`.
    void set_limits(std::string_view limits)
    {
        auto text = read_file(config_path());
        const auto at = text.find("limits: none\n");
        ASSERT_NE(at, std::string::npos);
        text.replace(at, 13, limits);
        dir.write("paymand.yaml", text);
    }
};

TEST_F(trigger_outcome, a_payment_says_paid_and_exits_0)
{
    write_config();
    auto r = trigger("rent");
    EXPECT_EQ(r.status.code, 0) << r.err;
    EXPECT_TRUE(
        std::regex_search(r.out, std::regex("^rent@\\S+~manual: paid 10\\.00 TSD to John Doe\n$")))
        << r.out;
    EXPECT_EQ(ledger_payments(), 1u);
}

TEST_F(trigger_outcome, a_condition_not_met_says_skipped_with_the_figures_and_exits_10)
{
    write_config({}, R"(rules:
  - id: guarded
    schedule: monthly on day 2 at 09:00
    when: {balance: {wallet: Operations, above: 1000000.00}}
    pay: {payee: John Doe, amount: 10.00, wallet: Operations}
)");
    auto r = trigger("guarded");
    EXPECT_EQ(r.status.code, 10) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("~manual: skipped: "));
    // Logged at warning priority: a skip is by design, not an error.
    EXPECT_TRUE(std::regex_search(r.err, std::regex("warning guarded@\\S+: skipped"))) << r.err;
    EXPECT_EQ(ledger_payments(), 0u);
}

TEST_F(trigger_outcome, a_limit_says_denied_logs_an_error_and_exits_11)
{
    write_config();
    set_limits("limits:\n  currencies:\n    TSD: {per_transaction: 10.00, daily: 15.00}\n");
    auto first = trigger("rent");
    ASSERT_EQ(first.status.code, 0) << first.err;
    auto r = trigger("again");  // another 10.00 today: over the daily 15.00
    EXPECT_EQ(r.status.code, 11) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("~manual: DENIED: "));
    EXPECT_TRUE(std::regex_search(r.err, std::regex("error again@\\S+: DENIED: "))) << r.err;
    EXPECT_EQ(ledger_payments(), 1u);
}

TEST_F(trigger_outcome, a_refused_request_says_failed_logs_an_error_and_exits_12)
{
    write_config();
    inject(R"({"endpoint":"tasks","prompt_kind":"payment","action":"status","status":400})");
    auto r = trigger("rent");
    EXPECT_EQ(r.status.code, 12) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("~manual: FAILED: "));
    EXPECT_TRUE(std::regex_search(r.err, std::regex("error rent@\\S+: FAILED: "))) << r.err;
}

TEST_F(trigger_outcome, an_unknown_outcome_says_in_doubt_and_exits_13)
{
    write_config();
    // Payman carries the payment out and the connection drops before the answer.
    inject(R"({"endpoint":"tasks","prompt_kind":"payment","action":"reset_after_read"})");
    auto r = trigger("rent");
    EXPECT_EQ(r.status.code, 13) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("~manual: IN DOUBT: "));
    EXPECT_THAT(r.out, HasSubstr("paymand audit resolve rent@"));
    EXPECT_EQ(ledger_payments(), 1u);  // it was paid: exit 0 would have hidden the doubt
}

TEST_F(trigger_outcome, the_agents_refusal_is_in_the_outcome_line_and_the_error_log)
{
    write_config({}, R"(rules:
  - id: maria
    schedule: monthly on day 1 at 09:00
    pay: {payee: Maria Garcia, amount: 10.00, wallet: Operations}
)");
    auto r = trigger("maria");
    EXPECT_EQ(r.status.code, 13) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("reply: \"I couldn't find a payee named **Maria Garcia**."));
    EXPECT_TRUE(std::regex_search(
        r.err, std::regex("error maria@\\S+: IN DOUBT: .*reply: \"I couldn't find a payee")))
        << r.err;
    // `audit tail` shows it too, on the result's line.
    auto tail = run(our_binary("paymand"),
                    paymand_args({"audit", "tail", "--config", config_path().string()}));
    EXPECT_TRUE(std::regex_search(
        tail.out, std::regex("result  maria@\\S+  needs_input.*  reply: \"I couldn't find a "
                             "payee named \\*\\*Maria Garcia\\*\\*\\.")))
        << tail.out;
}

// Issue 18, item 8: the same outcome for scripts.
TEST_F(trigger_outcome, json_gives_the_outcome_as_one_object)
{
    write_config();
    auto args = trigger_args("rent");
    args.args.push_back("--json");
    auto r = run(our_binary("paymand"), args);
    EXPECT_EQ(r.status.code, 0) << r.err;
    auto json = boost::json::parse(r.out).as_object();
    EXPECT_EQ(json.at("state").as_string(), "completed");
    EXPECT_EQ(json.at("exit_code").as_int64(), 0);
    EXPECT_EQ(json.at("run_by_daemon").as_bool(), false);
    EXPECT_TRUE(std::regex_match(std::string(json.at("occurrence").as_string()),
                                 std::regex("rent@\\S+~manual")));
    EXPECT_THAT(std::string(json.at("outcome").as_string()), HasSubstr(": paid 10.00 TSD"));
}

// Issue 18, item 7: a base_url without /api is no credentials problem.
TEST_F(trigger_outcome, a_base_url_without_api_says_so_instead_of_blaming_the_credentials)
{
    write_config({.max_attempts = 1});
    auto text = read_file(config_path());
    const auto api = text.find("/api\n");
    ASSERT_NE(api, std::string::npos);
    text.erase(api, 4);
    dir.write("paymand.yaml", text);
    auto r = trigger("rent");
    EXPECT_EQ(r.status.code, 12) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("no Payman API at this URL (does payman.base_url end in /api?)"));
    EXPECT_THAT(r.err, Not(HasSubstr("check the client id")));
    EXPECT_EQ(tasks_sent(), 0);
}

// Issue 18, item 8: audit tail narrowed to a rule, an occurrence or a record type.
TEST_F(trigger_outcome, audit_tail_filters_by_rule_occurrence_and_type)
{
    write_config();
    ASSERT_EQ(trigger("rent").status.code, 0);
    ASSERT_EQ(trigger("again").status.code, 0);
    const auto tail = [&](std::vector<std::string> extra) {
        std::vector<std::string> args{"audit", "tail", "--config", config_path().string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return run(our_binary("paymand"), paymand_args(std::move(args)));
    };
    auto by_rule = tail({"--rule", "again", "-n", "100"});
    EXPECT_EQ(by_rule.status.code, 0) << by_rule.err;
    EXPECT_THAT(by_rule.out, HasSubstr("intent  again@"));
    EXPECT_THAT(by_rule.out, HasSubstr("result  again@"));
    EXPECT_THAT(by_rule.out, Not(HasSubstr("rent@")));
    EXPECT_THAT(by_rule.out, Not(HasSubstr("started")));

    // -n counts the matching records; --json keeps the stored lines.
    auto last_result = tail({"--type", "result", "-n", "1", "--json"});
    ASSERT_EQ(last_result.status.code, 0) << last_result.err;
    auto line = boost::json::parse(last_result.out).as_object();  // exactly one object
    EXPECT_EQ(line.at("type").as_string(), "result");
    EXPECT_EQ(line.at("rule").as_string(), "again");

    const std::string occurrence(line.at("occurrence").as_string());
    auto by_occurrence = tail({"--occurrence", occurrence});
    EXPECT_EQ(std::count(by_occurrence.out.begin(), by_occurrence.out.end(), '\n'), 2)
        << by_occurrence.out;  // its intent and its result
    EXPECT_EQ(tail({"--type", "nonsense"}).status.code, 2);
}

TEST_F(trigger_outcome, a_typo_says_no_such_rule_with_the_nearest_ids_before_the_lock)
{
    write_config();
    auto daemon = start_daemon();  // holds the state lock
    auto r = trigger("rnet");
    EXPECT_EQ(r.status.code, 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr("no such rule 'rnet': did you mean 'rent'?"));
    EXPECT_THAT(r.err, Not(HasSubstr("locked")));
}

TEST_F(trigger_outcome, while_the_daemon_runs_the_run_is_handed_to_it)
{
    write_config();
    auto daemon = start_daemon();
    // Both runs must fall in one minute of the real clock: not in its last ten seconds.
    const auto second = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() %
                        60;
    if (second >= 50) std::this_thread::sleep_for(std::chrono::seconds(61 - second));
    auto r = trigger("rent");
    EXPECT_EQ(r.status.code, 0) << r.out << r.err;
    EXPECT_TRUE(std::regex_search(
        r.out,
        std::regex("^rent@\\S+~manual: paid 10\\.00 TSD to John Doe \\(run by the daemon\\)")))
        << r.out;
    EXPECT_EQ(ledger_payments(), 1u);
    daemon->wait_for_line(std::regex("inbox: trigger rent requested by an operator"), 10s, true);
    EXPECT_TRUE(eventually([&] { return std::filesystem::is_empty(state_dir() / "inbox"); }));

    // Its outcome class travels too: a second run in the same minute is refused by the daemon.
    auto again = trigger("rent");
    EXPECT_EQ(again.status.code, 1) << again.out << again.err;
    EXPECT_THAT(again.err, HasSubstr("the running daemon refused it: rent@"));
    EXPECT_THAT(again.err, HasSubstr("already ran this minute"));
    daemon->send_signal(SIGTERM);
    EXPECT_TRUE(daemon->wait().ok());
}

TEST_F(trigger_outcome, a_dry_run_records_would_pay_never_failed)
{
    write_config();
    auto args = trigger_args("rent");
    args.args.push_back("--dry-run");
    auto r = run(our_binary("paymand"), args);
    EXPECT_EQ(r.status.code, 0) << r.out << r.err;
    EXPECT_THAT(r.out,
                HasSubstr("~manual: dry_run: would pay 10.00 TSD to John Doe from Operations\n"));
    const auto log = read_file(state_dir() / "audit.dry-run.jsonl");
    EXPECT_THAT(log, HasSubstr("\"outcome\":\"dry_run\""));
    EXPECT_THAT(log, HasSubstr("would pay 10.00 TSD to John Doe from Operations"));
    EXPECT_THAT(log, Not(HasSubstr("\"outcome\":\"failed\"")));
    EXPECT_EQ(tasks_sent(), 0);
}

TEST_F(trigger_outcome, run_dry_run_logs_each_occurrence_it_handles)
{
    // Every minute, on a clock 600 times as fast (the crash-test build): three occurrences in
    // well under a second.
    write_config({.extra = "min_pay_interval: 1m\n"}, R"(rules:
  - id: minutely
    schedule: "* * * * *"
    pay: {payee: John Doe, amount: 1.00}
)");
    auto args = paymand_args(
        {"run", "--config", config_path().string(), "--dry-run", "--assume-balance", "1000.00"});
    args.env.push_back(test_clock(0, 600));
    child_process daemon(our_binary("paymand-crashpoints"), args);
    const std::regex would_pay("info minutely@\\S+: dry_run: would pay 1\\.00 TSD to John Doe");
    EXPECT_TRUE(eventually(
        [&] {
            if (!daemon.running()) return true;  // said below
            const auto err = daemon.err();
            return std::distance(std::sregex_iterator(err.begin(), err.end(), would_pay),
                                 std::sregex_iterator()) >= 3;
        },
        30s))
        << daemon.err();
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok());
    EXPECT_EQ(tasks_sent(), 0);
}

// Issue 18 item 3: a missed occurrence is logged at error priority (`journalctl -p err`
// shows it). The daemon ran and stopped; it starts again on a clock ten minutes ahead (the
// crash-test build), and `catchup: none` records each minute it was down as missed.
TEST_F(trigger_outcome, occurrences_missed_while_down_are_logged_at_error_priority)
{
    write_config({.extra = "min_pay_interval: 1m\n"}, R"(rules:
  - id: minutely
    schedule: "* * * * *"
    catchup: none
    pay: {payee: John Doe, amount: 1.00, wallet: Operations}
)");
    {
        child_process first(our_binary("paymand"), daemon_args());
        first.wait_for_line(std::regex("running"), 30s, true);
        first.send_signal(SIGTERM);
        ASSERT_TRUE(first.wait().ok()) << first.err();
    }
    // wall = anchor + (real - anchor) * 2: ten minutes ahead at the start.
    auto args = daemon_args();
    args.env.push_back(test_clock(-600, 2));
    child_process daemon(our_binary("paymand-crashpoints"), args);
    daemon.wait_for_line(std::regex("error minutely@\\S+: MISSED: "), 30s, true);
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok()) << daemon.err();
    EXPECT_GE(records_of("missed").size(), 1u);
}

}  // namespace
}  // namespace paymand::test::faults
