// Building the token and tasks.send requests exactly as the SDKs send them.

#include "paymand/payman/protocol.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

namespace paymand::payman {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using namespace std::chrono_literals;

net::endpoint sandbox()
{
    return net::endpoint{.tls = false, .host = "127.0.0.1", .port = 8080, .path_prefix = "/api"};
}

TEST(token_request, client_credentials_travel_in_the_query_with_basic_auth)
{
    auto req = build_token_request(sandbox(), grant{grant_type::client_credentials, {}, {}, {}},
                                   "pm-test-client", secret("test-secret-123"), "paymand/test");
    EXPECT_EQ(req.method(), http::verb::post);
    EXPECT_EQ(req.target(), "/api/oauth2/token?grant_type=client_credentials");
    // base64("pm-test-client:test-secret-123")
    EXPECT_EQ(req[http::field::authorization], "Basic cG0tdGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQtMTIz");
    EXPECT_TRUE(req.body().empty());
    EXPECT_EQ(req[http::field::user_agent], "paymand/test");
}

TEST(token_request, authorization_code_is_percent_encoded)
{
    auto req = build_token_request(sandbox(),
                                   grant{grant_type::authorization_code, secret("a b/c+d"), {}, {}},
                                   "id", secret("s"), "ua");
    EXPECT_EQ(req.target(), "/api/oauth2/token?grant_type=authorization_code&code=a%20b%2Fc%2Bd");
}

TEST(token_request, code_exchange_repeats_the_redirect_uri_and_sends_the_pkce_verifier)
{
    grant g{grant_type::authorization_code, secret("c1"), "http://127.0.0.1:8080/callback",
            secret("v-1_x")};
    auto req = build_token_request(sandbox(), g, "id", secret("s"), "ua");
    EXPECT_EQ(req.target(), "/api/oauth2/token?grant_type=authorization_code&code=c1"
                            "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcallback"
                            "&code_verifier=v-1_x");
}

TEST(token_request, refresh_grant_carries_the_refresh_token)
{
    auto req =
        build_token_request(sandbox(), grant{grant_type::refresh_token, secret("rt-1"), {}, {}},
                            "id", secret("s"), "ua");
    EXPECT_EQ(req.target(), "/api/oauth2/token?grant_type=refresh_token&refresh_token=rt-1");
}

TEST(token_request, an_empty_secret_still_sends_basic_auth)
{
    auto req = build_token_request(
        sandbox(), grant{grant_type::refresh_token, secret("rt"), {}, {}}, "id", secret(), "ua");
    EXPECT_EQ(req[http::field::authorization], "Basic aWQ6");  // base64("id:")
}

const auto noon = std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + 8h + 1532ms;

TEST(ask_body, matches_the_newest_sdk)
{
    const ask_ids ids{"req-1", "tsk-1", "ses-1"};
    auto body = build_ask_body("send 100.00 TSD to John Doe", ids, {}, noon);
    const auto expected = json::parse(R"({"jsonrpc":"2.0","id":"req-1","method":"tasks.send",
        "params":{"id":"tsk-1","sessionId":"ses-1",
          "message":{"role":"user","parts":[{"type":"text","text":"send 100.00 TSD to John Doe","metadata":null}],
                     "metadata":null},
          "metadata":{"timestamp":"2026-12-01T08:00:01.532Z"}}})");
    EXPECT_EQ(json::value(body), expected) << json::serialize(body);
}

TEST(ask_body, carries_occurrence_and_idempotency_key_in_metadata)
{
    ask_options options;
    options.occurrence_id = "rent-john@2026-12-01T09:00";
    options.idempotency_key = "idem-42";
    options.metadata["source"] = "paymand";
    options.metadata["timestamp"] = "overridden";
    auto body = build_ask_body("x", {"r", "t", "s"}, options, noon);
    const auto& metadata = body.at("params").at("metadata").as_object();
    EXPECT_EQ(metadata.at("idempotencyKey"), "idem-42");
    EXPECT_EQ(metadata.at("occurrenceId"), "rent-john@2026-12-01T09:00");
    EXPECT_EQ(metadata.at("source"), "paymand");
    EXPECT_EQ(metadata.at("timestamp"), "2026-12-01T08:00:01.532Z");
}

TEST(ask_request, sends_the_token_in_x_payman_access_token)
{
    auto req = build_ask_request(sandbox(), json::object{{"a", 1}}, secret("tok-1"), "ua");
    EXPECT_EQ(req.target(), "/api/a2a/tasks/send");
    EXPECT_EQ(req["x-payman-access-token"], "tok-1");
    EXPECT_EQ(req[http::field::authorization], "");
    EXPECT_EQ(req[http::field::content_type], "application/json");
    EXPECT_EQ(req.body(), R"({"a":1})");
}

TEST(validate_ask, accepts_a_plain_prompt)
{
    EXPECT_TRUE(validate_ask("list all wallets and their balances", {}));
    EXPECT_TRUE(validate_ask("pay Zoë 5 TSD\nplease", {}));
}

TEST(validate_ask, refuses_empty_oversized_and_control_text)
{
    EXPECT_EQ(validate_ask("", {}).error().code, payman_errc::invalid_ask);
    EXPECT_EQ(validate_ask(std::string(max_ask_text_size + 1, 'a'), {}).error().code,
              payman_errc::invalid_ask);
    EXPECT_EQ(validate_ask(std::string_view("a\0b", 3), {}).error().code, payman_errc::invalid_ask);
    EXPECT_EQ(validate_ask("bell\a", {}).error().code, payman_errc::invalid_ask);
    EXPECT_EQ(validate_ask("bad \xC3\x28 utf8", {}).error().code, payman_errc::invalid_ask);
    EXPECT_EQ(validate_ask("overlong \xC0\xAF", {}).error().code, payman_errc::invalid_ask);
    EXPECT_EQ(validate_ask("", {}).error().kind, error_class::not_sent);
}

TEST(validate_ask, checks_session_and_metadata_ids)
{
    ask_options bad_session;
    bad_session.session_id = "has space";
    EXPECT_EQ(validate_ask("x", bad_session).error().code, payman_errc::invalid_session_id);

    ask_options both;
    both.session_id = "ses-1";
    both.new_session = true;
    EXPECT_EQ(validate_ask("x", both).error().code, payman_errc::invalid_ask);

    ask_options bad_key;
    bad_key.idempotency_key = "with\nnewline";
    EXPECT_EQ(validate_ask("x", bad_key).error().code, payman_errc::invalid_ask);
    bad_key.idempotency_key = "";
    EXPECT_EQ(validate_ask("x", bad_key).error().code, payman_errc::invalid_ask);
}

}  // namespace
}  // namespace paymand::payman
