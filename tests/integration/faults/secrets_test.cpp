// Secrets (issue 9, item 6): through a full cycle (a payment by trigger, the daemon started,
// asking Payman while it runs, reloaded, stopped) neither the client secret nor any access
// token the sandbox issued appears in stdout, stderr, the audit log or any file of the state
// directory; and the running daemon is not dumpable (PR_SET_DUMPABLE 0): no core file, and
// another process of its own user cannot read its memory or environment.
//
// Extends daemon_test.the_secret_never_appears_in_output_or_state (secret only, no payment,
// no tokens) with the payment, the tokens and the process attributes.

#include "fault_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace paymand::test::faults {
namespace {

using testing::HasSubstr;
using testing::Not;

class secrets : public fault_test {
protected:
    // The test's directory (configuration, rules, state) handed to nobody, for commands run
    // as nobody under setpriv.
    void give_dir_to_nobody()
    {
        for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path()))
            ASSERT_EQ(::chown(entry.path().c_str(), nobody, nobody), 0);
        ASSERT_EQ(::chown(dir.path().c_str(), nobody, nobody), 0);
        ASSERT_TRUE(std::filesystem::exists(setpriv)) << "util-linux's setpriv is needed";
    }
    static constexpr std::string_view setpriv = "/usr/bin/setpriv";

    // Every token (access and refresh) in the sandbox's saved state.
    std::vector<std::string> issued_tokens()
    {
        auto state = boost::json::parse(read_file(sandbox->state_file()));
        std::vector<std::string> out;
        for (const auto& t : state.at("tokens").as_array())
            out.emplace_back(t.at("token").as_string());
        return out;
    }
};

TEST_F(secrets, neither_the_secret_nor_a_token_appears_in_output_or_state_over_a_full_cycle)
{
    // The secret from a file (0600), as under systemd; tokens from the sandbox.
    auto secret_file = dir.write("client-secret", std::string(sandbox_client_secret) + "\n");
    std::filesystem::permissions(secret_file, std::filesystem::perms::owner_read |
                                                  std::filesystem::perms::owner_write);
    write_config({.reconcile_interval = "1s",
                  .log_level = "debug",
                  .secret_source = "{file: " + secret_file.string() + "}"});
    std::vector<std::string> outputs;

    // A payment, then one in doubt that the daemon will reconcile while it runs.
    auto paid = trigger("rent");
    ASSERT_TRUE(paid.status.ok()) << paid.err;
    inject(R"({"endpoint":"tasks","prompt_kind":"payment","action":"reset_after_read"})");
    auto doubtful = trigger("again");
    ASSERT_EQ(doubtful.status.code, 13) << doubtful.err;  // in doubt
    outputs = {paid.out, paid.err, doubtful.out, doubtful.err};

    auto args = daemon_args();
    args.env.clear();  // the secret comes from the file only
    child_process daemon(our_binary("paymand"), args);
    daemon.wait_for_line(std::regex("running: "), 30s, true);
    // The daemon fetched its own token and used it (the listing of its reconciliation).
    daemon.wait_for_line(std::regex("ask tsk-\\S+ answered: completed"), 30s, true);
    daemon.send_signal(SIGHUP);
    daemon.wait_for_line(std::regex("reloaded"), 30s, true);
    daemon.send_signal(SIGTERM);
    ASSERT_TRUE(daemon.wait().ok()) << daemon.err();
    outputs.push_back(daemon.out());
    outputs.push_back(daemon.err());
    EXPECT_EQ(ledger_payments(), 2u);

    ASSERT_TRUE(sandbox->stop().ok());  // writes its state file with every token
    auto tokens = issued_tokens();
    ASSERT_GE(tokens.size(), 3u) << "two triggers and the daemon each fetched a token";
    std::vector<std::string> needles = tokens;
    needles.emplace_back(sandbox_client_secret);
    needles.push_back(
        base64_encode(std::string(sandbox_client_id) + ":" + std::string(sandbox_client_secret)));

    std::vector<std::pair<std::string, std::string>> haystacks;
    for (std::size_t i = 0; i < outputs.size(); ++i)
        haystacks.emplace_back("output " + std::to_string(i), outputs[i]);
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(state_dir()))
        if (entry.is_regular_file()) {
            haystacks.emplace_back(entry.path().string(), read_file(entry.path()));
            ++files;
        }
    EXPECT_GE(files, 2u) << "the audit log and the lock at least";
    for (const auto& [where, text] : haystacks)
        for (const auto& needle : needles) {
            ASSERT_FALSE(needle.empty());
            EXPECT_THAT(text, Not(HasSubstr(needle))) << where;
        }
}

