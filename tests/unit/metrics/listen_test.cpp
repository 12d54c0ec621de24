// metrics.listen: what is accepted, and every refusal with its message.

#include "paymand/metrics/listen.hpp"

#include <gtest/gtest.h>

namespace paymand::metrics {
namespace {

namespace ip = boost::asio::ip;

ip::tcp::endpoint ok(std::string_view text, bool allow = false)
{
    auto r = parse_listen(text, allow);
    EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().message);
    return r ? *r : ip::tcp::endpoint{};
}

core::error refused(std::string_view text, bool allow = false)
{
    auto r = parse_listen(text, allow);
    EXPECT_FALSE(r) << text << " was accepted";
    return r ? core::error{} : r.error();
}

TEST(parse_listen, accepts_ipv4_loopback)
{
    auto e = ok("127.0.0.1:9464");
    EXPECT_EQ(e.address(), ip::make_address("127.0.0.1"));
    EXPECT_EQ(e.port(), 9464);
}

TEST(parse_listen, accepts_all_of_127_slash_8)
{
    EXPECT_EQ(ok("127.8.9.10:80").address(), ip::make_address("127.8.9.10"));
}

TEST(parse_listen, accepts_bracketed_ipv6_loopback)
{
    auto e = ok("[::1]:9464");
    EXPECT_EQ(e.address(), ip::make_address("::1"));
    EXPECT_EQ(e.port(), 9464);
}

TEST(parse_listen, takes_localhost_as_127_0_0_1_without_dns)
{
    auto e = ok("localhost:9464");
    EXPECT_EQ(e.address(), ip::make_address("127.0.0.1"));
    EXPECT_EQ(e.port(), 9464);
}

TEST(parse_listen, accepts_port_zero_and_the_highest_port)
{
    EXPECT_EQ(ok("127.0.0.1:0").port(), 0);
    EXPECT_EQ(ok("127.0.0.1:65535").port(), 65535);
}

TEST(parse_listen, refuses_a_non_loopback_address_with_the_way_out)
{
    auto e = refused("0.0.0.0:9464");
    EXPECT_EQ(e.code, metrics_errc::not_loopback);
    EXPECT_EQ(e.message, "metrics.listen: 0.0.0.0:9464 is not a loopback address; set "
                         "metrics.allow_non_loopback: true to expose metrics beyond this host");
    EXPECT_EQ(refused("[::]:9464").code, metrics_errc::not_loopback);
    EXPECT_EQ(refused("192.168.1.5:9464").code, metrics_errc::not_loopback);
    EXPECT_EQ(refused("[::ffff:127.0.0.1]:9464").code, metrics_errc::not_loopback);
}

TEST(parse_listen, accepts_a_non_loopback_address_when_allowed)
{
    EXPECT_EQ(ok("0.0.0.0:9464", true).address(), ip::make_address("0.0.0.0"));
    EXPECT_EQ(ok("[::]:9464", true).address(), ip::make_address("::"));
}

TEST(parse_listen, refuses_a_missing_port)
{
    auto e = refused("127.0.0.1");
    EXPECT_EQ(e.code, metrics_errc::listen_port);
    EXPECT_EQ(e.message,
              "metrics.listen: 127.0.0.1 has no port; expected host:port, e.g. 127.0.0.1:9464");
    EXPECT_EQ(refused("127.0.0.1:").code, metrics_errc::listen_port);
    EXPECT_EQ(refused("[::1]").code, metrics_errc::listen_port);
    EXPECT_EQ(refused("[::1]:").code, metrics_errc::listen_port);
}

TEST(parse_listen, refuses_a_port_out_of_range)
{
    auto e = refused("127.0.0.1:65536");
    EXPECT_EQ(e.code, metrics_errc::listen_port);
    EXPECT_EQ(e.message, "metrics.listen: port 65536 is out of range (0-65535)");
    EXPECT_EQ(refused("127.0.0.1:99999999999999999999").code, metrics_errc::listen_port);
}

TEST(parse_listen, refuses_a_port_that_is_not_plain_decimal)
{
    EXPECT_EQ(refused("127.0.0.1:http").message,
              "metrics.listen: port http is not a decimal number; expected host:port, e.g. "
              "127.0.0.1:9464");
    EXPECT_EQ(refused("127.0.0.1:-1").code, metrics_errc::listen_port);
    EXPECT_EQ(refused("127.0.0.1:+80").code, metrics_errc::listen_port);
    EXPECT_EQ(refused("127.0.0.1:09464").message,
              "metrics.listen: port 09464 has a leading zero; write it without");
}

TEST(parse_listen, refuses_host_names_other_than_localhost)
{
    auto e = refused("example.com:9464", true);
    EXPECT_EQ(e.code, metrics_errc::listen_host);
    EXPECT_EQ(e.message, "metrics.listen: example.com is not an IPv4 address or localhost (names "
                         "are not looked up); expected host:port, e.g. 127.0.0.1:9464");
    EXPECT_EQ(refused("LOCALHOST:9464").code, metrics_errc::listen_host);
}

TEST(parse_listen, refuses_malformed_ip_literals)
{
    EXPECT_EQ(refused("127.0.0:9464").code, metrics_errc::listen_host);
    EXPECT_EQ(refused("127.0.0.256:9464").code, metrics_errc::listen_host);
    EXPECT_EQ(refused("[::g]:9464").message, "metrics.listen: [::g] is not an IPv6 address");
    EXPECT_EQ(refused(":9464").code, metrics_errc::listen_host);
}

TEST(parse_listen, asks_for_brackets_around_ipv6)
{
    auto e = refused("::1:9464");
    EXPECT_EQ(e.code, metrics_errc::listen_syntax);
    EXPECT_EQ(e.message, "metrics.listen: ::1:9464: an IPv6 address needs brackets, e.g. "
                         "[::1]:9464");
}

TEST(parse_listen, refuses_junk_around_the_address)
{
    EXPECT_EQ(refused("").code, metrics_errc::listen_syntax);
    EXPECT_EQ(refused(" 127.0.0.1:9464").code, metrics_errc::listen_syntax);
    EXPECT_EQ(refused("127.0.0.1:9464\n").code, metrics_errc::listen_syntax);
    EXPECT_EQ(refused("[::1:9464").code, metrics_errc::listen_syntax);
    EXPECT_EQ(refused("[::1]x9464").code, metrics_errc::listen_syntax);
    EXPECT_EQ(refused("http://127.0.0.1:9464").message,
              "metrics.listen: http://127.0.0.1:9464 is a URL; give host:port without a scheme "
              "or path, e.g. 127.0.0.1:9464");
}

}  // namespace
}  // namespace paymand::metrics
