// Constructing a client validates its configuration without opening anything.

#include "paymand/payman/client.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <sstream>

namespace paymand::payman {
namespace {

class client_construction : public testing::Test {
protected:
    boost::asio::io_context io;
};

TEST_F(client_construction, picks_the_test_environment_for_a_test_id)
{
    auto c = client::with_credentials(io.get_executor(), {}, "pm-test-abc", secret("s"));
    ASSERT_TRUE(c) << c.error().what();
    EXPECT_EQ(c->base_url(), "https://agent.payman.dev/api");
    EXPECT_EQ(c->stats().token_requests, 0u);
    EXPECT_EQ(io.poll(), 0u);  // nothing was started
}

TEST_F(client_construction, refuses_a_test_id_on_live)
{
    client_config config;
    config.environment = environment::live;
    auto c = client::with_credentials(io.get_executor(), config, "pm-test-abc", secret("s"));
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, payman_errc::test_credentials_on_live);
}

TEST_F(client_construction, refuses_plain_http_to_a_remote_host)
{
    client_config config;
    config.base_url = "http://agent.payman.ai/api";
    auto c = client::with_credentials(io.get_executor(), config, "id", secret("s"));
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, payman_errc::plain_http_refused);
}

TEST_F(client_construction, allows_plain_http_to_loopback)
{
    for (std::string url :
         {"http://127.0.0.1:8080/api", "http://localhost:1/api", "http://[::1]:2/api"}) {
        client_config config;
        config.base_url = url;
        auto c = client::with_credentials(io.get_executor(), config, "id", secret("s"));
        ASSERT_TRUE(c) << url << ": " << c.error().what();
        EXPECT_EQ(c->base_url(), url);
    }
}

TEST_F(client_construction, refuses_a_bad_base_url_naming_it)
{
    client_config config;
    config.base_url = "ftp://example.com/api";
    auto c = client::with_credentials(io.get_executor(), config, "id", secret("s"));
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, payman_errc::invalid_base_url);
    EXPECT_NE(c.error().message.find("ftp://example.com/api"), std::string::npos);
}

TEST_F(client_construction, refuses_an_unreadable_ca_file)
{
    client_config config;
    config.http.ca_file = "/nonexistent/ca.pem";
    auto c = client::with_credentials(io.get_executor(), config, "id", secret("s"));
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, payman_errc::invalid_ca_file);
}

TEST_F(client_construction, requires_id_and_secret_for_credentials)
{
    EXPECT_EQ(client::with_credentials(io.get_executor(), {}, "", secret("s")).error().code,
              payman_errc::missing_client_id);
    EXPECT_EQ(client::with_credentials(io.get_executor(), {}, "a:b", secret("s")).error().code,
              payman_errc::missing_client_id);
    EXPECT_EQ(client::with_credentials(io.get_executor(), {}, "id", secret()).error().code,
              payman_errc::missing_client_secret);
    EXPECT_EQ(
        client::with_auth_code(io.get_executor(), {}, "id", secret("s"), secret()).error().code,
        payman_errc::invalid_ask);
}

TEST_F(client_construction, with_token_needs_a_token_with_a_lifetime)
{
    EXPECT_FALSE(client::with_token(io.get_executor(), {}, "id",
                                    token_info{secret(), std::chrono::seconds(60)}));
    EXPECT_FALSE(client::with_token(io.get_executor(), {}, "id",
                                    token_info{secret("t"), std::chrono::seconds(0)}));
    EXPECT_TRUE(client::with_token(io.get_executor(), {}, "id",
                                   token_info{secret("t"), std::chrono::seconds(60)}));
}

TEST_F(client_construction, keeps_one_session_until_told_otherwise)
{
    auto c = client::with_credentials(io.get_executor(), {}, "id", secret("s"));
    ASSERT_TRUE(c);
    const auto first = c->session_id();
    EXPECT_EQ(first.substr(0, 4), "ses-");
    EXPECT_EQ(c->session_id(), first);
    ASSERT_TRUE(c->new_session());
    EXPECT_NE(c->session_id(), first);
    ASSERT_TRUE(c->resume_session("ses-resumed"));
    EXPECT_EQ(c->session_id(), "ses-resumed");
    EXPECT_FALSE(c->resume_session("bad id"));
}

TEST_F(client_construction, errors_never_carry_the_secret)
{
    client_config config;
    config.base_url = "http://example.com/api";
    auto c = client::with_credentials(io.get_executor(), config, "id", secret("TOP-SECRET-VALUE"));
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().what().find("TOP-SECRET-VALUE"), std::string::npos);
}

}  // namespace
}  // namespace paymand::payman