// docs/configuration.md: relative paths are resolved against the configuration file's
// directory; that includes the secret file, whatever the working directory.
TEST_F(secrets, a_relative_secret_file_is_read_beside_the_configuration)
{
    auto secret_file = dir.write("client-secret", std::string(sandbox_client_secret) + "\n");
    std::filesystem::permissions(secret_file, std::filesystem::perms::owner_read |
                                                  std::filesystem::perms::owner_write);
    write_config({.secret_source = "{file: client-secret}"});
    auto args = trigger_args("rent");
    args.env.clear();
    args.workdir = "/";
    auto result = run(our_binary("paymand"), args);
    EXPECT_TRUE(result.status.ok()) << result.err;
    EXPECT_EQ(ledger_payments(), 1u);
}

// Issue 18, item 7: a missing or unreadable secret names the configuration key and its line,
// in the daemon, `trigger` and `auth test` alike. Before, only the file or variable was named.
TEST_F(secrets, a_missing_secret_names_the_configuration_key_and_its_line)
{
    write_config({.secret_source = "{file: no-such-secret}"});
    const std::string where = "payman.client_secret (" + config_path().string() + ":4:3): ";
    auto triggered = run(our_binary("paymand"), trigger_args("rent"));
    EXPECT_EQ(triggered.status.code, 69) << triggered.err;
    EXPECT_THAT(triggered.err,
                HasSubstr(where + "cannot open file " + (dir / "no-such-secret").string() +
                          ": No such file or directory"));
    auto tested = run(our_binary("paymand"),
                      paymand_args({"auth", "test", "--config", config_path().string()}));
    EXPECT_THAT(tested.err, HasSubstr(where));

    write_config({.secret_source = "{env: PAYMAND_TEST_UNSET_SECRET}"});
    auto unset = run(our_binary("paymand"), daemon_args());
    EXPECT_EQ(unset.status.code, 69) << unset.err;
    EXPECT_THAT(unset.err, HasSubstr(where + "the client secret is not set: environment variable "
                                             "PAYMAND_TEST_UNSET_SECRET is unset"));
    EXPECT_EQ(ledger_payments(), 0u);
}

// Issue 18, item 6: with the shipped credential setup, a manual command outside the unit says
// the exact systemd-run command that hands it the unit's credential, and given the credential
// directory that command provides (as systemd does: $CREDENTIALS_DIRECTORY/NAME) it works.
TEST_F(secrets, outside_the_unit_a_credential_source_names_the_systemd_run_command)
{
    write_config({.secret_source = "{credential: payman-client-secret}"});
    auto args = paymand_args({"auth", "test", "--config", config_path().string()});
    args.env.clear();
    auto outside = run(our_binary("paymand"), args);
    EXPECT_EQ(outside.status.code, 1) << outside.err;
    EXPECT_THAT(outside.err,
                HasSubstr("CREDENTIALS_DIRECTORY is unset: outside the paymand unit, run the "
                          "command with the unit's credential: sudo systemd-run --pipe --wait "
                          "--quiet --collect -p LoadCredentialEncrypted=payman-client-secret:/etc/"
                          "paymand/credentials/payman-client-secret.cred -- /usr/bin/paymand "
                          "<command>"));

    auto credentials = dir / "credentials";
    std::filesystem::create_directory(credentials);
    auto file = dir.write("credentials/payman-client-secret", std::string(sandbox_client_secret));
    std::filesystem::permissions(file, std::filesystem::perms::owner_read);
    args.env = {"CREDENTIALS_DIRECTORY=" + credentials.string()};
    auto inside = run(our_binary("paymand"), args);
    EXPECT_EQ(inside.status.code, 0) << inside.err;
    EXPECT_THAT(inside.out, HasSubstr("authenticated: access token valid for"));
}

// Owner of a /proc/<pid> entry: the process's effective uid, or root when the process is not
// dumpable (proc(5)), which is what shields its memory and environment from its own uid.
uid_t proc_owner(pid_t pid, std::string_view entry)
{
    struct stat st {};
    auto path = "/proc/" + std::to_string(pid) + "/" + std::string(entry);
    if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + path);
    return st.st_uid;
}

