#include "config_test_util.hpp"
#include "paymand/config/daemon_config.hpp"
#include "support/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace paymand::config {
namespace {

using testing::HasSubstr;

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

const char* const minimal = test_util::minimal_config;

struct parsed {
    std::optional<daemon_config> config;
    std::string errors;
};

parsed parse(std::string_view text, const fake_env& env = {})
{
    yaml::diagnostics diags;
    auto config = parse_daemon_config(text, "paymand.yaml", "/etc/paymand", env.lookup(), diags);
    return {std::move(config), diags.to_string()};
}

TEST(daemon_config, the_shipped_example_loads)
{
    yaml::diagnostics diags;
    auto config =
        load_daemon_config(test::source_path("config/paymand.yaml"), fake_env{}.lookup(), diags);
    ASSERT_TRUE(config) << diags.to_string();
    EXPECT_EQ(config->client_id, "pm-test-example-client");
    EXPECT_EQ(config->client_secret.from, secret_source::kind::credential);
    EXPECT_EQ(config->audit_log, "/var/lib/paymand/audit.jsonl");
    EXPECT_EQ(config->policy.timezone, "Europe/Berlin");
    EXPECT_EQ(config->engine.concurrency, 4u);
    EXPECT_EQ(config->sha256.size(), 64u);
}

TEST(daemon_config, minimal_config_gets_the_defaults)
{
    auto p = parse(minimal);
    ASSERT_TRUE(p.config) << p.errors;
    EXPECT_EQ(p.config->rules_directory, "/etc/paymand/rules");
    EXPECT_EQ(p.config->audit_log, "/var/lib/paymand/audit.jsonl");
    EXPECT_EQ(p.config->dry_run_audit_log(), "/var/lib/paymand/audit.dry-run.jsonl");
    EXPECT_EQ(p.config->lock_path(), "/var/lib/paymand/paymand.lock");
    EXPECT_EQ(p.config->client_secret.from, secret_source::kind::automatic);
    EXPECT_TRUE(p.config->policy.any_payee);
    EXPECT_FALSE(p.config->policy.limits.enabled);
    EXPECT_EQ(p.config->engine.retry.max_attempts, 5u);
    EXPECT_EQ(p.config->client.base_url, "http://127.0.0.1:8080/api");
}

TEST(daemon_config, client_id_falls_back_to_the_environment)
{
    std::string text = minimal;
    text.replace(text.find("  client_id: pm-test-abc\n"), 24, "");
    fake_env env{{{"PAYMAN_CLIENT_ID", "pm-test-from-env"}}};
    auto p = parse(text, env);
    ASSERT_TRUE(p.config) << p.errors;
    EXPECT_EQ(p.config->client_id, "pm-test-from-env");
    EXPECT_THAT(parse(text).errors,
                HasSubstr("paymand.yaml:2:3: error: no client id: set payman.client_id or "
                          "PAYMAN_CLIENT_ID"));
}

TEST(daemon_config, reports_every_error_with_its_position_in_one_pass)
{
    auto p = parse(R"(payman:
  environment: staging
  client_id: pm-test-abc
  timeouts: {read: 0s, connect: fast}
rules_directory: rules
state_directory: /var/lib/paymand
payees: any
limits: none
engine:
  concurrency: 0
  colour: blue
)");
    EXPECT_FALSE(p.config);
    EXPECT_THAT(p.errors,
                HasSubstr("paymand.yaml:2:16: error: environment must be 'test' or 'live'"));
    EXPECT_THAT(p.errors, HasSubstr("paymand.yaml:4:20:"));
    EXPECT_THAT(p.errors, HasSubstr("paymand.yaml:4:33:"));
    EXPECT_THAT(p.errors, HasSubstr("paymand.yaml:10:16:"));
    EXPECT_THAT(p.errors, HasSubstr("paymand.yaml:11:3:"));
}

TEST(daemon_config, refuses_test_credentials_on_live)
{
    std::string text = minimal;
    text.replace(text.find("  base_url: http://127.0.0.1:8080/api\n"), 38, "  environment: live\n");
    auto p = parse(text);
    EXPECT_FALSE(p.config);
    EXPECT_THAT(p.errors, HasSubstr("paymand.yaml:2:3: error:"));
}

TEST(daemon_config, refuses_plain_http_beyond_loopback)
{
    std::string text = minimal;
    text.replace(text.find("127.0.0.1"), 9, "payman.example.com");
    auto p = parse(text);
    EXPECT_FALSE(p.config);
    EXPECT_THAT(p.errors, HasSubstr("paymand.yaml:2:13: error: base_url"));
}

TEST(daemon_config, policy_sections_are_required_unless_written_as_none)
{
    auto p = parse(R"(payman: {client_id: pm-test-abc}
rules_directory: rules
state_directory: /s
)");
    EXPECT_FALSE(p.config);
    EXPECT_THAT(p.errors, HasSubstr("payees"));
    EXPECT_THAT(p.errors, HasSubstr("limits"));
}

TEST(daemon_config, secret_source_names_exactly_one_place)
{
    std::string two = minimal;
    two.insert(two.find("rules_directory"), "  client_secret: {env: A, file: /b}\n");
    EXPECT_THAT(parse(two).errors, HasSubstr("exactly one source"));

    std::string file = minimal;
    file.insert(file.find("rules_directory"), "  client_secret: {file: secret}\n");
    auto q = parse(file);
    ASSERT_TRUE(q.config) << q.errors;
    EXPECT_EQ(q.config->client_secret.from, secret_source::kind::file);
    // Relative to the configuration file's directory, like every path in it.
    EXPECT_EQ(q.config->client_secret.name, "/etc/paymand/secret");
}

// Issue 16, item 1: the secret written inline was quoted by the error ("got \"pmsk_...\""), and
// so by `check`, `run` and the reload error in the journal.
TEST(daemon_config, no_diagnostic_quotes_what_is_written_under_client_secret)
{
    const std::string secret = "pmsk_live_0123456789abcdef";
    for (std::string shape :
         {secret, "\"" + secret + "\"", "{" + secret + "}", "{" + secret + ": x}",
          "[" + secret + "]", "{env: " + secret + "-x}", "{env: [" + secret + "]}",
          "{file: {" + secret + ": 1}}", "{credential: a/" + secret + "}",
          "{env: A, value: " + secret + "}", "{env: A, " + secret + ": 1}", "|\n    " + secret}) {
        std::string text = minimal;
        text.insert(text.find("rules_directory"), "  client_secret: " + shape + "\n");
        auto p = parse(text);
        EXPECT_FALSE(p.config) << shape;
        EXPECT_THAT(p.errors, HasSubstr("client_secret")) << shape;
        EXPECT_EQ(p.errors.find("0123456789abcdef"), std::string::npos) << p.errors;
    }
    std::string env = minimal;
    env.insert(env.find("rules_directory"), "  client_secret: {env: PAYMAN_SECRET_2}\n");
    auto ok = parse(env);
    ASSERT_TRUE(ok.config) << ok.errors;
    EXPECT_EQ(ok.config->client_secret.name, "PAYMAN_SECRET_2");
}

TEST(daemon_config, prompt_overrides_are_validated_at_load)
{
    std::string text = minimal;
    text += "prompts:\n  pay: \"pay {{amout}} {{currency}} to {{payee}}\"\n";
    auto p = parse(text);
    EXPECT_FALSE(p.config);
    EXPECT_THAT(p.errors, HasSubstr("paymand.yaml:9:8: error:"));
    EXPECT_THAT(p.errors, HasSubstr("amout"));
}

TEST(daemon_config, unknown_top_level_key_is_an_error)
{
    auto p = parse(std::string(minimal) + "metrics_port: 9464\n");
    EXPECT_FALSE(p.config);
    EXPECT_THAT(p.errors, HasSubstr("paymand.yaml:8:1: error:"));
}

}  // namespace
}  // namespace paymand::config

