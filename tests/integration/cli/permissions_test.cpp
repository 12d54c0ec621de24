// Issue 16, item 2: the configuration, the rule files and their directory are refused when
// another local user could change them (StrictModes), with the exact chmod or chown to run,
// unless PAYMAND_INSECURE_PERMISSIONS=1 (development trees only). Before, a world-writable
// paymand.yaml was rewritten by another user to send the secret to their server, and a
// writable rules directory let anyone add a pay rule.

#include "support/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace paymand::test {
namespace {

using testing::HasSubstr;
using testing::Not;

constexpr uid_t nobody = 65534;

class permissions_test : public testing::Test {
protected:
    temp_dir dir;

    void SetUp() override
    {
        dir.write("rules/main.yaml", R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00}
)");
        dir.write("paymand.yaml",
                  "payman:\n  base_url: http://127.0.0.1:9\n  client_id: pm-test-client\n"
                  "rules_directory: rules\nstate_directory: state\ntimezone: UTC\n"
                  "payees: [John Doe]\nlimits: none\n");
    }

    run_result check(std::vector<std::string> env = {})
    {
        return run(our_binary("paymand"),
                   {.args = {"check", "--config", (dir / "paymand.yaml").string()},
                    .env = std::move(env),
                    .unset_env = {"PAYMAND_INSECURE_PERMISSIONS"}});
    }
};

TEST_F(permissions_test, files_of_the_usual_modes_are_accepted)
{
    // umask-made 0644 files, 0755 directories, the 0700 temporary directory, /tmp (sticky).
    auto r = check();
    EXPECT_TRUE(r.status.ok()) << r.err;
}

TEST_F(permissions_test, a_configuration_writable_by_others_is_refused_with_the_chmod_to_run)
{
    const auto config = dir / "paymand.yaml";
    for (mode_t mode : {0666, 0646, 0664, 0620}) {
        ASSERT_EQ(::chmod(config.c_str(), mode), 0);
        auto r = check();
        EXPECT_FALSE(r.status.ok()) << std::oct << mode;
        EXPECT_THAT(r.err, HasSubstr("chmod go-w " + config.string())) << r.err;
        EXPECT_THAT(r.err, HasSubstr(config.string() + ":1:1: error:")) << r.err;
    }
}

TEST_F(permissions_test, a_rules_directory_or_rule_file_writable_by_others_is_refused)
{
    const auto rules = dir / "rules";
    ASSERT_EQ(::chmod(rules.c_str(), 0777), 0);
    auto r = check();
    EXPECT_FALSE(r.status.ok());
    EXPECT_THAT(r.err, HasSubstr("chmod go-w " + rules.string())) << r.err;
    // Sticky does not help a rules directory: anyone could still add a rule file.
    ASSERT_EQ(::chmod(rules.c_str(), 01777), 0);
    EXPECT_FALSE(check().status.ok());
    ASSERT_EQ(::chmod(rules.c_str(), 0755), 0);

    const auto file = rules / "main.yaml";
    ASSERT_EQ(::chmod(file.c_str(), 0664), 0);
    r = check();
    EXPECT_FALSE(r.status.ok());
    EXPECT_THAT(r.err, HasSubstr("chmod go-w " + file.string())) << r.err;
}

TEST_F(permissions_test, a_directory_above_writable_by_others_is_refused)
{
    ASSERT_EQ(::chmod(dir.path().c_str(), 0777), 0);
    auto r = check();
    EXPECT_FALSE(r.status.ok());
    EXPECT_THAT(r.err, HasSubstr("chmod go-w " + dir.path().string())) << r.err;
    ASSERT_EQ(::chmod(dir.path().c_str(), 0700), 0);
}

TEST_F(permissions_test, files_owned_by_another_user_are_refused_with_the_chown_to_run)
{
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give files to another user";
    // Another user drops a pay rule of their own into the (root's) rules directory.
    const auto planted = dir.write("rules/planted.yaml", R"(rules:
  - id: theirs
    schedule: daily at 09:00
    pay: {payee: John Doe, amount: 999.00}
)");
    ASSERT_EQ(::chown(planted.c_str(), nobody, nobody), 0);
    auto r = check();
    EXPECT_FALSE(r.status.ok());
    EXPECT_THAT(r.err, HasSubstr(planted.string() + " is owned by nobody (uid 65534)")) << r.err;
    EXPECT_THAT(r.err, HasSubstr("chown root " + planted.string())) << r.err;
    std::filesystem::remove(planted);

    const auto config = dir / "paymand.yaml";
    ASSERT_EQ(::chown(config.c_str(), nobody, nobody), 0);
    r = check();
    EXPECT_FALSE(r.status.ok());
    EXPECT_THAT(r.err, HasSubstr("chown root " + config.string())) << r.err;
}

