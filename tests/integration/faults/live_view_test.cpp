// Issue 18, item 2: `status` and `next` show what the daemon runs, not what the files say.
// The daemon publishes its live view (state directory, live.json); `status` prints the
// per-rule table RULE NEXT LEFT LAST PASSED OUTCOME from it, `next` marks rules whose files
// differ from what runs, and once the daemon is down the view is called stale. Before, both
// read only the files and the audit log.

#include "fault_fixture.hpp"

#include <gmock/gmock.h>

#include <csignal>
#include <regex>

namespace paymand::test::faults {
namespace {

using testing::HasSubstr;
using testing::Not;
using testing::StartsWith;

class live_view_test : public fault_test {
protected:
    run_result command(std::vector<std::string> args)
    {
        args.insert(args.end(), {"--config", config_path().string()});
        return run(our_binary("paymand"), paymand_args(std::move(args)));
    }

    boost::json::object view() const
    {
        return boost::json::parse(read_file(state_dir() / "live.json")).as_object();
    }
};

TEST_F(live_view_test, status_shows_the_rules_the_daemon_runs_and_calls_a_dead_daemons_view_stale)
{
    // Every minute, on a clock 60 times as fast (the crash-test build): an occurrence a second.
    write_config({.extra = "min_pay_interval: 1m\n"}, R"(rules:
  - id: minutely
    schedule: "* * * * *"
    pay: {payee: John Doe, amount: 1.00, wallet: Operations}
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00, wallet: Operations}
)");
    auto args = daemon_args();
    args.env.push_back(test_clock(0, 60));
    child_process daemon(our_binary("paymand-crashpoints"), args);
    daemon.wait_for_line(std::regex("running"), 30s, true);

    // The view follows what the daemon did: the minutely rule's last occurrence and outcome.
    std::string outcome;
    ASSERT_TRUE(eventually(
        [&] {
            std::error_code ec;
            if (!std::filesystem::exists(state_dir() / "live.json", ec)) return false;
            const auto v = view();
            for (const auto& r : v.at("rules").as_array())
                if (r.at("id").as_string() == "minutely")
                    outcome = std::string(r.at("last_outcome").as_string());
            return outcome == "completed" || outcome == "confirmed";
        },
        30s))
        << daemon.err();
    EXPECT_EQ(view().at("pid").as_int64(), daemon.pid());

    auto r = command({"status"});
    EXPECT_THAT(r.out, HasSubstr("rules the daemon runs: 2 (its live view, written "));
    EXPECT_TRUE(
        std::regex_search(r.out, std::regex("\n  RULE +NEXT +LEFT +LAST +PASSED +OUTCOME\n")))
        << r.out;
    EXPECT_TRUE(
        std::regex_search(r.out, std::regex("\n  rent +20\\d\\d-\\d\\d-01 09:00 UTC +\\d+ d "
                                            "[^\n]* +- +- +-\n")))
        << r.out;
    // The next occurrence may be in flight already: one a second.
    EXPECT_TRUE(std::regex_search(
        r.out, std::regex("\n  minutely +[^\n]*(completed|confirmed|in_flight)\n")))
        << r.out;
    auto json = boost::json::parse(command({"status", "--json"}).out).as_object();
    EXPECT_EQ(json.at("live_view").at("live").as_bool(), true);
    ASSERT_EQ(json.at("rules").as_array().size(), 2u);
    EXPECT_EQ(json.at("rules").at(1).at("rule").as_string(), "rent");
    EXPECT_EQ(json.at("rules").at(1).at("due_now").as_bool(), false);

    // `next` marks a rule whose file changed and shows what the daemon runs.
    const auto rules = read_file(dir / "rules/rules.yaml");
    auto edited = rules;
    edited.replace(edited.find("amount: 10.00"), 13, "amount: 11.00");
    dir.write("rules/rules.yaml", edited);
    auto next = command({"next", "--rule", "rent", "--count", "1"});
    EXPECT_EQ(next.status.code, 0) << next.err;
    EXPECT_THAT(next.out, HasSubstr("pay 11.00 TSD to John Doe from Operations (edited, not yet "
                                    "reloaded)"));
    EXPECT_THAT(next.out, HasSubstr("the daemon (pid " + std::to_string(daemon.pid()) + ") runs"));
    EXPECT_THAT(next.out, HasSubstr("rent edited, not yet reloaded"));
    auto next_json = command({"next", "--rule", "rent", "--count", "1", "--json"});
    EXPECT_THAT(next_json.out, HasSubstr("\"daemon\":\"edited, not yet reloaded\""));

    daemon.send_signal(SIGTERM);
    ASSERT_TRUE(daemon.wait().ok()) << daemon.err();
    EXPECT_EQ(view().at("stopped").as_bool(), true);
    r = command({"status"});
    EXPECT_EQ(r.status.code, 2) << r.out;
    EXPECT_THAT(r.out, StartsWith("CRITICAL: paymand is not running"));
    EXPECT_TRUE(
        std::regex_search(r.out, std::regex("live view: STALE: written \\S+ by pid " +
                                            std::to_string(daemon.pid()) + ", which has stopped")))
        << r.out;
    EXPECT_THAT(r.out, Not(HasSubstr("rules the daemon runs")));
    next = command({"next", "--count", "1"});
    EXPECT_THAT(next.out, HasSubstr("the daemon is not running (its live view, written "));
}

// An occurrence already due that the daemon has not run yet (a catch-up occurrence waiting
// its turn) is shown as "due now", never as a time left or a time in the past. The daemon
// runs on a clock ten minutes behind (the crash-test build), so the next occurrence it
// publishes is already due by the clock `status` reads.
TEST_F(live_view_test, an_occurrence_already_due_and_not_yet_run_is_shown_due_now)
{
    write_config({.extra = "min_pay_interval: 1m\n"}, R"(rules:
  - id: minutely
    schedule: "* * * * *"
    pay: {payee: John Doe, amount: 1.00, wallet: Operations}
)");
    // wall = anchor + (real - anchor) * 2: ten minutes behind at the start.
    auto args = daemon_args();
    args.env.push_back(test_clock(600, 2));
    child_process daemon(our_binary("paymand-crashpoints"), args);
    daemon.wait_for_line(std::regex("running"), 30s, true);
    ASSERT_TRUE(
        eventually([&] { return std::filesystem::exists(state_dir() / "live.json"); }, 10s));

    auto r = command({"status"});
    EXPECT_TRUE(std::regex_search(r.out, std::regex("\n  minutely +\\S+ \\S+ UTC +due now +")))
        << r.out;
    auto json = boost::json::parse(command({"status", "--json"}).out).as_object();
    ASSERT_EQ(json.at("rules").as_array().size(), 1u);
    EXPECT_EQ(json.at("rules").at(0).at("due_now").as_bool(), true);
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok()) << daemon.err();
}

}  // namespace
}  // namespace paymand::test::faults
