// payman.client_id and PAYMAN_CLIENT_ID go into the Basic authorization header of the token
// request: only printable ASCII is accepted, and a refused value is never echoed raw.

#include "paymand/config/daemon_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace paymand::config {
namespace {

using testing::HasSubstr;
using testing::Not;

std::string config_with(std::string_view client_id_line)
{
    return "payman:\n  base_url: http://127.0.0.1:8080/api\n" + std::string(client_id_line) +
           "rules_directory: rules\nstate_directory: /var/lib/paymand\npayees: any\n"
           "limits: none\n";
}

struct parsed_config {
    std::optional<daemon_config> config;
    std::string errors;
};

parsed_config parse_with_env_id(std::string_view text, const char* env_value = nullptr)
{
    const env_lookup env = [env_value](const char* name) -> const char* {
        return std::string_view(name) == "PAYMAN_CLIENT_ID" ? env_value : nullptr;
    };
    yaml::diagnostics diags;
    auto config = parse_daemon_config(text, "paymand.yaml", "/etc/paymand", env, diags);
    return {std::move(config), diags.to_string()};
}

TEST(client_id, printable_ascii_is_accepted)
{
    auto p = parse_with_env_id(config_with("  client_id: \"pm-test-abc_1.2~x\"\n"));
    ASSERT_TRUE(p.config) << p.errors;
    EXPECT_EQ(p.config->client_id, "pm-test-abc_1.2~x");
}

TEST(client_id, cr_lf_is_refused_at_the_value_with_the_byte_named)
{
    auto p = parse_with_env_id(config_with("  client_id: \"pm-test\\r\\nX-Evil: 1\"\n"));
    EXPECT_FALSE(p.config);
    EXPECT_EQ(p.errors, "paymand.yaml:3:14: error: client_id: control character \\x0D (carriage "
                        "return) at byte 7; a client id is printable ASCII\n");
}

TEST(client_id, a_nul_escape_is_refused)
{
    auto p = parse_with_env_id(config_with("  client_id: \"pm-test\\0evil\"\n"));
    EXPECT_FALSE(p.config);
    EXPECT_THAT(p.errors, HasSubstr("client_id: control character \\x00 (NUL) at byte 7"));
}

TEST(client_id, tab_and_delete_are_refused)
{
    EXPECT_THAT(parse_with_env_id(config_with("  client_id: \"pm\\ttest\"\n")).errors,
                HasSubstr("control character \\x09 (tab) at byte 2"));
    EXPECT_THAT(parse_with_env_id(config_with("  client_id: \"pm\\x7Ftest\"\n")).errors,
                HasSubstr("control character \\x7F at byte 2"));
}

TEST(client_id, non_ascii_is_refused)
{
    auto p = parse_with_env_id(config_with("  client_id: pm-t\xC3\xA9st\n"));
    EXPECT_FALSE(p.config);
    EXPECT_THAT(p.errors, HasSubstr("client_id: non-ASCII byte \\xC3 at byte 4"));
}

TEST(client_id, a_refused_file_value_does_not_fall_back_to_the_environment)
{
    auto p = parse_with_env_id(config_with("  client_id: \"pm-test\\n\"\n"), "pm-test-from-env");
    EXPECT_FALSE(p.config);
    EXPECT_THAT(p.errors, Not(HasSubstr("no client id")));
}

TEST(client_id, a_bad_environment_value_is_refused_without_showing_it)
{
    auto p = parse_with_env_id(config_with(""), "pm-test\r\nX-Evil: 1");
    EXPECT_FALSE(p.config);
    EXPECT_EQ(p.errors, "paymand.yaml:2:3: error: the environment variable PAYMAN_CLIENT_ID has a "
                        "control character \\x0D (carriage return) at byte 7; a client id is "
                        "printable ASCII (value not shown)\n");
    EXPECT_THAT(p.errors, Not(HasSubstr("X-Evil")));
}

TEST(client_id, a_good_environment_value_is_used)
{
    auto p = parse_with_env_id(config_with(""), "pm-test-env");
    ASSERT_TRUE(p.config) << p.errors;
    EXPECT_EQ(p.config->client_id, "pm-test-env");
}

}  // namespace
}  // namespace paymand::config