namespace paymand::config {
namespace {

std::string with_payman(std::string_view extra)
{
    std::string text = minimal;
    const std::string anchor = "  client_id: pm-test-abc\n";
    text.insert(text.find(anchor) + anchor.size(), extra);
    return text;
}

TEST(daemon_config, the_grant_defaults_to_client_credentials)
{
    auto p = parse(minimal);
    ASSERT_TRUE(p.config) << p.errors;
    EXPECT_EQ(p.config->grant.mode, grant_mode::client_credentials);
    EXPECT_EQ(p.config->grant_path(), "/var/lib/paymand/grant.json");
}

TEST(daemon_config, authorization_code_reads_its_keys)
{
    auto p = parse(with_payman("  grant: authorization_code\n"
                               "  redirect_uri: http://127.0.0.1:8421/callback\n"
                               "  authorize_url: http://127.0.0.1:8080/api/oauth/authorize\n"
                               "  pkce: true\n"));
    ASSERT_TRUE(p.config) << p.errors;
    EXPECT_EQ(p.config->grant.mode, grant_mode::authorization_code);
    EXPECT_EQ(p.config->grant.redirect_uri, "http://127.0.0.1:8421/callback");
    EXPECT_EQ(p.config->grant.authorize_url, "http://127.0.0.1:8080/api/oauth/authorize");
    EXPECT_TRUE(p.config->grant.pkce);
}

TEST(daemon_config, a_redirect_uri_must_be_loopback_http_and_is_placed)
{
    auto p = parse(with_payman("  grant: authorization_code\n"
                               "  redirect_uri: https://example.com/callback\n"));
    EXPECT_FALSE(p.config);
    EXPECT_THAT(p.errors, HasSubstr("paymand.yaml:5:17: error: redirect_uri"));
    EXPECT_THAT(p.errors, HasSubstr("loopback"));
}

TEST(daemon_config, flow_keys_without_the_flow_are_refused)
{
    auto p = parse(with_payman("  pkce: true\n"));
    EXPECT_FALSE(p.config);
    EXPECT_THAT(p.errors, HasSubstr("payman.pkce is used by the authorization code flow only"));
    auto bad = parse(with_payman("  grant: password\n"));
    EXPECT_FALSE(bad.config);
    EXPECT_THAT(bad.errors, HasSubstr("paymand.yaml:4:10: error:"));
}

}  // namespace
}  // namespace paymand::config
