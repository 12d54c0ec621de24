// Issue 18, item 1: `paymand status` never gives a false all-clear. Its exit code follows the
// monitoring-plugin convention (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), state it cannot read
// is an error with the errno and the fix, and a fresh install says so. Items 3 and 4: the
// outcomes of the last day that need attention are listed, with the agent's own words.
// Before, run as a non-root user on the installed 0700 state directory beside a running
// daemon, it printed "paymand is not running", "0 records", "in doubt: none" and exited 0.

#include "fault_fixture.hpp"

#include <gmock/gmock.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <regex>

namespace paymand::test::faults {
namespace {

using testing::HasSubstr;
using testing::Not;
using testing::StartsWith;

class status_test : public fault_test {
protected:
    run_result status(std::vector<std::string> extra = {})
    {
        std::vector<std::string> args{"status", "--config", config_path().string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return run(our_binary("paymand"), paymand_args(std::move(args)));
    }

    // `paymand status` as the unprivileged user nobody (setpriv: no groups but nogroup).
    run_result status_as_nobody()
    {
        auto p = paymand_args({"--reuid=65534", "--regid=65534", "--clear-groups",
                               our_binary("paymand").string(), "status", "--config",
                               config_path().string()});
        return run("/usr/bin/setpriv", std::move(p));
    }

    // Lets another user reach the configuration and rules, as the installed layout does
    // (/etc/paymand is 0755); the state directory keeps the mode under test.
    void open_configuration_to_others()
    {
        ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
        ASSERT_EQ(::chmod(config_path().c_str(), 0644), 0);
        ASSERT_EQ(::chmod((dir / "rules").c_str(), 0755), 0);
        ASSERT_EQ(::chmod((dir / "rules/rules.yaml").c_str(), 0644), 0);
    }

    std::unique_ptr<child_process> start_daemon()
    {
        auto d = std::make_unique<child_process>(our_binary("paymand"), daemon_args());
        d->wait_for_line(std::regex("running"), 30s, true);
        return d;
    }
};

// The tests below run a command as another user: only root can. CI runs them as root; a
// developer's run without root fails here, saying why, instead of passing untested.
void require_root()
{
    ASSERT_EQ(::geteuid(), 0u) << "this test runs `paymand status` as the unprivileged user "
                                  "nobody (setpriv), which needs root: run it as root, as CI does";
}

TEST_F(status_test, an_unprivileged_user_beside_a_running_daemon_gets_unknown_with_errno_and_fix)
{
    require_root();
    write_config();
    open_configuration_to_others();
    auto daemon = start_daemon();
    ASSERT_EQ(::chmod(state_dir().c_str(), 0700), 0);

    auto r = status_as_nobody();
    EXPECT_EQ(r.status.code, 3) << r.out << r.err;
    EXPECT_THAT(r.out, StartsWith("UNKNOWN: paymand's state cannot be read: cannot read "));
    EXPECT_THAT(r.err, HasSubstr("Permission denied (EACCES)"));
    EXPECT_THAT(r.err, HasSubstr(state_dir().string() + " is mode 0700, owner root"));
    EXPECT_THAT(r.err, HasSubstr("run `sudo paymand status --config " + config_path().string()));
    // Never the false all-clear it gave before.
    EXPECT_THAT(r.out, Not(HasSubstr("not running")));
    EXPECT_THAT(r.out, Not(HasSubstr("0 records")));
    EXPECT_THAT(r.out, Not(HasSubstr("in doubt: none")));

    // The same command as root reads it all.
    auto root = status();
    EXPECT_EQ(root.status.code, 0) << root.out << root.err;
    EXPECT_THAT(root.out,
                StartsWith("OK: paymand is running (pid " + std::to_string(daemon->pid()) + ")"));
}

TEST_F(status_test, a_state_directory_the_group_may_read_names_the_group_to_join)
{
    require_root();
    write_config();
    open_configuration_to_others();
    ASSERT_TRUE(trigger("rent").status.ok());
    const group* adm = ::getgrnam("adm");
    ASSERT_NE(adm, nullptr) << "Debian's group adm is missing";
    ASSERT_EQ(::chown(state_dir().c_str(), 0, adm->gr_gid), 0);
    ASSERT_EQ(::chmod(state_dir().c_str(), 0750), 0);

    auto r = status_as_nobody();
    EXPECT_EQ(r.status.code, 3) << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr("is mode 0750, owner root, group adm: join the group "
                                 "(sudo usermod -aG adm $USER, then log in again)"));
}

TEST_F(status_test, a_fresh_install_says_no_audit_log_yet_and_is_critical_while_not_running)
{
    write_config();
    auto r = status();
    EXPECT_EQ(r.status.code, 2) << r.out << r.err;
    EXPECT_THAT(r.out, StartsWith("CRITICAL: paymand is not running\n"));
    EXPECT_THAT(r.out, HasSubstr(": no audit log yet"));
    EXPECT_THAT(r.out, Not(HasSubstr("0 records")));
    auto json = boost::json::parse(status({"--json"}).out).as_object();
    EXPECT_EQ(json.at("health").as_string(), "CRITICAL");
    EXPECT_EQ(json.at("audit_log_exists").as_bool(), false);
}

TEST_F(status_test, something_in_doubt_is_a_warning_with_the_agents_words)
{
    // The agent answers without saying whether it paid: unclear, so in doubt, with its words.
    // The payee itself is known to Payman: a payee the rules name and Payman does not list
    // would make the daemon's credential check (issue 18 item 3) critical once it has run.
    write_config();
    inject(R"({"endpoint":"tasks","prompt_kind":"payment","action":"replace_reply",)"
           R"("text":"Your request has been received and is being reviewed."})");
    EXPECT_EQ(trigger("rent").status.code, 13);
    auto daemon = start_daemon();
    auto r = status();
    EXPECT_EQ(r.status.code, 1) << r.out << r.err;
    EXPECT_THAT(r.out, StartsWith("WARNING: 1 occurrence needs an operator\n"));
    EXPECT_THAT(r.out, HasSubstr("reply: \"Your request has been received and is being reviewed."));
    auto json = boost::json::parse(status({"--json", "--next", "2"}).out).as_object();
    EXPECT_EQ(json.at("health").as_string(), "WARNING");
    // Item 8: complete for scripts: pid, last start, next occurrences.
    EXPECT_EQ(json.at("pid").as_int64(), daemon->pid());
    EXPECT_EQ(json.at("last_start").at("pid").as_int64(), daemon->pid());
    const auto& next = json.at("next_occurrences").as_array();
    ASSERT_EQ(next.size(), 2u);  // --next 2
    EXPECT_EQ(next[0].at("rule").as_string(), "rent");
    EXPECT_THAT(std::string(next[0].at("occurrence").as_string()), StartsWith("rent@"));
    EXPECT_THAT(std::string(json.at("in_doubt").as_array()[0].at("reply_excerpt").as_string()),
                HasSubstr("Your request has been received"));
}

TEST_F(status_test, a_failure_of_the_last_day_is_listed_and_is_a_warning)
{
    write_config();
    // Payman refuses the payment request outright: not sent, not paid.
    inject(R"({"endpoint":"tasks","prompt_kind":"payment","action":"status","status":400})");
    EXPECT_EQ(trigger("rent").status.code, 12);
    auto daemon = start_daemon();
    auto r = status();
    EXPECT_EQ(r.status.code, 1) << r.out << r.err;
    EXPECT_THAT(r.out, StartsWith("WARNING: 1 outcome of the last 24 h needs attention\n"));
    EXPECT_THAT(r.out, HasSubstr("NEEDS ATTENTION (last 24 h): 1\n"));
    EXPECT_TRUE(std::regex_search(r.out, std::regex("  \\S+Z  rent@\\S+~manual  failed: .*400")))
        << r.out;
    auto json = boost::json::parse(status({"--json"}).out).as_object();
    ASSERT_EQ(json.at("needs_attention").as_array().size(), 1u);
    EXPECT_EQ(json.at("needs_attention").as_array()[0].at("state").as_string(), "failed");
}

TEST_F(status_test, a_stopped_daemon_or_a_corrupt_log_is_critical_and_a_bad_option_unknown)
{
    write_config();
    ASSERT_TRUE(trigger("rent").status.ok());
    auto clean = status();
    EXPECT_EQ(clean.status.code, 2) << clean.out;
    EXPECT_THAT(clean.out, StartsWith("CRITICAL: paymand is not running\n"));

    // One byte changed in a recorded line: the hash chain breaks.
    auto text = read_file(audit_path());
    const auto at = text.find("John Doe");
    ASSERT_NE(at, std::string::npos);
    text[at] = 'X';
    dir.write("state/audit.jsonl", text);
    auto corrupt = status();
    EXPECT_EQ(corrupt.status.code, 2) << corrupt.out;
    EXPECT_THAT(corrupt.out, HasSubstr("the audit log is corrupt"));

    // 2 would read as CRITICAL to a monitoring system: a usage error is UNKNOWN.
    EXPECT_EQ(status({"--no-such-option"}).status.code, 3);
}

}  // namespace
}  // namespace paymand::test::faults
