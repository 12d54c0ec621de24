// A request's bytes on the wire, built in one string by async_send: the same bytes as Beast's
// serializer writes, or nothing where the serializer must do it.

#include "paymand/net/http_client.hpp"

#include <boost/beast/http/write.hpp>

#include <gtest/gtest.h>

#include <sstream>

namespace paymand::net {
namespace {

namespace http = boost::beast::http;

std::string beast_bytes(const request& req)
{
    std::ostringstream out;
    out << req;
    return out.str();
}

TEST(wire_bytes, are_beasts_bytes_for_a_post_with_fields_and_a_body)
{
    request req{http::verb::post, "/api/a2a/tasks/send", 11};
    req.set(http::field::content_type, "application/json");
    req.set(http::field::accept, "application/json");
    req.set(http::field::user_agent, "paymand/1.2.3");
    req.set("x-payman-access-token", "tok-abc.def");
    req.set(http::field::host, "127.0.0.1:8080");
    req.keep_alive(true);
    req.body() = R"({"jsonrpc":"2.0","id":"req-1"})";
    req.prepare_payload();
    const auto bytes = wire_bytes(req);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(*bytes, beast_bytes(req));
    EXPECT_TRUE(bytes->starts_with("POST /api/a2a/tasks/send HTTP/1.1\r\nContent-Type: "));
    EXPECT_TRUE(bytes->ends_with("\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":\"req-1\"}"));
}

TEST(wire_bytes, are_beasts_bytes_for_a_get_without_a_body_and_for_http_1_0)
{
    request get{http::verb::get, "/api/me?x=1", 11};
    get.set(http::field::host, "localhost");
    get.set(http::field::authorization, "Bearer t");
    get.prepare_payload();
    ASSERT_TRUE(wire_bytes(get));
    EXPECT_EQ(*wire_bytes(get), beast_bytes(get));

    request old{http::verb::post, "/token", 10};
    old.set(http::field::content_type, "application/x-www-form-urlencoded");
    old.body() = "grant_type=client_credentials";
    old.prepare_payload();
    ASSERT_TRUE(wire_bytes(old));
    EXPECT_EQ(*wire_bytes(old), beast_bytes(old));
    EXPECT_TRUE(wire_bytes(old)->starts_with("POST /token HTTP/1.0\r\n"));
}

TEST(wire_bytes, are_left_to_beast_for_a_chunked_request_or_another_version)
{
    request chunked{http::verb::post, "/x", 11};
    chunked.chunked(true);
    EXPECT_FALSE(wire_bytes(chunked));

    request two{http::verb::get, "/x", 20};
    EXPECT_FALSE(wire_bytes(two));
}

}  // namespace
}  // namespace paymand::net
