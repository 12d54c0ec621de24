// Opening the state's files (issue 16, item 11): relative to the directory, no symlink, owned
// by root or this process's user, writable by nobody else; and an inbox request (an operator
// verdict) that another user placed is refused.

#include "paymand/audit/state_file.hpp"
#include "paymand/daemon/inbox.hpp"
#include "support/process.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace paymand::audit {
namespace {

using testing::HasSubstr;

constexpr uid_t nobody = 65534;

TEST(state_file, opens_a_file_of_its_own)
{
    test::temp_dir dir;
    auto path = dir.write("audit.jsonl", "x");
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    auto fd = open_state_file(path, O_RDONLY);
    ASSERT_TRUE(fd) << fd.error().message;
    ::close(*fd);
}

TEST(state_file, refuses_a_symlink)
{
    test::temp_dir dir;
    auto target = dir.write("real", "x");
    std::filesystem::create_symlink(target, dir / "audit.jsonl");
    auto fd = open_state_file(dir / "audit.jsonl", O_RDONLY);
    ASSERT_FALSE(fd);
    EXPECT_EQ(fd.error().code, boost::system::errc::too_many_symbolic_link_levels);
    EXPECT_THAT(fd.error().message, HasSubstr("symbolic link"));
}

TEST(state_file, refuses_a_file_others_can_write_or_that_is_no_file)
{
    test::temp_dir dir;
    auto path = dir.write("audit.jsonl", "x");
    ASSERT_EQ(::chmod(path.c_str(), 0666), 0);
    auto fd = open_state_file(path, O_RDONLY);
    ASSERT_FALSE(fd);
    EXPECT_EQ(fd.error().code, audit_errc::untrusted_file);
    EXPECT_THAT(fd.error().message, HasSubstr("chmod go-w " + path.string()));
    ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
    auto fifo = open_state_file(dir / "fifo", O_RDONLY | O_NONBLOCK);
    ASSERT_FALSE(fifo);
    EXPECT_EQ(fifo.error().code, audit_errc::untrusted_file);
}

TEST(state_file, refuses_a_file_of_another_user)
{
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file to another user";
    test::temp_dir dir;
    auto path = dir.write("audit.jsonl", "x");
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    ASSERT_EQ(::chown(path.c_str(), nobody, nobody), 0);
    auto fd = open_state_file(path, O_RDONLY);
    ASSERT_FALSE(fd);
    EXPECT_EQ(fd.error().code, audit_errc::untrusted_file);
    EXPECT_THAT(fd.error().message, HasSubstr("owned by uid 65534"));
}

TEST(state_file, root_may_work_on_the_state_of_the_directory_owner)
{
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    // `paymand audit resolve` as root with the daemon (DynamicUser) stopped.
    test::temp_dir dir;
    auto path = dir.write("audit.jsonl", "x");
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    ASSERT_EQ(::chown(path.c_str(), nobody, nobody), 0);
    ASSERT_EQ(::chown(dir.path().c_str(), nobody, nobody), 0);
    auto fd = open_state_file(path, O_RDONLY);
    ASSERT_TRUE(fd) << fd.error().message;
    ::close(*fd);
}

TEST(state_directory, is_made_0700_and_refused_when_others_can_write_it_or_a_link)
{
    test::temp_dir dir;
    ASSERT_TRUE(make_state_directory(dir / "state", true));
    struct stat st {};
    ASSERT_EQ(::stat((dir / "state").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);

    ASSERT_EQ(::chmod((dir / "state").c_str(), 0777), 0);
    auto open = make_state_directory(dir / "state", true);
    ASSERT_FALSE(open);
    EXPECT_THAT(open.error().message, HasSubstr("chmod go-w"));

    std::filesystem::create_directory(dir / "real");
    std::filesystem::create_directory_symlink(dir / "real", dir / "inbox");
    EXPECT_FALSE(make_state_directory(dir / "inbox", false));
    // The state directory as configured may be a link (systemd's DynamicUser makes one).
    ASSERT_EQ(::chmod((dir / "real").c_str(), 0700), 0);
    EXPECT_TRUE(make_state_directory(dir / "inbox", true));
}

TEST(inbox, a_request_another_user_placed_is_refused)
{
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file to another user";
    test::temp_dir dir;
    auto request =
        dir.write("inbox/00000000000000000001-00000000.json",
                  R"({"occurrence":"rent@2026-12-01T09:00","verdict":"paid","note":"forged"})");
    ASSERT_EQ(::chmod((dir / "inbox").c_str(), 0700), 0);
    auto read = daemon::read_request(request);
    ASSERT_TRUE(read) << read.error().message;
    ASSERT_EQ(::chown(request.c_str(), nobody, nobody), 0);
    read = daemon::read_request(request);
    ASSERT_FALSE(read);
    EXPECT_THAT(read.error().message, HasSubstr("owned by uid 65534"));
    // Nor through a symlink.
    ASSERT_EQ(::chown(request.c_str(), 0, 0), 0);
    std::filesystem::create_symlink(request, dir / "inbox/00000000000000000002-00000000.json");
    EXPECT_FALSE(daemon::read_request(dir / "inbox/00000000000000000002-00000000.json"));
}

}  // namespace
}  // namespace paymand::audit
