// payman-sandbox as a process on 127.0.0.1: every endpoint and grant, each prompt family with
// its effect on the ledger (the admin API is the witness), each fault control over real
// sockets, limits, and persistence across a restart.

#include "support/process.hpp"
#include "support/sandbox.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/url/parse.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <regex>

namespace paymand::test {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string text_of(const http_reply& reply)
{
    auto v = reply.json();
    return std::string(
        v.at("result").at("artifacts").at(0).at("parts").at(0).at("text").as_string());
}

std::string state_of(const http_reply& reply)
{
    return std::string(reply.json().at("result").at("status").at("state").as_string());
}

std::string access_token_of(sandbox_process& sandbox)
{
    return std::string(sandbox.fetch_token().at("accessToken").as_string());
}

http_reply post_token(const sandbox_process& sandbox, std::string query, std::string body = {},
                      std::vector<std::pair<std::string, std::string>> headers = {})
{
    http_request_params p;
    p.method = "POST";
    p.url = sandbox.base_url() + "/oauth2/token" + (query.empty() ? "" : "?" + query);
    p.body = std::move(body);
    p.headers = std::move(headers);
    return http_request(p);
}

std::string basic_auth(std::string_view id = sandbox_client_id,
                       std::string_view secret = sandbox_client_secret)
{
    return "Basic " + base64_encode(std::string(id) + ":" + std::string(secret));
}

// A raw TCP connection for what an HTTP client library would not do.
class raw_connection {
public:
    explicit raw_connection(const std::string& url) : socket_(io_)
    {
        auto u = boost::urls::parse_uri(url).value();
        boost::asio::ip::tcp::resolver resolver(io_);
        boost::asio::connect(socket_,
                             resolver.resolve(std::string(u.host()), std::string(u.port())));
        timeval tv{10, 0};
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    void send(std::string_view bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }
    // Everything the server sends until it closes (or the 10 s guard passes).
    std::string read_all(boost::system::error_code& ec)
    {
        std::string out;
        char buf[4096];
        for (;;) {
            std::size_t n = socket_.read_some(boost::asio::buffer(buf), ec);
            out.append(buf, n);
            if (ec) return out;
        }
    }

private:
    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
};

TEST(SandboxProcess, PrintsAndWritesItsUrls)
{
    sandbox_process sandbox;
    EXPECT_THAT(sandbox.base_url(), ::testing::MatchesRegex(R"(http://127\.0\.0\.1:[0-9]+/api)"));
    EXPECT_THAT(sandbox.admin_url(), ::testing::MatchesRegex(R"(http://127\.0\.0\.1:[0-9]+)"));
    auto line = sandbox.process().wait_for_line(std::regex("payman-sandbox listening on (.*)"));
    EXPECT_EQ(line, sandbox.base_url());
    auto admin = sandbox.process().wait_for_line(std::regex("payman-sandbox admin on (.*)"));
    EXPECT_EQ(admin, sandbox.admin_url());
}

TEST(SandboxProcess, SigtermExitsCleanly)
{
    sandbox_process sandbox;
    auto status = sandbox.stop();
    EXPECT_TRUE(status.ok()) << sandbox.process().err();
}

TEST(SandboxProcess, BadConfigIsRefusedWithPosition)
{
    temp_dir dir;
    auto config = dir.write("bad.yaml", "clients:\n  - id: a\n    secret: s\n    sekret: t\n");
    auto result = run(our_binary("payman-sandbox"), {.args = {"--config", config.string()}});
    EXPECT_EQ(result.status.code, 2);
    EXPECT_THAT(result.err, HasSubstr("bad.yaml:4:5: error: unknown key 'sekret'"));
}

TEST(SandboxOAuth, ClientCredentialsWithBasicAuthAndQueryString)
{
    sandbox_process sandbox;
    auto r =
        post_token(sandbox, "grant_type=client_credentials", "", {{"Authorization", basic_auth()}});
    ASSERT_EQ(r.status, 200) << r.body;
    auto body = r.json();
    EXPECT_EQ(body.at("tokenType"), "Bearer");
    EXPECT_EQ(body.at("expiresIn"), 3600);
    EXPECT_EQ(sandbox.stats().at("tokens_issued"), 1);
}

TEST(SandboxOAuth, ClientCredentialsAsFormBody)
{
    sandbox_process sandbox;
    auto r = post_token(
        sandbox, "",
        "grant_type=client_credentials&client_id=pm-test-client&client_secret=test-secret-123",
        {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(r.status, 200) << r.body;
}

TEST(SandboxOAuth, WrongSecretIs401InPaymansShape)
{
    sandbox_process sandbox;
    auto r = post_token(sandbox, "grant_type=client_credentials", "",
                        {{"Authorization", basic_auth(sandbox_client_id, "nope")}});
    ASSERT_EQ(r.status, 401);
    auto body = r.json();
    EXPECT_EQ(body.at("status"), 401);
    EXPECT_EQ(body.at("errorCode"), "not_authorized");
    EXPECT_TRUE(body.as_object().contains("traceId"));
}

TEST(SandboxOAuth, AuthorizationCodeThroughTheConsentPageThenRefresh)
{
    sandbox_process sandbox;
    std::string redirect = "http%3A%2F%2F127.0.0.1%3A9%2Fcallback";
    http_request_params page;
    page.url = sandbox.base_url() +
               "/oauth/authorize?client_id=pm-test-client&redirect_uri=" + redirect +
               "&scope=read_balance,read_list_payees&state=s1&response_type=code";
    auto shown = http_request(page);
    ASSERT_EQ(shown.status, 200) << shown.body;
    EXPECT_THAT(shown.header("content-type"), StartsWith("text/html"));
    EXPECT_THAT(shown.body, HasSubstr("<form method=\"post\" action=\"/api/oauth/authorize\">"));

    http_request_params approve;
    approve.method = "POST";
    approve.url = sandbox.base_url() + "/oauth/authorize";
    approve.body = "client_id=pm-test-client&redirect_uri=" + redirect +
                   "&scope=read_balance%2Cread_list_payees&state=s1&decision=approve";
    approve.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    auto approved = http_request(approve);
    ASSERT_EQ(approved.status, 302) << approved.body;
    std::smatch m;
    std::string location = approved.header("location");
    ASSERT_TRUE(std::regex_match(
        location, m, std::regex(R"(http://127\.0\.0\.1:9/callback\?code=([^&]+)&state=s1)")))
        << location;

    auto exchanged = post_token(sandbox, "grant_type=authorization_code&code=" + m[1].str(), "",
                                {{"Authorization", basic_auth()}});
    ASSERT_EQ(exchanged.status, 200) << exchanged.body;
    auto tokens = exchanged.json();
    EXPECT_EQ(tokens.at("scope"), "read_balance,read_list_payees");
    std::string refresh(tokens.at("refreshToken").as_string());

    auto refreshed = post_token(sandbox, "grant_type=refresh_token&refresh_token=" + refresh, "",
                                {{"Authorization", basic_auth()}});
    ASSERT_EQ(refreshed.status, 200) << refreshed.body;
    EXPECT_NE(refreshed.json().at("refreshToken"), tokens.at("refreshToken"));
    auto reused = post_token(sandbox, "grant_type=refresh_token&refresh_token=" + refresh, "",
                             {{"Authorization", basic_auth()}});
    EXPECT_EQ(reused.status, 400);
    EXPECT_EQ(reused.json().at("errorCode"), "invalid_grant");

    std::string access(refreshed.json().at("accessToken").as_string());
    EXPECT_EQ(state_of(sandbox.ask(access, "list all payees")), "completed");
    EXPECT_THAT(text_of(sandbox.ask(access, "send 1 TSD to John Doe")),
                HasSubstr("write_send_payment"));
    EXPECT_EQ(sandbox.stats().at("requests").at("authorize"), 2);
}

TEST(SandboxAgent, EveryPromptFamilyWithItsLedgerEffect)
{
    sandbox_process sandbox;
    auto token = access_token_of(sandbox);

    auto balance = sandbox.ask(token, "list all wallets and their balances");
    EXPECT_EQ(state_of(balance), "completed");
    EXPECT_THAT(text_of(balance), HasSubstr("Operations"));
    EXPECT_THAT(text_of(balance), HasSubstr("1,000.00"));

    auto payees = sandbox.ask(token, "list all payees");
    EXPECT_THAT(text_of(payees), HasSubstr("John Doe"));

    auto created =
        sandbox.ask(token, "create a new payee named Jane Smith with email jane@example.com");
    EXPECT_EQ(state_of(created), "completed");
    auto ledger = sandbox.ledger();
    ASSERT_EQ(ledger.at("payees").as_array().size(), 2u);
    EXPECT_EQ(ledger.at("payees").at(1).at("email"), "jane@example.com");

    auto paid = sandbox.ask(token,
                            "send 100.00 TSD to Jane Smith from the Operations wallet with "
                            "memo \"Rent December 2026\"",
                            json::object{{"idempotencyKey", "occ-1"}});
    EXPECT_EQ(state_of(paid), "completed");
    ledger = sandbox.ledger();
    ASSERT_EQ(ledger.at("transactions").as_array().size(), 1u);
    auto tx = ledger.at("transactions").at(0);
    EXPECT_EQ(tx.at("amount"), "100.00");
    EXPECT_EQ(tx.at("payee"), "Jane Smith");
    EXPECT_EQ(tx.at("wallet"), "Operations");
    EXPECT_EQ(tx.at("memo"), "Rent December 2026");
    EXPECT_EQ(tx.at("client_id"), "pm-test-client");
    EXPECT_EQ(tx.at("idempotency_key"), "occ-1");
    EXPECT_THAT(std::string(tx.at("task_id").as_string()), StartsWith("tsk-test-"));
    EXPECT_EQ(ledger.at("wallets").at(0).at("balance"), "900.00");

    auto repeat = sandbox.ask(token,
                              "send 100.00 TSD to Jane Smith from the Operations wallet with "
                              "memo \"Rent December 2026\"",
                              json::object{{"idempotency_key", "occ-1"}});
    EXPECT_EQ(text_of(repeat), text_of(paid));
    EXPECT_EQ(sandbox.ledger().at("transactions").as_array().size(), 1u);

    auto poor = sandbox.ask(token, "send 5000 TSD to John Doe");
    EXPECT_THAT(text_of(poor), HasSubstr("insufficient funds"));
    EXPECT_EQ(sandbox.ledger().at("wallets").at(0).at("balance"), "900.00");

    auto history = sandbox.ask(token, "show my last 5 transactions");
    EXPECT_THAT(text_of(history), HasSubstr("Jane Smith"));

    auto wallet = sandbox.ask(token, "create a new TSD wallet named Savings");
    EXPECT_EQ(state_of(wallet), "completed");
    EXPECT_EQ(sandbox.ledger().at("wallets").at(1).at("name"), "Savings");

    auto unknown = sandbox.ask(token, "write me a poem about money");
    EXPECT_EQ(state_of(unknown), "completed");
    EXPECT_THAT(text_of(unknown), ::testing::ContainsRegex("(sorry|Sorry|not able)"));
}

TEST(SandboxAgent, PerTransactionLimitFlagsForApproval)
{
    sandbox_process sandbox({.defaults = {.per_transaction_limit = "500.00"}});
    auto token = access_token_of(sandbox);
    auto r = sandbox.ask(token, "send 600 TSD to John Doe");
    EXPECT_EQ(state_of(r), "input-required");
    EXPECT_THAT(text_of(r), HasSubstr("flagged for approval"));
    EXPECT_TRUE(sandbox.ledger().at("transactions").as_array().empty());
}

TEST(SandboxAgent, ReadOnlyClientIsRefusedAPayment)
{
    sandbox_process sandbox({.defaults = {.scope_denial = "http"}});
    auto token =
        std::string(sandbox.fetch_token(sandbox_readonly_client_id, sandbox_readonly_client_secret)
                        .at("accessToken")
                        .as_string());
    auto r = sandbox.ask(token, "send 1 TSD to John Doe");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.json().at("errorCode"), "insufficient_scope");
    EXPECT_EQ(sandbox.ask(token, "what's my wallet balance?").status, 200);
}

TEST(SandboxAgent, ShortLivedTokensExpire)
{
    sandbox_process sandbox({.defaults = {.token_lifetime_s = 1}});
    auto token = access_token_of(sandbox);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 200;
    while (status == 200 && std::chrono::steady_clock::now() < deadline)
        status = sandbox.ask(token, "list all payees").status;
    EXPECT_EQ(status, 401);
}

class SandboxFaults : public ::testing::Test {
protected:
    http_reply pay(std::chrono::milliseconds timeout = std::chrono::seconds(20))
    {
        http_request_params p;
        p.method = "POST";
        p.url = sandbox.base_url() + "/a2a/tasks/send";
        p.timeout = timeout;
        p.headers = {{"Content-Type", "application/json"}, {"x-payman-access-token", token}};
        p.body = R"({"jsonrpc":"2.0","id":"req-f","method":"tasks.send","params":{"id":"tsk-f",)"
                 R"("sessionId":"ses-f","message":{"role":"user","parts":[{"type":"text",)"
                 R"("text":"send 10 TSD to John Doe"}]},"metadata":null}})";
        return http_request(p);
    }
    std::size_t payments() { return sandbox.ledger().at("transactions").as_array().size(); }

    sandbox_process sandbox;
    std::string token = access_token_of(sandbox);
};

TEST_F(SandboxFaults, StatusWithRetryAfter)
{
    sandbox.inject_fault(
        {{"endpoint", "tasks"}, {"action", "status"}, {"status", 503}, {"retry_after", 2}});
    auto r = pay();
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.header("retry-after"), "2");
    EXPECT_EQ(r.json().at("status"), 503);
    EXPECT_EQ(payments(), 0u);
    EXPECT_EQ(pay().status, 200);
    EXPECT_EQ(payments(), 1u);
}

TEST_F(SandboxFaults, StatusOnTheTokenEndpointWithCount)
{
    sandbox.inject_fault(
        {{"endpoint", "token"}, {"action", "status"}, {"status", 429}, {"count", 2}});
    EXPECT_EQ(
        post_token(sandbox, "grant_type=client_credentials", "", {{"Authorization", basic_auth()}})
            .status,
        429);
    EXPECT_EQ(
        post_token(sandbox, "grant_type=client_credentials", "", {{"Authorization", basic_auth()}})
            .status,
        429);
    EXPECT_EQ(
        post_token(sandbox, "grant_type=client_credentials", "", {{"Authorization", basic_auth()}})
            .status,
        200);
}

TEST_F(SandboxFaults, PromptKindSelectsTheRequest)
{
    sandbox.inject_fault(
        {{"endpoint", "tasks"}, {"prompt_kind", "balance"}, {"action", "status"}, {"status", 500}});
    EXPECT_EQ(pay().status, 200);
    EXPECT_EQ(sandbox.ask(token, "what's my wallet balance?").status, 500);
}

TEST_F(SandboxFaults, DelayThenAnswer)
{
    sandbox.inject_fault({{"endpoint", "tasks"}, {"action", "delay"}, {"delay_ms", 400}});
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(pay().status, 200);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
    EXPECT_EQ(payments(), 1u);
}

TEST_F(SandboxFaults, DelayPastTheClientTimeoutStillPays)
{
    sandbox.inject_fault({{"endpoint", "tasks"}, {"action", "delay"}, {"delay_ms", 3000}});
    EXPECT_ANY_THROW(pay(std::chrono::milliseconds(300)));
    EXPECT_EQ(payments(), 1u);
}

// The request log witnesses every ask that reached the sandbox, answered or not: a payment,
// one executed but never answered, one refused by a 500, one without a token.
TEST_F(SandboxFaults, RequestLogWitnessesEveryAsk)
{
    const std::string pay_text = "send 10.00 TSD to \"John Doe\" from the \"Operations\" wallet "
                                 "with memo \"pm:rent-john:20261201T0900\"";
    EXPECT_EQ(sandbox.ask(token, pay_text, json::object{{"idempotencyKey", "k-1"}}).status, 200);
    sandbox.inject_fault({{"endpoint", "tasks"}, {"action", "reset_after_read"}});
    EXPECT_ANY_THROW(sandbox.ask(token, pay_text, json::object{{"idempotencyKey", "k-2"}}));
    sandbox.inject_fault({{"endpoint", "tasks"}, {"action", "status"}, {"status", 500}});
    EXPECT_EQ(sandbox.ask(token, pay_text, json::object{{"idempotencyKey", "k-3"}}).status, 500);
    EXPECT_EQ(sandbox.ask("", "what's my wallet balance?").status, 401);
    EXPECT_EQ(payments(), 2u);

    auto log = sandbox.requests();
    EXPECT_EQ(log.at("dropped"), 0);
    const auto& requests = log.at("requests").as_array();
    ASSERT_EQ(requests.size(), 4u) << log;
    const char* keys[] = {"k-1", "k-2", "k-3"};
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& r = requests[i];
        EXPECT_EQ(r.at("seq"), static_cast<std::int64_t>(i + 1));
        EXPECT_EQ(r.at("client_id").as_string(), sandbox_client_id);
        EXPECT_EQ(r.at("idempotency_key"), keys[i]);
        EXPECT_EQ(r.at("metadata"), (json::object{{"idempotencyKey", keys[i]}}));
        EXPECT_EQ(r.at("memo_tag"), "pm:rent-john:20261201T0900");
        EXPECT_EQ(r.at("text").as_string(), pay_text);
        EXPECT_THAT(std::string(r.at("time").as_string()), ::testing::EndsWith("Z"));
    }
    EXPECT_TRUE(requests[0].at("fault").is_null());
    EXPECT_EQ(requests[0].at("status"), 200);
    EXPECT_EQ(requests[1].at("fault"), "reset_after_read");
    EXPECT_TRUE(requests[1].at("status").is_null());
    EXPECT_EQ(requests[2].at("fault"), "status");
    EXPECT_EQ(requests[2].at("status"), 500);
    const auto& anonymous = requests[3];
    EXPECT_TRUE(anonymous.at("client_id").is_null());
    EXPECT_TRUE(anonymous.at("fault").is_null());
    EXPECT_EQ(anonymous.at("status"), 401);
    EXPECT_TRUE(anonymous.at("memo_tag").is_null());
    EXPECT_TRUE(anonymous.at("idempotency_key").is_null());
    EXPECT_TRUE(anonymous.at("metadata").is_null());
    EXPECT_EQ(anonymous.at("text"), "what's my wallet balance?");

