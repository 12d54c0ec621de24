// Issue 16, item 11: outside systemd, an audit log owned by another user, or a symlink as
// <state>/inbox, was accepted; through the inbox a local user recorded an operator verdict.
// The state directory is created 0700; the audit log and the lock are opened relative to it,
// O_NOFOLLOW, and must be root's or the daemon's user's; the inbox must be a real directory.

#include "fault_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace paymand::test::faults {
namespace {

using testing::HasSubstr;

class state_directory : public fault_test {};

TEST_F(state_directory, is_created_private)
{
    write_config();
    auto r = trigger("rent");
    ASSERT_TRUE(r.status.ok()) << r.err;
    struct stat st {};
    ASSERT_EQ(::stat(state_dir().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    ASSERT_EQ(::stat((state_dir() / "inbox").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    ASSERT_EQ(::stat(audit_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(state_directory, an_inbox_that_is_a_symlink_is_refused)
{
    write_config();
    // Another user's directory, linked in as the inbox before the daemon ever ran.
    temp_dir elsewhere;
    ASSERT_EQ(::chmod(elsewhere.path().c_str(), 0777), 0);
    std::filesystem::create_directories(state_dir());
    ASSERT_EQ(::chmod(state_dir().c_str(), 0700), 0);
    std::filesystem::create_directory_symlink(elsewhere.path(), state_dir() / "inbox");
    auto r = trigger("rent");
    EXPECT_EQ(r.status.code, 73) << r.err;  // EX_CANTCREAT
    EXPECT_THAT(r.err, HasSubstr("symbolic link")) << r.err;
    EXPECT_EQ(tasks_sent(), 0);
}

TEST_F(state_directory, a_state_directory_others_can_write_is_refused)
{
    write_config();
    std::filesystem::create_directories(state_dir());
    ASSERT_EQ(::chmod(state_dir().c_str(), 0777), 0);
    auto r = trigger("rent");
    EXPECT_EQ(r.status.code, 73) << r.err;
    EXPECT_THAT(r.err, HasSubstr("chmod go-w " + state_dir().string())) << r.err;
    EXPECT_EQ(tasks_sent(), 0);
}

TEST_F(state_directory, an_audit_log_or_lock_owned_by_another_user_is_refused)
{
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give files to another user";
    write_config();
    ASSERT_TRUE(trigger("rent").status.ok());
    for (const auto& file : {audit_path(), state_dir() / "paymand.lock"}) {
        ASSERT_EQ(::chown(file.c_str(), nobody, nobody), 0);
        auto r = trigger("again");
        EXPECT_EQ(r.status.code, 73) << r.err;
        EXPECT_THAT(r.err, HasSubstr(file.string() + " is owned by uid 65534")) << r.err;
        ASSERT_EQ(::chown(file.c_str(), 0, 0), 0);
    }
    EXPECT_EQ(ledger_payments(), 1u);
}

TEST_F(state_directory, an_audit_log_that_is_a_symlink_is_refused)
{
    write_config();
    std::filesystem::create_directories(state_dir());
    ASSERT_EQ(::chmod(state_dir().c_str(), 0700), 0);
    temp_dir elsewhere;
    auto target = elsewhere.write("audit.jsonl", "");
    std::filesystem::create_symlink(target, audit_path());
    auto r = trigger("rent");
    EXPECT_EQ(r.status.code, 73) << r.err;
    EXPECT_THAT(r.err, HasSubstr("symbolic link")) << r.err;
    EXPECT_EQ(tasks_sent(), 0);
}

}  // namespace
}  // namespace paymand::test::faults
