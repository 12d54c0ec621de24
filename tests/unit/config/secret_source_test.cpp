#include "paymand/config/secret_source.hpp"
#include "support/process.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <future>
#include <map>

namespace paymand::config {
namespace {

using testing::HasSubstr;
using testing::Not;

const std::string secret_value = "s3cr3t-value-never-printed";

env_lookup env_of(const std::map<std::string, std::string>& vars)
{
    return [vars](const char* name) -> const char* {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    };
}

std::filesystem::path private_file(const test::temp_dir& dir, std::string_view name,
                                   std::string_view content, mode_t mode)
{
    auto path = dir.write(name, content);
    ::chmod(path.c_str(), mode);
    return path;
}

TEST(secret_source, reads_a_named_environment_variable)
{
    auto s = load_secret({secret_source::kind::environment, "MY_SECRET"},
                         env_of({{"MY_SECRET", secret_value}}));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->expose(), secret_value);
}

TEST(secret_source, unset_or_empty_variable_is_an_error_naming_it)
{
    auto unset = load_secret({secret_source::kind::environment, "MY_SECRET"}, env_of({}));
    ASSERT_FALSE(unset);
    EXPECT_THAT(unset.error().message, HasSubstr("MY_SECRET"));
    auto empty =
        load_secret({secret_source::kind::environment, "MY_SECRET"}, env_of({{"MY_SECRET", ""}}));
    EXPECT_FALSE(empty);
}

TEST(secret_source, reads_a_private_file_without_its_trailing_newline)
{
    test::temp_dir dir;
    auto path = private_file(dir, "secret", secret_value + "\n", 0600);
    auto s = load_secret({secret_source::kind::file, path.string()}, env_of({}));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->expose(), secret_value);
}

TEST(secret_source, refuses_a_file_readable_by_group_or_others_without_leaking_it)
{
    test::temp_dir dir;
    for (mode_t mode : {0640, 0604, 0644, 0660}) {
        auto path = private_file(dir, "secret", secret_value, mode);
        auto s = load_secret({secret_source::kind::file, path.string()}, env_of({}));
        ASSERT_FALSE(s) << std::oct << mode;
        EXPECT_THAT(s.error().message, HasSubstr("chmod 600"));
        EXPECT_THAT(s.error().message, Not(HasSubstr(secret_value)));
    }
}

TEST(secret_source, refuses_a_symlink_and_a_directory)
{
    test::temp_dir dir;
    auto target = private_file(dir, "secret", secret_value, 0600);
    std::filesystem::create_symlink(target, dir / "link");
    EXPECT_FALSE(load_secret({secret_source::kind::file, (dir / "link").string()}, env_of({})));
    EXPECT_FALSE(load_secret({secret_source::kind::file, dir.path().string()}, env_of({})));
}

TEST(secret_source, reads_a_systemd_credential)
{
    test::temp_dir dir;
    private_file(dir, "payman-client-secret", secret_value, 0440);
    auto s = load_secret({secret_source::kind::credential, "payman-client-secret"},
                         env_of({{"CREDENTIALS_DIRECTORY", dir.path().string()}}));
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->expose(), secret_value);
    auto outside =
        load_secret({secret_source::kind::credential, "payman-client-secret"}, env_of({}));
    ASSERT_FALSE(outside);
    EXPECT_THAT(outside.error().message, HasSubstr("CREDENTIALS_DIRECTORY is unset"));
}

TEST(secret_source, automatic_prefers_the_environment_then_the_credential)
{
    test::temp_dir dir;
    private_file(dir, "payman-client-secret", "from-credential", 0400);
    auto from_env = load_secret({}, env_of({{"PAYMAN_CLIENT_SECRET", "from-env"},
                                            {"CREDENTIALS_DIRECTORY", dir.path().string()}}));
    ASSERT_TRUE(from_env);
    EXPECT_EQ(from_env->expose(), "from-env");
    auto from_credential =
        load_secret({}, env_of({{"CREDENTIALS_DIRECTORY", dir.path().string()}}));
    ASSERT_TRUE(from_credential);
    EXPECT_EQ(from_credential->expose(), "from-credential");
    auto nowhere = load_secret({}, env_of({}));
    ASSERT_FALSE(nowhere);
    EXPECT_THAT(nowhere.error().message, HasSubstr("PAYMAN_CLIENT_SECRET"));
}