    EXPECT_EQ(sandbox.requests(3).at("requests").as_array().size(), 1u);
    sandbox.reset();
    EXPECT_TRUE(sandbox.requests().at("requests").as_array().empty());
}

TEST_F(SandboxFaults, ResetBeforeReadPaysNothing)
{
    sandbox.inject_fault({{"endpoint", "tasks"}, {"action", "reset_before_read"}});
    EXPECT_ANY_THROW(pay());
    EXPECT_EQ(payments(), 0u);
}

TEST_F(SandboxFaults, ResetAfterReadPaysWithoutAnswer)
{
    sandbox.inject_fault(
        {{"endpoint", "tasks"}, {"prompt_kind", "payment"}, {"action", "reset_after_read"}});
    EXPECT_ANY_THROW(pay());
    EXPECT_EQ(payments(), 1u);
}

TEST_F(SandboxFaults, TruncatedBody)
{
    sandbox.inject_fault({{"endpoint", "tasks"}, {"action", "truncate"}});
    EXPECT_ANY_THROW(pay());  // Content-Length promises more than arrives
    EXPECT_EQ(payments(), 1u);
}

TEST_F(SandboxFaults, MalformedJson)
{
    sandbox.inject_fault({{"endpoint", "tasks"}, {"action", "malformed_json"}});
    auto r = pay();
    EXPECT_EQ(r.status, 200);
    EXPECT_ANY_THROW(r.json());
}

TEST_F(SandboxFaults, HugeBody)
{
    sandbox.inject_fault({{"endpoint", "tasks"}, {"action", "huge_body"}, {"size", 10485760}});
    auto r = pay();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.size(), 10485760u);
    EXPECT_EQ(payments(), 0u);
}

