// Picking the base URL, and reading settings from the environment.

#include "paymand/payman/environment.hpp"
#include "paymand/payman/settings.hpp"

#include <gtest/gtest.h>

#include <map>

namespace paymand::payman {
namespace {

TEST(environment, a_test_id_defaults_to_test)
{
    EXPECT_EQ(select_base_url(std::nullopt, std::nullopt, "pm-test-abc").value(),
              "https://agent.payman.dev/api");
}

TEST(environment, other_ids_default_to_live)
{
    EXPECT_EQ(select_base_url(std::nullopt, std::nullopt, "pm-live-abc").value(),
              "https://agent.payman.ai/api");
}

TEST(environment, an_explicit_environment_wins)
{
    EXPECT_EQ(select_base_url(environment::test, std::nullopt, "abc").value(),
              "https://agent.payman.dev/api");
    EXPECT_EQ(select_base_url(environment::live, std::nullopt, "abc").value(),
              "https://agent.payman.ai/api");
}

TEST(environment, a_test_id_on_live_is_refused)
{
    auto r = select_base_url(environment::live, std::nullopt, "pm-test-abc");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, payman_errc::test_credentials_on_live);
    EXPECT_NE(r.error().message.find("pm-test-"), std::string::npos);
}

TEST(environment, a_base_url_overrides_both)
{
    EXPECT_EQ(select_base_url(environment::test, std::string("http://127.0.0.1:1/api"), "pm-test-x")
                  .value(),
              "http://127.0.0.1:1/api");
    EXPECT_EQ(
        select_base_url(std::nullopt, std::string("http://127.0.0.1:1/api"), "live-id").value(),
        "http://127.0.0.1:1/api");
}

TEST(environment, names_are_exact)
{
    EXPECT_EQ(parse_environment("test").value(), environment::test);
    EXPECT_EQ(parse_environment("live").value(), environment::live);
    EXPECT_FALSE(parse_environment("Live"));
    EXPECT_FALSE(parse_environment("prod"));
    EXPECT_FALSE(parse_environment(""));
}

struct fake_env {
    std::map<std::string, std::string> vars;
    env_lookup lookup() const
    {
        return [this](const char* name) -> const char* {
            auto it = vars.find(name);
            return it == vars.end() ? nullptr : it->second.c_str();
        };
    }
};

TEST(settings, read_everything_from_the_environment)
{
    fake_env env{{{"PAYMAN_CLIENT_ID", "pm-test-client"},
                  {"PAYMAN_CLIENT_SECRET", "s3"},
                  {"PAYMAN_ENVIRONMENT", "test"},
                  {"PAYMAN_BASE_URL", "http://127.0.0.1:9/api"},
                  {"PAYMAN_CA_FILE", "/tmp/ca.pem"}}};
    auto s = settings_from_environment(env.lookup());
    ASSERT_TRUE(s) << s.error().what();
    EXPECT_EQ(s->client_id, "pm-test-client");
    EXPECT_EQ(s->client_secret.expose(), "s3");
    EXPECT_EQ(s->environment, environment::test);
    EXPECT_EQ(s->base_url, "http://127.0.0.1:9/api");
    EXPECT_EQ(s->ca_file, std::filesystem::path("/tmp/ca.pem"));
}

TEST(settings, optional_variables_may_be_unset_or_empty)
{
    fake_env env{
        {{"PAYMAN_CLIENT_ID", "id"}, {"PAYMAN_CLIENT_SECRET", "s"}, {"PAYMAN_BASE_URL", ""}}};
    auto s = settings_from_environment(env.lookup());
    ASSERT_TRUE(s);
    EXPECT_FALSE(s->environment);
    EXPECT_FALSE(s->base_url);
    EXPECT_FALSE(s->ca_file);
}

TEST(settings, missing_credentials_name_the_variable)
{
    auto no_id = settings_from_environment(fake_env{{{"PAYMAN_CLIENT_SECRET", "s"}}}.lookup());
    ASSERT_FALSE(no_id);
    EXPECT_EQ(no_id.error().code, payman_errc::missing_client_id);
    EXPECT_NE(no_id.error().message.find("PAYMAN_CLIENT_ID"), std::string::npos);

    auto no_secret = settings_from_environment(fake_env{{{"PAYMAN_CLIENT_ID", "id"}}}.lookup());
    ASSERT_FALSE(no_secret);
    EXPECT_EQ(no_secret.error().code, payman_errc::missing_client_secret);
    EXPECT_NE(no_secret.error().message.find("PAYMAN_CLIENT_SECRET"), std::string::npos);
}

TEST(settings, a_bad_environment_name_is_refused)
{
    auto s = settings_from_environment(fake_env{
        {{"PAYMAN_CLIENT_ID", "id"},
         {"PAYMAN_CLIENT_SECRET", "s"},
         {"PAYMAN_ENVIRONMENT", "prod"}}}.lookup());
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, payman_errc::unknown_environment);
    EXPECT_NE(s.error().message.find("PAYMAN_ENVIRONMENT"), std::string::npos);
}

}  // namespace
}  // namespace paymand::payman
