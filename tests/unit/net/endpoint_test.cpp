// Base URLs: what is accepted, and plain http only to loopback.

#include "paymand/net/endpoint.hpp"
#include "paymand/net/net_errc.hpp"
#include "paymand/net/tls_context.hpp"
#include "paymand/net/transport_error.hpp"

#include <gtest/gtest.h>

namespace paymand::net {
namespace {

TEST(endpoint, parses_an_https_base_url)
{
    auto e = parse_endpoint("https://agent.payman.ai/api");
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->tls);
    EXPECT_EQ(e->host, "agent.payman.ai");
    EXPECT_EQ(e->port, 443);
    EXPECT_EQ(e->path_prefix, "/api");
    EXPECT_EQ(e->host_header(), "agent.payman.ai");
    EXPECT_EQ(e->url(), "https://agent.payman.ai/api");
}

TEST(endpoint, keeps_an_explicit_port_and_drops_a_trailing_slash)
{
    auto e = parse_endpoint("http://127.0.0.1:8080/api/");
    ASSERT_TRUE(e);
    EXPECT_FALSE(e->tls);
    EXPECT_EQ(e->port, 8080);
    EXPECT_EQ(e->path_prefix, "/api");
    EXPECT_EQ(e->host_header(), "127.0.0.1:8080");
}

TEST(endpoint, accepts_an_empty_path_and_ipv6)
{
    auto e = parse_endpoint("https://[::1]:8443");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->host, "::1");
    EXPECT_EQ(e->path_prefix, "");
    EXPECT_EQ(e->host_header(), "[::1]:8443");
}

TEST(endpoint, refuses_plain_http_to_other_hosts)
{
    EXPECT_EQ(parse_endpoint("http://agent.payman.ai/api").error(),
              net_errc::plain_http_not_loopback);
    EXPECT_EQ(parse_endpoint("http://10.0.0.1/api").error(), net_errc::plain_http_not_loopback);
    EXPECT_EQ(parse_endpoint("http://localhost.evil.com/api").error(),
              net_errc::plain_http_not_loopback);
    EXPECT_TRUE(parse_endpoint("http://localhost/api"));
    EXPECT_TRUE(parse_endpoint("http://127.8.9.1/api"));
}

TEST(endpoint, refuses_what_it_would_not_send)
{
    EXPECT_EQ(parse_endpoint("ftp://x/api").error(), net_errc::unsupported_scheme);
    EXPECT_EQ(parse_endpoint("https://user:pw@x/api").error(), net_errc::invalid_url);
    EXPECT_EQ(parse_endpoint("https://x/api?a=1").error(), net_errc::invalid_url);
    EXPECT_EQ(parse_endpoint("https://x/api#f").error(), net_errc::invalid_url);
    EXPECT_EQ(parse_endpoint("https://x:0/api").error(), net_errc::invalid_url);
    EXPECT_EQ(parse_endpoint("agent.payman.ai/api").error(), net_errc::invalid_url);
    EXPECT_EQ(parse_endpoint("https:///api").error(), net_errc::invalid_url);
    EXPECT_EQ(parse_endpoint("").error(), net_errc::invalid_url);
}

TEST(loopback, knows_loopback_hosts)
{
    EXPECT_TRUE(is_loopback_host("127.0.0.1"));
    EXPECT_TRUE(is_loopback_host("127.255.0.3"));
    EXPECT_TRUE(is_loopback_host("::1"));
    EXPECT_TRUE(is_loopback_host("LocalHost"));
    EXPECT_FALSE(is_loopback_host("128.0.0.1"));
    EXPECT_FALSE(is_loopback_host("0.0.0.0"));
    EXPECT_FALSE(is_loopback_host("localhost.localdomain"));
    EXPECT_FALSE(is_loopback_host(""));
}

TEST(tls_context, refuses_an_unreadable_ca_file)
{
    auto ctx = make_tls_context(std::filesystem::path("/nonexistent/ca.pem"));
    ASSERT_FALSE(ctx);
    EXPECT_EQ(ctx.error(), net_errc::ca_file_unreadable);
}

TEST(tls_context, loads_the_system_store_with_tls_1_2_at_least)
{
    auto ctx = make_tls_context(std::nullopt);
    ASSERT_TRUE(ctx);
    EXPECT_EQ(SSL_CTX_get_min_proto_version((*ctx)->native_handle()), TLS1_2_VERSION);
    EXPECT_NE(SSL_CTX_get_verify_mode((*ctx)->native_handle()) & SSL_VERIFY_PEER, 0);
}

TEST(transport_error, message_names_phase_cause_and_detail)
{
    auto e = core::extend({.code = net_errc::tls_setup_failed, .message = "hostname mismatch"},
                          transport_error{.phase = phase::tls_handshake});
    EXPECT_EQ(e.what(), "TLS handshake: TLS could not be set up (hostname mismatch)");
}

}  // namespace
}  // namespace paymand::net