TEST_F(SandboxFaults, StallNeverAnswers)
{
    sandbox.inject_fault({{"endpoint", "any"}, {"action", "stall"}});
    EXPECT_ANY_THROW(pay(std::chrono::milliseconds(500)));
    EXPECT_EQ(payments(), 0u);
    EXPECT_EQ(pay().status, 200);  // the server goes on serving others
}

TEST_F(SandboxFaults, JsonRpcError)
{
    sandbox.inject_fault({{"endpoint", "tasks"}, {"action", "jsonrpc_error"}, {"code", -32603}});
    auto r = pay();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.json().at("error").at("code"), -32603);
    EXPECT_EQ(r.json().at("id"), "req-f");
    EXPECT_EQ(payments(), 0u);
}

TEST_F(SandboxFaults, ExpireTokens)
{
    sandbox.inject_fault({{"endpoint", "tasks"}, {"action", "expire_tokens"}});
    auto r = pay();
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.json().at("errorCode"), "token_expired");
    token = access_token_of(sandbox);
    EXPECT_EQ(pay().status, 200);
}

TEST_F(SandboxFaults, RevokeTokens)
{
    sandbox.inject_fault({{"endpoint", "tasks"}, {"action", "revoke_tokens"}});
    EXPECT_EQ(pay().status, 401);
    EXPECT_EQ(payments(), 0u);
}

