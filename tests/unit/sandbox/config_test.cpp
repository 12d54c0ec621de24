#include "sandbox/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paymand::sandbox {
namespace {

using ::testing::HasSubstr;

constexpr const char* minimal = R"(clients:
  - id: pm-test-a
    secret: s
)";

TEST(SandboxConfig, MinimalConfigGetsDefaults)
{
    auto r = parse_config(minimal, "sandbox.yaml");
    ASSERT_TRUE(r.config) << r.errors.front();
    EXPECT_EQ(r.config->listen_host, "127.0.0.1");
    EXPECT_EQ(r.config->listen_port, 0);
    ASSERT_EQ(r.config->clients.size(), 1u);
    EXPECT_EQ(r.config->clients[0].scopes.size(), 7u);
    EXPECT_EQ(r.config->clients[0].token_lifetime_s, 3600);
    EXPECT_FALSE(r.config->clients[0].per_transaction_limit);
}

TEST(SandboxConfig, FullExampleParses)
{
    auto r = load_config(std::string(PAYMAND_SOURCE_DIR) + "/config/sandbox.yaml");
    ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors.front());
    EXPECT_EQ(r.config->clients[0].per_transaction_limit, 50000);
    EXPECT_EQ(r.config->wallets[0].name, "Operations");
    EXPECT_EQ(r.config->wallets[0].balance, 100000);
    EXPECT_EQ(r.config->wallets[0].paytag, "operations-tsd");
    EXPECT_EQ(r.config->clients[1].scopes.size(), 4u);
}

TEST(SandboxConfig, UnknownKeyIsAnErrorWithPosition)
{
    auto r = parse_config("clients:\n  - id: a\n    secret: s\n    colour: red\n", "c.yaml");
    ASSERT_FALSE(r.config);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_THAT(r.errors[0], HasSubstr("c.yaml:4:5: error: unknown key 'colour' in client"));
}

TEST(SandboxConfig, ReportsEveryErrorInOnePass)
{
    auto r = parse_config(R"(listen: nowhere
clients:
  - id: a
    secret: s
    scopes: read_balance,fly
    token_lifetime: -3
wallets:
  - name: W
    balance: 10.001
  - name: W
payees:
  - name: P
    email: not-an-email
)",
                          "c.yaml");
    ASSERT_FALSE(r.config);
    EXPECT_EQ(r.errors.size(), 6u);
    EXPECT_THAT(r.errors[0], HasSubstr("c.yaml:1:9: error: listen must be HOST:PORT"));
    EXPECT_THAT(r.errors[1], HasSubstr("unknown scope 'fly'"));
    EXPECT_THAT(r.errors[2], HasSubstr("token_lifetime"));
    EXPECT_THAT(r.errors[3], HasSubstr("c.yaml:9:14: error: wallet balance '10.001'"));
    EXPECT_THAT(r.errors[4], HasSubstr("duplicate wallet name 'W'"));
    EXPECT_THAT(r.errors[5], HasSubstr("payee email 'not-an-email'"));
}

TEST(SandboxConfig, ClientsAreRequired)
{
    auto r = parse_config("listen: 127.0.0.1:0\n", "c.yaml");
    ASSERT_FALSE(r.config);
    EXPECT_THAT(r.errors[0], HasSubstr("missing required key 'clients'"));
}

TEST(SandboxConfig, SyntaxErrorHasPosition)
{
    auto r = parse_config("clients: [\n", "c.yaml");
    ASSERT_FALSE(r.config);
    EXPECT_THAT(r.errors[0], HasSubstr("c.yaml:"));
}

TEST(SandboxConfig, RedirectUrisMustBeAbsolute)
{
    auto r = parse_config("clients:\n  - id: a\n    secret: s\n    redirect_uris: [/callback]\n",
                          "c.yaml");
    ASSERT_FALSE(r.config);
    EXPECT_THAT(r.errors[0], HasSubstr("absolute http(s) URL"));
}

TEST(SandboxConfig, QuotedNumbersAreNotIntegers)
{
    auto r = parse_config("clients:\n  - id: a\n    secret: s\n    token_lifetime: \"60\"\n", "c");
    EXPECT_FALSE(r.config);
}

TEST(SandboxConfig, ListenAddress)
{
    std::string host;
    std::uint16_t port = 1;
    EXPECT_TRUE(parse_listen("127.0.0.1:8080", host, port));
    EXPECT_EQ(host, "127.0.0.1");
    EXPECT_EQ(port, 8080);
    EXPECT_TRUE(parse_listen("localhost:0", host, port));
    EXPECT_EQ(host, "127.0.0.1");
    EXPECT_FALSE(parse_listen("127.0.0.1", host, port));
    EXPECT_FALSE(parse_listen("127.0.0.1:70000", host, port));
    EXPECT_FALSE(parse_listen("1.2.3:80", host, port));
    EXPECT_FALSE(parse_listen("example.com:80", host, port));
}

}  // namespace
}  // namespace paymand::sandbox
