#include "paymand/config/secret_source.hpp"
#include "support/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

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