TEST_F(SandboxFaults, ClearFaults)
{
    sandbox.inject_fault(
        {{"endpoint", "any"}, {"action", "status"}, {"status", 502}, {"count", 100}});
    sandbox.clear_faults();
    EXPECT_EQ(pay().status, 200);
}

TEST_F(SandboxFaults, ResetRestoresTheStartingState)
{
    EXPECT_EQ(pay().status, 200);
    sandbox.reset();
    EXPECT_EQ(payments(), 0u);
    EXPECT_EQ(sandbox.ledger().at("wallets").at(0).at("balance"), "1000.00");
    EXPECT_EQ(pay().status, 401);  // tokens are gone too
    EXPECT_EQ(sandbox.stats().at("requests").at("tasks_send"), 1);
}

TEST(SandboxPersistence, LedgerAndTokensSurviveARestart)
{
    sandbox_process sandbox;
    auto token = access_token_of(sandbox);
    ASSERT_EQ(state_of(sandbox.ask(token, "send 250 TSD to John Doe")), "completed");
    ASSERT_EQ(
        state_of(sandbox.ask(token, "create a payee named Jane Roe with email jane@roe.example")),
        "completed");
    auto before = sandbox.ledger();
    sandbox.restart();
    EXPECT_EQ(sandbox.ledger(), before);
    EXPECT_EQ(sandbox.ledger().at("wallets").at(0).at("balance"), "750.00");
    EXPECT_EQ(sandbox.ask(token, "list all payees").status, 200) << "the token persisted";
    EXPECT_EQ(state_of(sandbox.ask(token, "send 50 TSD to Jane Roe")), "completed");
    EXPECT_EQ(sandbox.ledger().at("transactions").at(1).at("seq"), 2);
}

