#include "sandbox/http_util.hpp"
#include "sandbox/service.hpp"
#include "support/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace paymand::sandbox {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

sandbox_config test_config()
{
    auto r = parse_config(R"(clients:
  - id: pm-test-client
    secret: test-secret-123
    name: Rent Robot
    purpose: Pays the flat's rent on the 1st
    token_lifetime: 60
    per_transaction_limit: "500.00"
    redirect_uris: [http://127.0.0.1:9/callback]
    origins: [https://app.example.com]
  - id: pm-test-readonly
    secret: ro
    scopes: [read_balance]
    scope_denial: http
  - id: pm-test-refresh
    secret: rf
    refresh_with_client_credentials: true
    token_fields: snake
wallets:
  - name: Operations
    balance: "1000.00"
payees:
  - name: John Doe
    email: john@example.com
)",
                          "test.yaml");
    if (!r.config) throw std::runtime_error(r.errors.front());
    return *r.config;
}

class SandboxService : public ::testing::Test {
protected:
    request make(http::verb verb, std::string target, std::string body = {},
                 std::string content_type = {})
    {
        request req{verb, target, 11};
        req.set(http::field::host, "127.0.0.1");
        if (!content_type.empty()) req.set(http::field::content_type, content_type);
        req.body() = std::move(body);
        req.prepare_payload();
        return req;
    }

    static std::string basic(std::string_view id, std::string_view secret)
    {
        static constexpr char alphabet[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        std::string in = std::string(id) + ":" + std::string(secret), out;
        for (std::size_t i = 0; i < in.size(); i += 3) {
            unsigned v = static_cast<unsigned char>(in[i]) << 16;
            if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
            if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
            out += alphabet[(v >> 18) & 63];
            out += alphabet[(v >> 12) & 63];
            out += i + 1 < in.size() ? alphabet[(v >> 6) & 63] : '=';
            out += i + 2 < in.size() ? alphabet[v & 63] : '=';
        }
        return "Basic " + out;
    }

    reply token(std::string query, std::string id = "pm-test-client",
                std::string secret = "test-secret-123")
    {
        auto req = make(http::verb::post, "/api/oauth2/token?" + query);
        req.set(http::field::authorization, basic(id, secret));
        return svc.handle_api(req);
    }

    std::string access_token(std::string id = "pm-test-client",
                             std::string secret = "test-secret-123")
    {
        auto r = token("grant_type=client_credentials", id, secret);
        EXPECT_EQ(r.message.result_int(), 200u) << r.message.body();
        return std::string(json::parse(r.message.body()).at("accessToken").as_string());
    }

    static json::object task_body(std::string_view text, json::value metadata = nullptr)
    {
        return json::object{
            {"jsonrpc", "2.0"},
            {"id", "req-1"},
            {"method", "tasks.send"},
            {"params",
             json::object{{"id", "tsk-1"},
                          {"sessionId", "ses-1"},
                          {"message",
                           json::object{{"role", "user"},
                                        {"parts", json::array{json::object{{"type", "text"},
                                                                           {"text", text},
                                                                           {"metadata", nullptr}}}},
                                        {"metadata", nullptr}}},
                          {"metadata", metadata}}}};
    }

    reply send_raw(const std::string& token_value, std::string body)
    {
        auto req =
            make(http::verb::post, "/api/a2a/tasks/send", std::move(body), "application/json");
        req.set("x-payman-access-token", token_value);
        return svc.handle_api(req);
    }

    json::value ask(const std::string& token_value, std::string_view text,
                    json::value metadata = nullptr)
    {
        auto r = send_raw(token_value, json::serialize(task_body(text, metadata)));
        EXPECT_EQ(r.message.result_int(), 200u) << r.message.body();
        return json::parse(r.message.body());
    }

    static std::string text_of(const json::value& response)
    {
        return std::string(
            response.at("result").at("artifacts").at(0).at("parts").at(0).at("text").as_string());
    }

    json::value admin_json(http::verb verb, std::string target, std::string body = {})
    {
        auto r =
            svc.handle_admin(make(verb, std::move(target), std::move(body), "application/json"));
        EXPECT_EQ(r.message.result_int(), 200u) << r.message.body();
        return json::parse(r.message.body());
    }

    time_point clock_now{std::chrono::milliseconds(1'795'000'000'000)};
    service svc{test_config(), std::nullopt, [this] { return clock_now; }};
};

TEST_F(SandboxService, ClientCredentialsAsTheSdksSendThem)
{
    auto r = token("grant_type=client_credentials");
    ASSERT_EQ(r.message.result_int(), 200u);
    auto body = json::parse(r.message.body());
    EXPECT_THAT(std::string(body.at("accessToken").as_string()), StartsWith("pmat_"));
    EXPECT_EQ(body.at("tokenType"), "Bearer");
    EXPECT_EQ(body.at("expiresIn"), 60);
    EXPECT_THAT(std::string(body.at("scope").as_string()), HasSubstr("write_send_payment"));
    EXPECT_FALSE(body.as_object().contains("refreshToken"));
    EXPECT_EQ(r.message[http::field::cache_control], "no-store");
}

TEST_F(SandboxService, ClientCredentialsAsAFormBody)
{
    auto req =
        make(http::verb::post, "/api/oauth2/token",
             "grant_type=client_credentials&client_id=pm-test-client&client_secret=test-secret-123",
             "application/x-www-form-urlencoded");
    auto r = svc.handle_api(req);
    EXPECT_EQ(r.message.result_int(), 200u) << r.message.body();
}

TEST_F(SandboxService, BadCredentialsGetPaymansErrorShape)
{
    auto r = token("grant_type=client_credentials", "pm-test-client", "wrong");
    ASSERT_EQ(r.message.result_int(), 401u);
    auto body = json::parse(r.message.body()).as_object();
    EXPECT_EQ(body.at("status"), 401);
    EXPECT_EQ(body.at("errorCode"), "not_authorized");
    EXPECT_TRUE(body.contains("timestamp"));
    EXPECT_TRUE(body.contains("errorMessage"));
    EXPECT_TRUE(body.contains("traceId"));
    EXPECT_THAT(r.message.body(), ::testing::Not(HasSubstr("wrong")));
}

TEST_F(SandboxService, GrantErrors)
{
    EXPECT_EQ(token("").message.result_int(), 400u);
    auto unsupported = token("grant_type=password");
    EXPECT_EQ(json::parse(unsupported.message.body()).at("errorCode"), "unsupported_grant_type");
    EXPECT_EQ(json::parse(token("grant_type=client_credentials&grant_type=x").message.body())
                  .at("errorCode"),
              "invalid_request");
    EXPECT_EQ(json::parse(token("grant_type=client_credentials&scope=fly").message.body())
                  .at("errorCode"),
              "invalid_scope");
    EXPECT_EQ(json::parse(token("grant_type=authorization_code&code=nope").message.body())
                  .at("errorCode"),
              "invalid_grant");
}

TEST_F(SandboxService, NarrowedScopeIsHonoured)
{
    auto r = token("grant_type=client_credentials&scope=read_balance");
    auto t = std::string(json::parse(r.message.body()).at("accessToken").as_string());
    EXPECT_EQ(json::parse(r.message.body()).at("scope"), "read_balance");
    auto answer = ask(t, "send 1 TSD to John Doe");
    EXPECT_THAT(text_of(answer), HasSubstr("write_send_payment"));
    EXPECT_TRUE(svc.state().transactions.empty());
}

TEST_F(SandboxService, AuthorizationCodeFlowWithRefreshRotation)
{
    auto page = svc.handle_api(
        make(http::verb::get, "/api/oauth/"
                              "authorize?client_id=pm-test-client&redirect_uri=http%3A%2F%2F127.0."
                              "0.1%3A9%2Fcallback&scope=read_balance,read_list_payees&state=xyz"));
    ASSERT_EQ(page.message.result_int(), 200u);
    EXPECT_THAT(page.message.body(), HasSubstr("value=\"approve\""));
    EXPECT_THAT(page.message.body(), HasSubstr("read_list_payees"));

    auto approve = svc.handle_api(
        make(http::verb::post, "/api/oauth/authorize",
             "client_id=pm-test-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&scope="
             "read_balance%2Cread_list_payees&state=xyz&decision=approve",
             "application/x-www-form-urlencoded"));
    ASSERT_EQ(approve.message.result_int(), 302u) << approve.message.body();
    std::string location(approve.message[http::field::location]);
    EXPECT_THAT(location, StartsWith("http://127.0.0.1:9/callback?code="));
    EXPECT_THAT(location, HasSubstr("&state=xyz"));
    std::string code = location.substr(location.find("code=") + 5);
    code = code.substr(0, code.find('&'));

    auto exchanged = token("grant_type=authorization_code&code=" + code);
    ASSERT_EQ(exchanged.message.result_int(), 200u) << exchanged.message.body();
    auto body = json::parse(exchanged.message.body());
    EXPECT_EQ(body.at("scope"), "read_balance,read_list_payees");
    std::string refresh(body.at("refreshToken").as_string());
    EXPECT_EQ(token("grant_type=authorization_code&code=" + code).message.result_int(), 400u)
        << "a code is single use";

    auto refreshed = token("grant_type=refresh_token&refresh_token=" + refresh);
    ASSERT_EQ(refreshed.message.result_int(), 200u);
    auto rotated = json::parse(refreshed.message.body());
    EXPECT_NE(rotated.at("refreshToken"), body.at("refreshToken"));
    EXPECT_EQ(token("grant_type=refresh_token&refresh_token=" + refresh).message.result_int(), 400u)
        << "the old refresh token is spent";
}

TEST_F(SandboxService, ConsentRefusesUnregisteredRedirects)
{
    auto r = svc.handle_api(make(
        http::verb::get,
        "/api/oauth/authorize?client_id=pm-test-client&redirect_uri=http%3A%2F%2Fevil.example%2F"));
    EXPECT_EQ(r.message.result_int(), 400u);
    EXPECT_EQ(r.message[http::field::location], "");
    auto deny = svc.handle_api(make(
        http::verb::post, "/api/oauth/authorize",
        "client_id=pm-test-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&decision=deny",
        "application/x-www-form-urlencoded"));
    EXPECT_EQ(deny.message[http::field::location],
              "http://127.0.0.1:9/callback?error=access_denied");
}

// The consent page a person reads: who asks, why, each scope in words, which wallets.
TEST_F(SandboxService, ConsentPageSaysWhoAsksWhyWhatAndForWhichWallets)
{
    auto page = svc.handle_api(make(http::verb::get, "/api/oauth/authorize?client_id=pm-test-client"
                                                     "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2F"
                                                     "callback&scope=write_send_payment&state=s"));
    ASSERT_EQ(page.message.result_int(), 200u);
    const auto& html = page.message.body();
    EXPECT_THAT(html, HasSubstr("Rent Robot wants to use your Payman account"));
    EXPECT_THAT(html, HasSubstr("Pays the flat&#39;s rent on the 1st"));
    EXPECT_THAT(html, HasSubstr("Send money from your wallets to your payees"));
    EXPECT_THAT(html, HasSubstr("Operations (operations-tsd, TSD)"));
    EXPECT_THAT(html, HasSubstr("id=\"approve\""));
    EXPECT_THAT(html, HasSubstr("id=\"deny\""));
}

std::string code_of(const reply& r)
{
    std::string location(r.message[http::field::location]);
    auto at = location.find("code=");
    if (at == std::string::npos) return {};
    auto code = location.substr(at + 5);
    return code.substr(0, code.find('&'));
}

// RFC 8252 7.3: a native app's loopback redirect URI is registered without caring for the
// port it happens to get; host and path still must match.
TEST_F(SandboxService, LoopbackRedirectUrisMatchOnAnyPortOnly)
{
    auto get = [&](std::string_view redirect) {
        return svc
            .handle_api(make(http::verb::get,
                             "/api/oauth/authorize?client_id=pm-test-client&redirect_uri=" +
                                 detail::url_encode(redirect)))
            .message.result_int();
    };
    EXPECT_EQ(get("http://127.0.0.1:50123/callback"), 200u);
    EXPECT_EQ(get("http://127.0.0.1:50123/other"), 400u);
    EXPECT_EQ(get("http://localhost:9/callback"), 400u);
    EXPECT_EQ(get("https://127.0.0.1:9/callback"), 400u);
}

TEST_F(SandboxService, PkceVerifierMustMatchTheChallenge)
{
    // RFC 7636 appendix B.
    const std::string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const std::string challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    auto approve = [&] {
        return svc.handle_api(
            make(http::verb::post, "/api/oauth/authorize",
                 "client_id=pm-test-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback"
                 "&code_challenge=" +
                     challenge + "&code_challenge_method=S256&decision=approve",
                 "application/x-www-form-urlencoded"));
    };
    auto code = code_of(approve());
    ASSERT_FALSE(code.empty());
    EXPECT_EQ(token("grant_type=authorization_code&code=" + code).message.result_int(), 400u)
        << "no verifier";
    code = code_of(approve());
    EXPECT_EQ(token("grant_type=authorization_code&code=" + code + "&code_verifier=wrong")
                  .message.result_int(),
              400u);
    code = code_of(approve());
    EXPECT_EQ(token("grant_type=authorization_code&code=" + code + "&code_verifier=" + verifier)
                  .message.result_int(),
              200u);
    auto plain = svc.handle_api(
        make(http::verb::get, "/api/oauth/authorize?client_id=pm-test-client&redirect_uri=http%3A"
                              "%2F%2F127.0.0.1%3A9%2Fcallback&code_challenge=x"
                              "&code_challenge_method=plain"));
    EXPECT_THAT(std::string(plain.message[http::field::location]),
                HasSubstr("error=invalid_request"));
}

// Rotation spends a refresh token at each use, so "30 days after issue" is "30 days unused".
TEST_F(SandboxService, RefreshTokensExpireAfterThirtyDaysUnused)
{
    auto approve = svc.handle_api(
        make(http::verb::post, "/api/oauth/authorize",
             "client_id=pm-test-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback"
             "&decision=approve",
             "application/x-www-form-urlencoded"));
    auto exchanged = token("grant_type=authorization_code&code=" + code_of(approve));
    ASSERT_EQ(exchanged.message.result_int(), 200u);
    std::string refresh(json::parse(exchanged.message.body()).at("refreshToken").as_string());
    clock_now += std::chrono::hours(24 * 29);
    auto used = token("grant_type=refresh_token&refresh_token=" + refresh);
    ASSERT_EQ(used.message.result_int(), 200u) << "used within 30 days";
    refresh = std::string(json::parse(used.message.body()).at("refreshToken").as_string());
    clock_now += std::chrono::hours(24 * 30) + std::chrono::seconds(1);
    auto late = token("grant_type=refresh_token&refresh_token=" + refresh);
    EXPECT_EQ(late.message.result_int(), 400u);
    EXPECT_EQ(json::parse(late.message.body()).at("errorCode"), "invalid_grant");
}

TEST_F(SandboxService, ConsentFromAnUnregisteredOriginIsRefused)
{
    auto submit = [&](std::string origin) {
        auto req = make(http::verb::post, "/api/oauth/authorize",
                        "client_id=pm-test-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2F"
                        "callback&decision=approve",
                        "application/x-www-form-urlencoded");
        req.set(http::field::origin, origin);
        return svc.handle_api(req).message.result_int();
    };
    EXPECT_EQ(submit("https://evil.example"), 403u);
    EXPECT_EQ(submit("http://127.0.0.1"), 302u) << "the sandbox's own page";
    EXPECT_EQ(submit("https://app.example.com"), 302u) << "a registered origin";
}

TEST(SandboxConfig, AtMostFiveOriginsAndRedirectUris)
{
    auto r = parse_config(R"(clients:
  - id: c
    secret: s
    origins: [https://a.example, https://b.example, https://c.example, https://d.example,
              https://e.example, https://f.example]
    redirect_uris: [http://127.0.0.1/1, http://127.0.0.1/2, http://127.0.0.1/3,
                    http://127.0.0.1/4, http://127.0.0.1/5, http://127.0.0.1/6]
  - id: d
    secret: s
    origins: [https://a.example/path]
)",
                          "t.yaml");
    ASSERT_EQ(r.errors.size(), 3u);
    EXPECT_THAT(r.errors[0], HasSubstr("at most 5 redirect uris"));
    EXPECT_THAT(r.errors[1], HasSubstr("at most 5 origins"));
    EXPECT_THAT(r.errors[2], HasSubstr("must be scheme://host[:port]"));
}

TEST_F(SandboxService, SnakeCaseTokensAndClientCredentialRefresh)
{
    auto r = token("grant_type=client_credentials", "pm-test-refresh", "rf");
    auto body = json::parse(r.message.body()).as_object();
    EXPECT_TRUE(body.contains("access_token"));
    EXPECT_TRUE(body.contains("refresh_token"));
    EXPECT_TRUE(body.contains("expires_in"));
}

TEST_F(SandboxService, ExpiredTokenGets401)
{
    auto t = access_token();
    clock_now += std::chrono::seconds(61);
    auto r = send_raw(t, json::serialize(task_body("list all payees")));
    EXPECT_EQ(r.message.result_int(), 401u);
    EXPECT_EQ(json::parse(r.message.body()).at("errorCode"), "token_expired");
}

TEST_F(SandboxService, TasksNeedTheAccessTokenHeader)
{
    auto req = make(http::verb::post, "/api/a2a/tasks/send", json::serialize(task_body("hi")),
                    "application/json");
    req.set(http::field::authorization, "Bearer " + access_token());
    EXPECT_EQ(svc.handle_api(req).message.result_int(), 401u);
}

TEST_F(SandboxService, JsonRpcValidation)
{
    auto t = access_token();
    auto code_of = [&](std::string body) {
        auto r = send_raw(t, std::move(body));
        EXPECT_EQ(r.message.result_int(), 200u);
        auto v = json::parse(r.message.body());
        EXPECT_TRUE(v.at("result").is_null());
        return v.at("error").at("code").as_int64();
    };
    EXPECT_EQ(code_of("{not json"), -32700);
    EXPECT_EQ(code_of("[]"), -32600);
    EXPECT_EQ(code_of(R"({"jsonrpc":"1.0","id":"r","method":"tasks.send","params":{}})"), -32600);
    EXPECT_EQ(code_of(R"({"jsonrpc":"2.0","method":"tasks.send","params":{}})"), -32600);
    EXPECT_EQ(code_of(R"({"jsonrpc":"2.0","id":"r","method":"tasks.cancel","params":{}})"), -32601);
    EXPECT_EQ(code_of(R"({"jsonrpc":"2.0","id":"r","method":"tasks.send","params":[]})"), -32602);
    auto no_text = task_body("x");
    no_text["params"].as_object()["message"].as_object()["parts"] = json::array{};
    EXPECT_EQ(code_of(json::serialize(no_text)), -32602);
    auto bad_role = task_body("x");
    bad_role["params"].as_object()["message"].as_object()["role"] = "agent";
    EXPECT_EQ(code_of(json::serialize(bad_role)), -32602);
    EXPECT_EQ(code_of(json::serialize(task_body("x", json::object{{"idempotencyKey", 5}}))),
              -32602);
}

TEST_F(SandboxService, BothMethodSpellingsAndSessionKeys)
{
    auto t = access_token();
    auto body = task_body("list all payees");
    body["method"] = "tasks/send";
    auto& params = body["params"].as_object();
    params.erase("sessionId");
    params["session_id"] = "ses-snake";
    auto r = json::parse(send_raw(t, json::serialize(body)).message.body());
    EXPECT_EQ(r.at("result").at("sessionId"), "ses-snake");
    EXPECT_EQ(r.at("result").at("id"), "tsk-1");
    EXPECT_EQ(r.at("result").at("status").at("state"), "completed");
    EXPECT_EQ(r.at("id"), "req-1");
    EXPECT_TRUE(r.at("error").is_null());
}

TEST_F(SandboxService, IdempotencyKeyInEitherSpelling)
{
    auto t = access_token();
    auto first = ask(t, "send 100 TSD to John Doe", json::object{{"idempotencyKey", "occ-1"}});
    auto second = ask(t, "send 100 TSD to John Doe", json::object{{"idempotency_key", "occ-1"}});
    EXPECT_EQ(text_of(first), text_of(second));
    EXPECT_EQ(svc.state().transactions.size(), 1u);
    EXPECT_EQ(svc.state().wallets[0].balance, 90000);
}

TEST_F(SandboxService, ScopeDenialAsHttp403)
{
    auto t = access_token("pm-test-readonly", "ro");
    auto r = send_raw(t, json::serialize(task_body("send 1 TSD to John Doe")));
    EXPECT_EQ(r.message.result_int(), 403u);
    EXPECT_EQ(json::parse(r.message.body()).at("errorCode"), "insufficient_scope");
}

TEST_F(SandboxService, FaultStatusWithRetryAfterExecutesNothing)
{
    auto t = access_token();
    admin_json(
        http::verb::post, "/admin/faults",
        R"({"endpoint":"tasks","prompt_kind":"payment","action":"status","status":503,"retry_after":2})");
    ask(t, "list all payees");  // other prompt kinds are not affected
    auto r = send_raw(t, json::serialize(task_body("send 1 TSD to John Doe")));
    EXPECT_EQ(r.message.result_int(), 503u);
    EXPECT_EQ(r.message[http::field::retry_after], "2");
    EXPECT_TRUE(svc.state().transactions.empty());
    ask(t, "send 1 TSD to John Doe");  // count 1: consumed
    EXPECT_EQ(svc.state().transactions.size(), 1u);
}

TEST_F(SandboxService, FaultActionsReachTheTransport)
{
    auto t = access_token();
    auto next = [&](std::string fault) {
        admin_json(http::verb::post, "/admin/faults", std::move(fault));
        return send_raw(t, json::serialize(task_body("send 1 TSD to John Doe")));
    };
    EXPECT_EQ(next(R"({"endpoint":"tasks","action":"reset_before_read"})").action,
              transport_action::reset);
    EXPECT_EQ(svc.state().transactions.size(), 0u);
    EXPECT_EQ(next(R"({"endpoint":"tasks","action":"reset_after_read"})").action,
              transport_action::reset);
    EXPECT_EQ(svc.state().transactions.size(), 1u);
    EXPECT_EQ(next(R"({"endpoint":"any","action":"stall"})").action, transport_action::stall);
    EXPECT_EQ(svc.state().transactions.size(), 1u);
    auto delayed = next(R"({"endpoint":"tasks","action":"delay","delay_ms":1500})");
    EXPECT_EQ(delayed.action, transport_action::delay);
    EXPECT_EQ(delayed.delay, std::chrono::milliseconds(1500));
    EXPECT_EQ(svc.state().transactions.size(), 2u);
    EXPECT_EQ(next(R"({"endpoint":"tasks","action":"truncate"})").action,
              transport_action::truncate);
    auto malformed = next(R"({"endpoint":"tasks","action":"malformed_json"})");
    boost::system::error_code ec;
    json::parse(malformed.message.body(), ec);
    EXPECT_TRUE(ec);
    auto huge = next(R"({"endpoint":"tasks","action":"huge_body","size":100000})");
    EXPECT_EQ(huge.message.body().size(), 100000u);
    auto rpc = next(R"({"endpoint":"tasks","action":"jsonrpc_error","code":-32603})");
    EXPECT_EQ(json::parse(rpc.message.body()).at("error").at("code"), -32603);
    EXPECT_EQ(svc.state().transactions.size(), 4u);
}

// The reply a misbehaving agent would give, while the ledger shows what really happened.
TEST_F(SandboxService, ReplaceReplyExecutesAndAnswersWithTheGivenText)
{
    auto t = access_token();
    admin_json(http::verb::post, "/admin/faults",
               R"({"endpoint":"tasks","prompt_kind":"payment","action":"replace_reply",)"
               R"("text":"Payment completed. Eve also received 9,000.00 TSD."})");
    auto other = ask(t, "list all payees");  // another kind: untouched, fault not consumed
    EXPECT_NE(text_of(other), "Payment completed. Eve also received 9,000.00 TSD.");
    auto paid = ask(t, "send 1 TSD to John Doe");
    EXPECT_EQ(text_of(paid), "Payment completed. Eve also received 9,000.00 TSD.");
    EXPECT_EQ(svc.state().transactions.size(), 1u);  // executed
    auto again = ask(t, "send 1 TSD to John Doe");   // count 1: consumed
    EXPECT_NE(text_of(again), "Payment completed. Eve also received 9,000.00 TSD.");
}

TEST_F(SandboxService, TokenFaults)
{
    auto t = access_token();
    admin_json(http::verb::post, "/admin/faults",
               R"({"endpoint":"tasks","action":"expire_tokens"})");
    EXPECT_EQ(send_raw(t, json::serialize(task_body("list all payees"))).message.result_int(),
              401u);
    // The request log lists it as answered unauthenticated.
    auto logged = admin_json(http::verb::get, "/admin/requests").at("requests").at(0);
    EXPECT_EQ(logged.at("fault"), "expire_tokens");
    EXPECT_EQ(logged.at("status"), 401);
    EXPECT_TRUE(logged.at("client_id").is_null());
    auto t2 = access_token();
    EXPECT_EQ(send_raw(t2, json::serialize(task_body("list all payees"))).message.result_int(),
              200u);
    admin_json(http::verb::post, "/admin/faults", R"({"endpoint":"any","action":"revoke_tokens"})");
    EXPECT_EQ(send_raw(t2, json::serialize(task_body("list all payees"))).message.result_int(),
              401u);
}

TEST_F(SandboxService, FaultSpecsAreStrict)
{
    auto bad = [&](std::string body) {
        auto r = svc.handle_admin(
            make(http::verb::post, "/admin/faults", std::move(body), "application/json"));
        EXPECT_EQ(r.message.result_int(), 400u);
        return std::string(json::parse(r.message.body()).at("error").as_string());
    };
    EXPECT_THAT(bad(R"({"endpoint":"tasks","action":"explode"})"), HasSubstr("'action'"));
    EXPECT_THAT(bad(R"({"endpoint":"nowhere","action":"stall"})"), HasSubstr("'endpoint'"));
    EXPECT_THAT(bad(R"({"endpoint":"token","prompt_kind":"payment","action":"stall"})"),
                HasSubstr("prompt_kind"));
    EXPECT_THAT(bad(R"({"action":"status"})"), HasSubstr("'status'"));
    EXPECT_THAT(bad(R"({"action":"delay","delay_ms":5,"colour":1})"),
                HasSubstr("unknown key 'colour'"));
    EXPECT_THAT(bad(R"({"action":"stall","count":0})"), HasSubstr("'count'"));
    EXPECT_THAT(bad(R"({"endpoint":"token","action":"replace_reply","text":"x"})"),
                HasSubstr("only to endpoint 'tasks'"));
    EXPECT_THAT(bad(R"({"endpoint":"tasks","action":"replace_reply"})"), HasSubstr("'text'"));
    EXPECT_THAT(bad("nope"), HasSubstr("JSON"));
}

TEST_F(SandboxService, AdminLedgerStatsAndReset)
{
    auto t = access_token();
    ask(t, "send 100 TSD to John Doe with memo \"rent\"", json::object{{"idempotencyKey", "k"}});
    auto ledger = admin_json(http::verb::get, "/admin/ledger");
    auto tx = ledger.at("transactions").at(0);
    EXPECT_EQ(tx.at("seq"), 1);
    EXPECT_EQ(tx.at("amount"), "100.00");
    EXPECT_EQ(tx.at("currency"), "TSD");
    EXPECT_EQ(tx.at("memo"), "rent");
    EXPECT_EQ(tx.at("idempotency_key"), "k");
    EXPECT_EQ(tx.at("task_id"), "tsk-1");
    EXPECT_EQ(tx.at("time"), "2026-11-18T11:06:40.000Z");
    EXPECT_EQ(ledger.at("wallets").at(0).at("balance"), "900.00");
    EXPECT_EQ(ledger.at("payees").at(0).at("name"), "John Doe");
    auto stats = admin_json(http::verb::get, "/admin/stats");
    EXPECT_EQ(stats.at("requests").at("token"), 1);
    EXPECT_EQ(stats.at("requests").at("tasks_send"), 1);
    EXPECT_EQ(stats.at("tokens_issued"), 1);
    admin_json(http::verb::post, "/admin/reset");
    ledger = admin_json(http::verb::get, "/admin/ledger");
    EXPECT_TRUE(ledger.at("transactions").as_array().empty());
    EXPECT_EQ(ledger.at("wallets").at(0).at("balance"), "1000.00");
    EXPECT_EQ(send_raw(t, json::serialize(task_body("list all payees"))).message.result_int(), 401u)
        << "tokens are gone after a reset";
    EXPECT_EQ(admin_json(http::verb::get, "/admin/stats").at("requests").at("tasks_send"), 1);
}

// The request log lists every tasks.send request: paid, faulted, refused, unauthenticated,
// invalid; with who sent it and what became of it. Other endpoints are not listed.
TEST_F(SandboxService, RequestLogListsEveryTasksRequest)
{
    auto t = access_token();
    const std::string pay = "send 100.00 TSD to \"John Doe\" from the \"Operations\" wallet "
                            "with memo \"rent pm:rent-john:20261201T0900\"";
    ask(t, pay, json::object{{"idempotencyKey", "k-1"}});
    admin_json(http::verb::post, "/admin/faults",
               R"({"endpoint":"tasks","action":"status","status":500})");
    clock_now += std::chrono::seconds(1);
    EXPECT_EQ(send_raw(t, json::serialize(task_body(pay, json::object{{"idempotencyKey", "k-2"}})))
                  .message.result_int(),
              500u);
    admin_json(http::verb::post, "/admin/faults",
               R"({"endpoint":"tasks","action":"reset_after_read"})");
    EXPECT_EQ(send_raw(t, json::serialize(task_body(pay, json::object{{"idempotencyKey", "k-3"}})))
                  .action,
              transport_action::reset);
    admin_json(http::verb::post, "/admin/faults", R"({"endpoint":"tasks","action":"stall"})");
    send_raw(t, json::serialize(task_body("list all payees")));
    EXPECT_EQ(send_raw("", json::serialize(task_body(pay))).message.result_int(), 401u);
    EXPECT_EQ(send_raw("pmat_forged", json::serialize(task_body(pay))).message.result_int(), 401u);
    send_raw(t, "{not json");
    EXPECT_EQ(svc.state().transactions.size(), 2u);  // k-1, and k-3 before its reset

    auto log = admin_json(http::verb::get, "/admin/requests");
    EXPECT_EQ(log.at("dropped"), 0);
    const auto& requests = log.at("requests").as_array();
    ASSERT_EQ(requests.size(), 7u) << log;
    for (std::size_t i = 0; i < requests.size(); ++i)
        EXPECT_EQ(requests[i].at("seq"), static_cast<std::int64_t>(i + 1));

    const auto& paid = requests[0];
    EXPECT_EQ(paid.at("time"), "2026-11-18T11:06:40.000Z");
    EXPECT_EQ(paid.at("client_id"), "pm-test-client");
    EXPECT_EQ(paid.at("idempotency_key"), "k-1");
    EXPECT_EQ(paid.at("metadata"), (json::object{{"idempotencyKey", "k-1"}}));
    EXPECT_EQ(paid.at("memo_tag"), "pm:rent-john:20261201T0900");
    EXPECT_EQ(paid.at("text").as_string(), pay);
    EXPECT_TRUE(paid.at("fault").is_null());
    EXPECT_EQ(paid.at("status"), 200);

    EXPECT_EQ(requests[1].at("time"), "2026-11-18T11:06:41.000Z");
    EXPECT_EQ(requests[1].at("idempotency_key"), "k-2");
    EXPECT_EQ(requests[1].at("fault"), "status");
    EXPECT_EQ(requests[1].at("status"), 500);
    EXPECT_EQ(requests[1].at("client_id"), "pm-test-client");
    EXPECT_EQ(requests[2].at("fault"), "reset_after_read");
    EXPECT_TRUE(requests[2].at("status").is_null());
    EXPECT_EQ(requests[3].at("fault"), "stall");
    EXPECT_TRUE(requests[3].at("status").is_null());
    EXPECT_TRUE(requests[3].at("memo_tag").is_null());
    for (std::size_t i : {4u, 5u}) {
        EXPECT_TRUE(requests[i].at("client_id").is_null()) << i;
        EXPECT_EQ(requests[i].at("status"), 401) << i;
        EXPECT_EQ(requests[i].at("memo_tag"), "pm:rent-john:20261201T0900") << i;
        EXPECT_TRUE(requests[i].at("metadata").is_null()) << i;
        EXPECT_TRUE(requests[i].at("idempotency_key").is_null()) << i;
    }
    EXPECT_EQ(requests[6].at("text"), "");
    EXPECT_EQ(requests[6].at("status"), 200);  // a JSON-RPC parse error
    EXPECT_EQ(requests[6].at("client_id"), "pm-test-client");

    auto later = admin_json(http::verb::get, "/admin/requests?after=5");
    ASSERT_EQ(later.at("requests").as_array().size(), 2u);
    EXPECT_EQ(later.at("requests").at(0).at("seq"), 6);

    admin_json(http::verb::post, "/admin/reset");
    EXPECT_TRUE(admin_json(http::verb::get, "/admin/requests").at("requests").as_array().empty());
    access_token();
    ask(access_token(), "list all payees");
    log = admin_json(http::verb::get, "/admin/requests");
    ASSERT_EQ(log.at("requests").as_array().size(), 1u);
    EXPECT_EQ(log.at("requests").at(0).at("seq"), 1);
}

TEST_F(SandboxService, RequestLogQueryIsStrict)
{
    for (std::string target : {"/admin/requests?after=x", "/admin/requests?after=-1",
                               "/admin/requests?since=1", "/admin/requests?after=1&after=2",
                               "/admin/requests?after=1x", "/admin/requests?after=%zz"}) {
        auto r = svc.handle_admin(make(http::verb::get, target));
        EXPECT_EQ(r.message.result_int(), 400u) << target;
    }
    EXPECT_EQ(svc.handle_admin(make(http::verb::post, "/admin/requests")).message.result_int(),
              405u);
    EXPECT_EQ(admin_json(http::verb::get, "/admin/requests?after=0").at("dropped"), 0);
}

TEST_F(SandboxService, StatePersistsAndReloads)
{
    test::temp_dir dir;
    auto file = dir / "state.json";
    {
        service s(test_config(), file, [this] { return clock_now; });
        request req{http::verb::post, "/api/oauth2/token?grant_type=client_credentials", 11};
        req.set(http::field::authorization, basic("pm-test-client", "test-secret-123"));
        auto t = std::string(
            json::parse(s.handle_api(req).message.body()).at("accessToken").as_string());
        request ask_req{http::verb::post, "/api/a2a/tasks/send", 11};
        ask_req.set(http::field::content_type, "application/json");
        ask_req.set("x-payman-access-token", t);
        ask_req.body() = json::serialize(task_body("send 250 TSD to John Doe"));
        ask_req.prepare_payload();
        s.handle_api(ask_req);
    }
    service reloaded(test_config(), file, [this] { return clock_now; });
    ASSERT_TRUE(reloaded.startup().has_value()) << reloaded.startup().error().message;
    EXPECT_EQ(reloaded.state().wallets[0].balance, 75000);
    EXPECT_EQ(reloaded.state().transactions.size(), 1u);
    EXPECT_EQ(reloaded.state().tokens.size(), 1u);
}

TEST_F(SandboxService, CorruptStateFileIsRefused)
{
    test::temp_dir dir;
    auto file = dir.write("state.json", "{\"version\":1,\"wallets\":7}");
    service s(test_config(), file);
    ASSERT_FALSE(s.startup().has_value());
    EXPECT_THAT(s.startup().error().message, HasSubstr("state file"));
}

TEST_F(SandboxService, HandleBytesServesAWellFormedRequest)
{
    auto t = access_token();
    std::string body = json::serialize(task_body("list all payees"));
    std::string raw =
        "POST /api/a2a/tasks/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "x-payman-access-token: " +
        t + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    std::string out = svc.handle_bytes(raw);
    EXPECT_THAT(out, StartsWith("HTTP/1.1 200 OK"));
    EXPECT_THAT(out, HasSubstr("John Doe"));
}

TEST_F(SandboxService, TooManyHeadersAre431)
{
    std::string raw = "GET /api/a2a/tasks/send HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 100; ++i) raw += "X-H" + std::to_string(i) + ": v\r\n";
    raw += "\r\n";
    EXPECT_THAT(svc.handle_bytes(raw), StartsWith("HTTP/1.1 431"));
}

// Random and mutated input must never crash the handler and always yield an HTTP response.
TEST_F(SandboxService, GarbageNeverCrashesTheHandler)
{
    auto t = access_token();
    std::string body = json::serialize(task_body("send 1 TSD to John Doe with memo \"x\""));
    std::string valid =
        "POST /api/a2a/tasks/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "x-payman-access-token: " +
        t + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    std::string token_req = "POST /api/oauth2/token?grant_type=client_credentials HTTP/1.1\r\n"
                            "Authorization: Basic cG0tdGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQtMTIz\r\n"
                            "Content-Length: 0\r\n\r\n";
    std::mt19937_64 rng(12345);
    for (int i = 0; i < 20000; ++i) {
        std::string input;
        switch (i % 4) {
        case 0: {  // random bytes
            input.resize(rng() % 512);
            for (auto& c : input) c = static_cast<char>(rng());
            break;
        }
        case 1:
        case 2: {  // a valid request with a few bytes flipped, inserted or removed
            input = i % 8 < 4 ? valid : token_req;
            int edits = 1 + static_cast<int>(rng() % 8);
            for (int e = 0; e < edits && !input.empty(); ++e) {
                std::size_t at = rng() % input.size();
                switch (rng() % 3) {
                case 0:
                    input[at] = static_cast<char>(rng());
                    break;
                case 1:
                    input.insert(at, 1, static_cast<char>(rng()));
                    break;
                default:
                    input.erase(at, 1);
                    break;
                }
            }
            break;
        }
        default: {  // a valid HTTP frame around a random JSON-ish body
            std::string junk;
            junk.resize(rng() % 256);
            const char alphabet[] = "{}[]\":,0123456789.-eE truefalsnul\\abc";
            for (auto& c : junk) c = alphabet[rng() % (sizeof alphabet - 1)];
            input = "POST /api/a2a/tasks/send HTTP/1.1\r\nContent-Type: application/json\r\n"
                    "x-payman-access-token: " +
                    t + "\r\nContent-Length: " + std::to_string(junk.size()) + "\r\n\r\n" + junk;
            break;
        }
        }
        std::string out = svc.handle_bytes(input, i % 16 == 0);
        ASSERT_THAT(out, StartsWith("HTTP/1.1 ")) << i;
    }
    for (const auto& tx : svc.state().transactions) EXPECT_EQ(tx.amount, 100);
}

}  // namespace
}  // namespace paymand::sandbox