TEST_F(permissions_test, as_another_user_their_own_files_are_accepted_and_roots_too)
{
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to run as another user";
    // The daemon's user owns its tree (as in a development checkout); root's /tmp above it.
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path()))
        ASSERT_EQ(::chown(entry.path().c_str(), nobody, nobody), 0);
    ASSERT_EQ(::chown(dir.path().c_str(), nobody, nobody), 0);
    auto as_nobody = [&] {
        return run("/usr/bin/setpriv", {.args = {"--reuid=65534", "--regid=65534", "--clear-groups",
                                                 our_binary("paymand").string(), "check",
                                                 "--config", (dir / "paymand.yaml").string()},
                                        .unset_env = {"PAYMAND_INSECURE_PERMISSIONS"}});
    };
    auto r = as_nobody();
    EXPECT_TRUE(r.status.ok()) << r.err;
    // A file of a third user (here: root's file is fine, so give one to uid 12345).
    ASSERT_EQ(::chown((dir / "rules/main.yaml").c_str(), 12345, 12345), 0);
    r = as_nobody();
    EXPECT_FALSE(r.status.ok());
    EXPECT_THAT(r.err, HasSubstr("(uid 12345), not by root or the daemon's user nobody")) << r.err;
}

// Issue 18, item 7: a rule file the user cannot read says why and what to do; before, it was
// "cannot open file for reading".
TEST_F(permissions_test, an_unreadable_rule_file_names_the_errno_its_mode_and_owner_and_the_fix)
{
    ASSERT_EQ(::geteuid(), 0u) << "this test runs `paymand check` as the unprivileged user "
                                  "nobody (setpriv), which needs root: run it as root, as CI does";
    ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
    ASSERT_EQ(::chmod((dir / "paymand.yaml").c_str(), 0644), 0);
    ASSERT_EQ(::chmod((dir / "rules").c_str(), 0755), 0);
    const auto file = dir / "rules/main.yaml";
    ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
    auto r = run("/usr/bin/setpriv", {.args = {"--reuid=65534", "--regid=65534", "--clear-groups",
                                               our_binary("paymand").string(), "check", "--config",
                                               (dir / "paymand.yaml").string()},
                                      .unset_env = {"PAYMAND_INSECURE_PERMISSIONS"}});
    EXPECT_EQ(r.status.code, 1);
    EXPECT_THAT(r.err, HasSubstr(file.string() + ":1:1: error: cannot read " + file.string() +
                                 ": Permission denied (EACCES); " + file.string() +
                                 " is mode 0600, owner root, group root: run `sudo paymand "
                                 "check`, or make it readable: chmod a+r " +
                                 file.string()))
        << r.err;
}

// Issue 18, item 7: the configuration too; before, "cannot read the configuration file",
// with neither the errno nor what to do. `auth test` reads the same file by default as every
// other command (item 6).
TEST_F(permissions_test, an_unreadable_configuration_names_the_errno_its_mode_and_owner_and_the_fix)
{
    ASSERT_EQ(::geteuid(), 0u) << "this test runs `paymand check` as the unprivileged user "
                                  "nobody (setpriv), which needs root: run it as root, as CI does";
    ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
    const auto config = dir / "paymand.yaml";
    ASSERT_EQ(::chmod(config.c_str(), 0600), 0);
    const std::string expected =
        config.string() + ":1:1: error: cannot read " + config.string() +
        ": Permission denied (EACCES); " + config.string() +
        " is mode 0600, owner root, group root: run `sudo paymand check --config " +
        config.string() + "`, or make it readable: chmod a+r " + config.string();
    for (std::vector<std::string> command :
         {std::vector<std::string>{"check"}, std::vector<std::string>{"auth", "test"}}) {
        std::vector<std::string> args{"--reuid=65534", "--regid=65534", "--clear-groups",
                                      our_binary("paymand").string()};
        args.insert(args.end(), command.begin(), command.end());
        args.insert(args.end(), {"--config", config.string()});
        auto r =
            run("/usr/bin/setpriv", {.args = args, .unset_env = {"PAYMAND_INSECURE_PERMISSIONS"}});
        EXPECT_EQ(r.status.code, 1) << command[0];
        EXPECT_THAT(r.err, HasSubstr(expected)) << command[0] << ": " << r.err;
    }
}

TEST(default_configuration, auth_test_reads_etc_paymand_paymand_yaml_like_every_command)
{
    const std::filesystem::path installed = "/etc/paymand/paymand.yaml";
    ASSERT_FALSE(std::filesystem::exists(installed))
        << "this test needs a machine without " << installed
        << " (it shows which file a command reads when given none); CI has none";
    for (std::vector<std::string> args :
         {std::vector<std::string>{"auth", "test"}, {"check"}, {"status"}}) {
        auto r = run(our_binary("paymand"),
                     {.args = args, .unset_env = {"PAYMAN_CLIENT_ID", "PAYMAN_CLIENT_SECRET"}});
        EXPECT_NE(r.status.code, 0) << args[0];
        EXPECT_THAT(r.err, HasSubstr(installed.string() + ":1:1: error: cannot read " +
                                     installed.string() + ": No such file or directory (ENOENT)"))
            << args[0] << ": " << r.err;
    }
}

TEST_F(permissions_test, the_development_opt_out_turns_the_check_off)
{
    ASSERT_EQ(::chmod((dir / "paymand.yaml").c_str(), 0666), 0);
    ASSERT_EQ(::chmod((dir / "rules").c_str(), 0777), 0);
    EXPECT_FALSE(check().status.ok());
    auto r = check({"PAYMAND_INSECURE_PERMISSIONS=1"});
    EXPECT_TRUE(r.status.ok()) << r.err;
    // Anything but exactly 1 keeps the check.
    EXPECT_FALSE(check({"PAYMAND_INSECURE_PERMISSIONS=yes"}).status.ok());
}

}  // namespace
}  // namespace paymand::test