TEST(SandboxLimits, OversizedBodyIs413)
{
    sandbox_process sandbox;
    // Only the header: the sandbox refuses on the announced length without reading the body
    // (a client still writing 2 MiB would see the connection closed under it).
    raw_connection raw(sandbox.base_url());
    raw.send("POST /api/a2a/tasks/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: 2097152\r\n\r\n");
    boost::system::error_code ec;
    EXPECT_THAT(raw.read_all(ec), StartsWith("HTTP/1.1 413"));
}

TEST(SandboxLimits, TooManyHeadersIs431)
{
    sandbox_process sandbox;
    http_request_params p;
    p.url = sandbox.base_url() + "/a2a/tasks/send";
    for (int i = 0; i < 80; ++i) p.headers.emplace_back("X-Filler-" + std::to_string(i), "v");
    EXPECT_EQ(http_request(p).status, 431);
}

TEST(SandboxLimits, GarbageGets400AndTheServerLivesOn)
{
    sandbox_process sandbox;
    raw_connection raw(sandbox.base_url());
    raw.send("\x16\x03\x01 this is not HTTP at all\r\n\r\n");
    boost::system::error_code ec;
    EXPECT_THAT(raw.read_all(ec), StartsWith("HTTP/1.1 400"));
    EXPECT_EQ(sandbox.stats().at("connections"), 1);
    EXPECT_EQ(sandbox.ask(access_token_of(sandbox), "list all payees").status, 200);
}