TEST(secret_source, refuses_an_oversized_file)
{
    test::temp_dir dir;
    auto path = private_file(dir, "secret", std::string(10000, 'x'), 0600);
    auto s = load_secret({secret_source::kind::file, path.string()}, env_of({}));
    ASSERT_FALSE(s);
    EXPECT_THAT(s.error().message, HasSubstr("not a client secret"));
}

}  // namespace
}  // namespace paymand::config

namespace paymand::config {
namespace {

constexpr uid_t nobody = 65534;

// Issue 16, item 10: a FIFO in place of the secret file hung start-up in open(2).
TEST(secret_source, a_fifo_is_refused_at_once_instead_of_hanging)
{
    test::temp_dir dir;
    const auto fifo = dir / "secret";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    auto pending = std::async(std::launch::async, [&] {
        return load_secret({secret_source::kind::file, fifo.string()}, env_of({}));
    });
    if (pending.wait_for(std::chrono::seconds(2)) != std::future_status::ready) {
        // Release the blocked open(2) so that the test can end, then fail.
        const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        if (writer >= 0) ::close(writer);
        ADD_FAILURE() << "opening a FIFO as the secret file blocked";
    }
    auto s = pending.get();
    ASSERT_FALSE(s);
    EXPECT_THAT(s.error().message, HasSubstr("not a regular file"));
}

TEST(secret_source, refuses_a_file_owned_by_another_user)
{
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file to another user";
    test::temp_dir dir;
    auto path = private_file(dir, "secret", secret_value, 0600);
    ASSERT_EQ(::chown(path.c_str(), nobody, nobody), 0);
    auto s = load_secret({secret_source::kind::file, path.string()}, env_of({}));
    ASSERT_FALSE(s);
    EXPECT_THAT(s.error().message, HasSubstr("owned by uid 65534"));
    EXPECT_THAT(s.error().message, HasSubstr("chown 0 " + path.string()));
    EXPECT_THAT(s.error().message, Not(HasSubstr(secret_value)));
}

TEST(secret_source, refuses_a_file_in_a_directory_others_can_write)
{
    test::temp_dir dir;
    auto path = private_file(dir, "secret", secret_value, 0600);
    for (mode_t mode : {0777, 0770, 0722, 01777}) {
        ASSERT_EQ(::chmod(dir.path().c_str(), mode), 0);
        auto s = load_secret({secret_source::kind::file, path.string()}, env_of({}));
        ASSERT_FALSE(s) << std::oct << mode;
        EXPECT_THAT(s.error().message, HasSubstr("chmod go-w " + dir.path().string()));
    }
    ASSERT_EQ(::chmod(dir.path().c_str(), 0700), 0);
    EXPECT_TRUE(load_secret({secret_source::kind::file, path.string()}, env_of({})));
}

TEST(secret_source, forgetting_the_environment_wipes_the_value_in_place)
{
    ASSERT_EQ(::setenv("PAYMAND_TEST_FORGET", secret_value.c_str(), 1), 0);
    ASSERT_EQ(::setenv("PAYMAN_CLIENT_SECRET", secret_value.c_str(), 1), 0);
    char* held = ::getenv("PAYMAND_TEST_FORGET");
    ASSERT_NE(held, nullptr);
    const std::size_t size = std::strlen(held);
    forget_secret_environment({secret_source::kind::environment, "PAYMAND_TEST_FORGET"});
    EXPECT_EQ(::getenv("PAYMAND_TEST_FORGET"), nullptr);
    EXPECT_EQ(::getenv("PAYMAN_CLIENT_SECRET"), nullptr);
    // The bytes the process environment held (what /proc/PID/environ shows) are zeroes now.
    EXPECT_EQ(std::string(held, size), std::string(size, '\0'));
}

}  // namespace
}  // namespace paymand::config