TEST_F(secrets, the_running_daemon_is_not_dumpable_and_its_memory_is_closed_to_its_own_user)
{
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to run the daemon as another user";
    write_config();
    // Run as nobody: the directory is theirs (root would see through every check).
    give_dir_to_nobody();
    auto as_nobody = [&](std::vector<std::string> command) {
        std::vector<std::string> args{"--reuid=65534", "--regid=65534", "--clear-groups"};
        args.insert(args.end(), command.begin(), command.end());
        auto p = daemon_args();
        p.args = std::move(args);
        return p;
    };

    auto run_args = daemon_args();
    std::vector<std::string> command{our_binary("paymand").string()};
    command.insert(command.end(), run_args.args.begin(), run_args.args.end());
    child_process daemon(setpriv, as_nobody(command));
    daemon.wait_for_line(std::regex("running: "), 30s, true);

    // Control: an ordinary process of the same user owns its /proc entries.
    child_process control(setpriv, as_nobody({"/usr/bin/tail", "-f", "/dev/null"}));
    ASSERT_TRUE(eventually([&] { return proc_owner(control.pid(), "mem") == nobody; }));
    EXPECT_EQ(proc_owner(control.pid(), "environ"), nobody);

    EXPECT_EQ(proc_owner(daemon.pid(), "mem"), 0u) << "the daemon is dumpable";
    EXPECT_EQ(proc_owner(daemon.pid(), "environ"), 0u);
    EXPECT_THAT(read_file("/proc/" + std::to_string(daemon.pid()) + "/status"),
                testing::ContainsRegex("Uid:\\s+65534"));

    // Another process of the daemon's own user cannot read its environment (which holds the
    // secret here) while it can read the control's.
    auto peek = [&](pid_t pid) {
        return run(setpriv, as_nobody({"/bin/cat", "/proc/" + std::to_string(pid) + "/environ"}));
    };
    EXPECT_TRUE(peek(control.pid()).status.ok());
    auto denied = peek(daemon.pid());
    EXPECT_FALSE(denied.status.ok());
    EXPECT_THAT(denied.out, Not(HasSubstr(std::string(sandbox_client_secret))));

    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok()) << daemon.err();
}

// Issue 16, item 7: `paymand ask` and `paymand auth test` stayed dumpable, and kept the secret
// in their environment: another process of the same user could read it from
// /proc/PID/environ or their memory. Both run here as nobody, caught mid-request by a stalled
// sandbox, with the secret in PAYMAN_CLIENT_SECRET and in the variable the configuration names.
TEST_F(secrets, ask_and_auth_test_are_not_dumpable_and_drop_the_secret_from_their_environment)
{
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to run the commands as another user";
    write_config();
    give_dir_to_nobody();

    struct command_case {
        std::vector<std::string> args;
        std::string stalled_endpoint;
        std::function<std::int64_t()> requests;
    };
    const command_case cases[] = {
        {{"ask", "--config", config_path().string(), "list all payees"},
         "tasks",
         [&] { return tasks_sent(); }},
        {{"auth", "test", "--config", config_path().string()},
         "token",
         [&] { return token_requests(); }},
    };
    for (const auto& c : cases) {
        sandbox->clear_faults();
        inject(R"({"endpoint":")" + c.stalled_endpoint + R"(","action":"stall"})");
        const auto before = c.requests();
        auto params = paymand_args(
            {"--reuid=65534", "--regid=65534", "--clear-groups", our_binary("paymand").string()});
        params.args.insert(params.args.end(), c.args.begin(), c.args.end());
        params.env.push_back("PAYMAN_CLIENT_SECRET=" + std::string(sandbox_client_secret));
        child_process command(setpriv, params);
        // The request is with the sandbox: the secret was read and used.
        ASSERT_TRUE(eventually([&] { return c.requests() > before; })) << command.err();
        EXPECT_EQ(proc_owner(command.pid(), "mem"), 0u) << c.args[0] << " is dumpable";
        EXPECT_EQ(proc_owner(command.pid(), "environ"), 0u) << c.args[0];
        const auto environ = read_file("/proc/" + std::to_string(command.pid()) + "/environ");
        EXPECT_THAT(environ, Not(HasSubstr(std::string(sandbox_client_secret)))) << c.args[0];
        EXPECT_THAT(environ, HasSubstr("PATH=")) << "the rest of the environment is kept";
    }
}

}  // namespace
}  // namespace paymand::test::faults