TEST(SandboxLimits, SlowClientIsDisconnected)
{
    std::string config = default_sandbox_config() + "limits:\n  header_timeout_ms: 200\n";
    sandbox_process sandbox({.config_yaml = config});
    raw_connection raw(sandbox.base_url());
    raw.send("POST /api/a2a/tasks/send HTTP/1.1\r\nHost: x\r\n");  // and never the rest
    auto start = std::chrono::steady_clock::now();
    boost::system::error_code ec;
    raw.read_all(ec);
    EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset)
        << ec.message();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(SandboxLimits, KeepAliveServesManyRequestsOnOneConnection)
{
    sandbox_process sandbox;
    auto token = access_token_of(sandbox);
    std::string body = R"({"jsonrpc":"2.0","id":"r","method":"tasks/send","params":{"id":"t",)"
                       R"("session_id":"s","message":{"role":"user","parts":[{"type":"text",)"
                       R"("text":"what's my wallet balance?"}]}}})";
    std::string request = "POST /api/a2a/tasks/send HTTP/1.1\r\nHost: x\r\nContent-Type: "
                          "application/json\r\nx-payman-access-token: " +
                          token + "\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\n\r\n" + body;
    raw_connection raw(sandbox.base_url());
    std::string all;
    for (int i = 0; i < 200; ++i) all += request;
    all += "GET /api/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    raw.send(all);
    boost::system::error_code ec;
    std::string out = raw.read_all(ec);
    std::size_t answers = 0;
    for (auto pos = out.find("HTTP/1.1 200 OK"); pos != std::string::npos;
         pos = out.find("HTTP/1.1 200 OK", pos + 1))
        ++answers;
    EXPECT_EQ(answers, 200u);
    EXPECT_THAT(out, HasSubstr("HTTP/1.1 404"));
    auto stats = sandbox.stats();
    EXPECT_EQ(stats.at("requests").at("tasks_send"), 200);
    EXPECT_EQ(stats.at("requests").at("other"), 1);
}

}  // namespace
}  // namespace paymand::test
