// Replacing a small file of the state directory: both durabilities leave the new content whole,
// with the mode asked for whatever the umask, and no temporary file behind.

#include "paymand/daemon/atomic_file.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <fstream>

namespace paymand::daemon {
namespace {

mode_t mode_of(const std::filesystem::path& file)
{
    struct stat st {};
    EXPECT_EQ(::stat(file.c_str(), &st), 0);
    return st.st_mode & 07777;
}

class atomic_file : public ::testing::TestWithParam<durability> {};

TEST_P(atomic_file, replaces_the_content_whole_with_the_mode_asked_for)
{
    paymand::test::temp_dir dir;
    const auto file = dir.path() / "live.json";
    const mode_t old_mask = ::umask(0077);
    ASSERT_TRUE(write_atomically(file, "first", 0644, GetParam()));
    {
        std::ofstream stale(dir.path() / "live.json.tmp");
    }  // a crash's leftover
    ASSERT_TRUE(write_atomically(file, "second\n", 0644, GetParam()));
    ::umask(old_mask);
    EXPECT_EQ(paymand::test::read_file(file), "second\n");
    EXPECT_EQ(mode_of(file), 0644u);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "live.json.tmp"));
}

TEST_P(atomic_file, a_missing_directory_is_an_error_naming_the_file_and_errno)
{
    paymand::test::temp_dir dir;
    const auto file = dir.path() / "gone" / "live.json";
    auto written = write_atomically(file, "x", 0600, GetParam());
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code.value(), ENOENT);
    EXPECT_NE(written.error().message.find((dir.path() / "gone").string()), std::string::npos)
        << written.error().message;
}

INSTANTIATE_TEST_SUITE_P(durabilities, atomic_file,
                         ::testing::Values(durability::synced, durability::replaced_only));

}  // namespace
}  // namespace paymand::daemon
