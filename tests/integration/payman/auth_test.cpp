// The three ways to authenticate, token reuse and renewal, and single-flight token fetches,
// against payman-sandbox (its stats count token requests).

#include "client_fixture.hpp"

namespace paymand::test {
namespace {

namespace json = boost::json;
using payman::error_class;
using payman::payman_errc;

class auth : public client_test {};

TEST_F(auth, with_credentials_fetches_a_token_and_asks)
{
    sandbox_process sb;
    auto c = credentials_client(sb);
    auto r = ask(c, "list all wallets and their balances");
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->state, payman::task_state::completed);
    EXPECT_NE(r->reply_text().find("Operations"), std::string::npos) << r->reply_text();
    EXPECT_EQ(r->session_id, c.session_id());
    EXPECT_EQ(r->task_id.substr(0, 4), "tsk-");
    EXPECT_EQ(stat(sb, "requests.token"), 1);
    EXPECT_EQ(stat(sb, "requests.tasks_send"), 1);
}

std::string approve_code(sandbox_process& sb)
{
    auto reply = http_request(
        {.method = "POST",
         .url = sb.base_url() + "/oauth/authorize?client_id=" + std::string(sandbox_client_id) +
                "&redirect_uri=" + "http%3A%2F%2F127.0.0.1%3A9%2Fcallback" + "&state=xyz",
         .body = "decision=approve",
         .headers = {{"Content-Type", "application/x-www-form-urlencoded"}}});
    const auto location = reply.header("location");
    const auto at = location.find("code=");
    if (reply.status != 302 || at == std::string::npos)
        throw std::runtime_error("consent did not redirect with a code: " +
                                 std::to_string(reply.status) + " " + reply.body);
    auto code = location.substr(at + 5);
    code = code.substr(0, code.find('&'));
    return code;
}

TEST_F(auth, with_auth_code_exchanges_the_code_once_and_then_refreshes)
{
    sandbox_process sb;
    auto clock = std::make_shared<manual_clock>();
    auto config = config_for(sb);
    config.clock = clock;
    auto c = payman::client::with_auth_code(
        io.get_executor(), config, std::string(sandbox_client_id),
        payman::secret(sandbox_client_secret), payman::secret(approve_code(sb)));
    ASSERT_TRUE(c) << c.error().what();
    auto r = ask(*c, "what's my wallet balance?");
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->state, payman::task_state::completed);
    EXPECT_NE(all_log().find("authorization_code grant"), std::string::npos) << all_log();

    clock->advance(3541s);  // inside the 60 s margin of the sandbox's 3600 s tokens
    auto again = ask(*c, "what's my wallet balance?");
    ASSERT_TRUE(again) << again.error().what();
    EXPECT_NE(all_log().find("(refresh_token grant)"), std::string::npos) << all_log();
    EXPECT_EQ(stat(sb, "requests.token"), 2);
}

TEST_F(auth, with_token_uses_the_given_token_without_fetching)
{
    sandbox_process sb;
    auto token = sb.fetch_token();
    const auto before = stat(sb, "requests.token");
    auto c = payman::client::with_token(
        io.get_executor(), config_for(sb), std::string(sandbox_client_id),
        payman::token_info{payman::secret(std::string_view(token.at("accessToken").as_string())),
                           3600s});
    ASSERT_TRUE(c) << c.error().what();
    auto r = ask(*c, "list all payees");
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_NE(r->reply_text().find("John Doe"), std::string::npos) << r->reply_text();
    EXPECT_EQ(stat(sb, "requests.token"), before);
}

TEST_F(auth, with_token_and_refresh_token_renews_with_the_refresh_grant)
{
    sandbox_process sb(
        params_with([](sandbox_params& p) { p.defaults.refresh_with_client_credentials = true; }));
    auto token = sb.fetch_token();
    ASSERT_TRUE(token.as_object().contains("refreshToken")) << json::serialize(token);
    auto clock = std::make_shared<manual_clock>();
    auto config = config_for(sb);
    config.clock = clock;
    auto c = payman::client::with_token(
        io.get_executor(), config, std::string(sandbox_client_id),
        payman::token_info{payman::secret(std::string_view(token.at("accessToken").as_string())),
                           3600s,
                           payman::secret(std::string_view(token.at("refreshToken").as_string()))},
        payman::secret(sandbox_client_secret));
    ASSERT_TRUE(c);
    clock->advance(3550s);
    auto r = ask(*c, "list all payees");
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_NE(all_log().find("(refresh_token grant)"), std::string::npos) << all_log();
    // The rotated refresh token replaced the spent one: renewing again works.
    clock->advance(3550s);
    auto again = ask(*c, "list all payees");
    ASSERT_TRUE(again) << again.error().what();
    EXPECT_EQ(stat(sb, "requests.token"), 3);
}

TEST_F(auth, a_given_token_without_refresh_fails_clearly_once_expired)
{
    sandbox_process sb;
    auto token = sb.fetch_token();
    auto clock = std::make_shared<manual_clock>();
    auto config = config_for(sb);
    config.clock = clock;
    auto c = payman::client::with_token(
        io.get_executor(), config, std::string(sandbox_client_id),
        payman::token_info{payman::secret(std::string_view(token.at("accessToken").as_string())),
                           600s});
    ASSERT_TRUE(c);
    ASSERT_TRUE(ask(*c, "list all payees"));
    clock->advance(600s);
    const auto sent = stat(sb, "requests.tasks_send");
    auto r = ask(*c, "list all payees");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_class::not_sent);
    EXPECT_EQ(r.error().code, payman_errc::token_expired);
    EXPECT_NE(r.error().message.find("supply a new token"), std::string::npos) << r.error().message;
    EXPECT_EQ(stat(sb, "requests.tasks_send"), sent);  // nothing sent with a dead token
}

TEST_F(auth, a_token_is_reused_across_asks)
{
    sandbox_process sb;
    auto c = credentials_client(sb);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(ask(c, "what's my wallet balance?"));
    EXPECT_EQ(stat(sb, "requests.token"), 1);
    EXPECT_EQ(c.stats().token_requests, 1u);
}

TEST_F(auth, a_token_is_renewed_sixty_seconds_before_it_expires)
{
    sandbox_process sb;
    auto clock = std::make_shared<manual_clock>();
    auto config = config_for(sb);
    config.clock = clock;
    auto c = credentials_client(sb, config);
    ASSERT_TRUE(ask(c, "what's my wallet balance?"));
    clock->advance(3539s);
    ASSERT_TRUE(ask(c, "what's my wallet balance?"));
    EXPECT_EQ(stat(sb, "requests.token"), 1);
    clock->advance(1s);
    ASSERT_TRUE(ask(c, "what's my wallet balance?"));
    EXPECT_EQ(stat(sb, "requests.token"), 2);
}

TEST_F(auth, a_short_token_lifetime_gets_a_fresh_token_for_each_ask)
{
    // 30 s tokens are inside the 60 s margin from the start, so none is ever reused.
    sandbox_process sb(params_with([](sandbox_params& p) { p.defaults.token_lifetime_s = 30; }));
    auto c = credentials_client(sb);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(ask(c, "what's my wallet balance?"));
    EXPECT_EQ(stat(sb, "requests.token"), 3);
}

TEST_F(auth, access_token_reports_the_remaining_lifetime)
{
    sandbox_process sb;
    auto clock = std::make_shared<manual_clock>();
    auto config = config_for(sb);
    config.clock = clock;
    auto c = credentials_client(sb, config);
    using token_result = boost::system::result<payman::token_info, payman::client_error>;
    auto t = run<token_result>([&] { return c.async_access_token(); });
    ASSERT_TRUE(t) << t.error().what();
    EXPECT_EQ(t->expires_in, 3600s);
    EXPECT_FALSE(t->access_token.empty());
    clock->advance(100s);
    auto later = run<token_result>([&] { return c.async_access_token(); });
    ASSERT_TRUE(later);
    EXPECT_EQ(later->expires_in, 3500s);
    EXPECT_EQ(later->access_token, t->access_token);
    EXPECT_EQ(stat(sb, "requests.token"), 1);
}

TEST_F(auth, fifty_concurrent_asks_share_a_single_token_fetch)
{
    sandbox_process sb;
    auto c = credentials_client(sb);
    std::vector<std::optional<ask_outcome>> results(50);
    for (auto& slot : results) {
        boost::asio::co_spawn(
            io,
            [&]() -> boost::asio::awaitable<void> {
                slot.emplace(co_await c.async_ask("what's my wallet balance?"));
            },
            [](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);
            });
    }
    io.run_for(60s);
    for (const auto& r : results) {
        ASSERT_TRUE(r.has_value());
        ASSERT_TRUE(*r) << r->error().what();
    }
    EXPECT_EQ(stat(sb, "requests.token"), 1);
    EXPECT_EQ(stat(sb, "requests.tasks_send"), 50);
    // The pool (4 connections by default) carried them all.
    EXPECT_LE(stat(sb, "connections"), 4);
    EXPECT_LE(c.stats().connections_opened, 4u);
}

TEST_F(auth, concurrent_asks_share_a_failed_token_fetch)
{
    sandbox_process sb;
    sb.inject_fault(
        json::value{{"endpoint", "token"}, {"action", "status"}, {"status", 500}, {"count", 100}});
    auto c = credentials_client(sb);
    std::vector<std::optional<ask_outcome>> results(10);
    for (auto& slot : results) {
        boost::asio::co_spawn(
            io,
            [&]() -> boost::asio::awaitable<void> {
                slot.emplace(co_await c.async_ask("list all payees"));
            },
            [](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);
            });
    }
    io.run_for(60s);
    for (const auto& r : results) {
        ASSERT_TRUE(r.has_value());
        ASSERT_FALSE(*r);
        EXPECT_EQ(r->error().code, payman_errc::token_request_failed);
        EXPECT_EQ(r->error().kind, error_class::not_sent);
    }
    EXPECT_EQ(stat(sb, "requests.token"), 1);
    EXPECT_EQ(stat(sb, "requests.tasks_send"), 0);
}

TEST_F(auth, wrong_credentials_are_refused_before_anything_is_sent)
{
    sandbox_process sb;
    auto c = payman::client::with_credentials(io.get_executor(), config_for(sb),
                                              std::string(sandbox_client_id),
                                              payman::secret("not-the-secret"));
    ASSERT_TRUE(c);
    auto r = ask(*c, "list all payees");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_class::not_sent);
    EXPECT_EQ(r.error().code, payman_errc::token_refused);
    EXPECT_EQ(r.error().http_status, 401);
    EXPECT_NE(r.error().diagnostics.find("not_authorized"), std::string::npos)
        << r.error().diagnostics;
    EXPECT_EQ(r.error().what().find("not-the-secret"), std::string::npos);
    EXPECT_EQ(stat(sb, "requests.tasks_send"), 0);
}

}  // namespace
}  // namespace paymand::test

namespace paymand::test {
namespace {

// A person's grant: every refresh token the server hands out is given to the holder before
// its access token is used; when the holder cannot store it, nothing is sent with that access
// token, and the next ask renews with the new refresh token (the spent one is never sent
// again: the sandbox would refuse it).
TEST_F(auth, a_rotated_refresh_token_is_stored_before_its_access_token_is_used)
{
    sandbox_process sb;
    auto clock = std::make_shared<manual_clock>();
    auto config = config_for(sb);
    config.clock = clock;
    std::vector<std::string> stored;
    bool storage_fails = false;
    int asks_seen_by_hook = -1;
    config.grant_events.on_refresh_token =
        [&](const payman::token_response& answer,
            payman::grant_type) -> boost::system::result<void, std::string> {
        asks_seen_by_hook = static_cast<int>(stat(sb, "requests.tasks_send"));
        if (storage_fails) return std::string("disk full");
        stored.emplace_back(answer.refresh_token->expose());
        return {};
    };
    auto c = payman::client::with_auth_code(
        io.get_executor(), config, std::string(sandbox_client_id),
        payman::secret(sandbox_client_secret), payman::secret(approve_code(sb)));
    ASSERT_TRUE(c);
    ASSERT_TRUE(ask(*c, "list all payees"));
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(asks_seen_by_hook, 0) << "stored before the first ask was sent";

    clock->advance(3550s);
    storage_fails = true;
    auto refused = ask(*c, "list all payees");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, payman::payman_errc::token_not_stored);
    EXPECT_EQ(refused.error().kind, payman::error_class::not_sent);
    EXPECT_EQ(stat(sb, "requests.tasks_send"), 1) << "nothing sent with the unstored token";

    storage_fails = false;
    auto again = ask(*c, "list all payees");
    ASSERT_TRUE(again) << again.error().what();
    EXPECT_EQ(stored.size(), 2u);
    EXPECT_EQ(stat(sb, "requests.token"), 3) << "exchange, unstored rotation, stored rotation";
}

// A refresh token the server refuses (revoked, expired unused, spent) is reported to the holder
// once, and never replaced by client credentials.
TEST_F(auth, a_refused_refresh_token_is_reported_to_the_holder)
{
    sandbox_process sb;
    auto config = config_for(sb);
    int refusals = 0;
    config.grant_events.on_refresh_token =
        [](const payman::token_response&,
           payman::grant_type) -> boost::system::result<void, std::string> { return {}; };
    config.grant_events.on_refused = [&](const payman::client_error&) { ++refusals; };
    auto c = payman::client::with_refresh_token(
        io.get_executor(), config, std::string(sandbox_client_id),
        payman::secret(sandbox_client_secret), payman::secret("pmrt_not_a_live_token"));
    ASSERT_TRUE(c);
    auto r = ask(*c, "list all payees");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, payman::payman_errc::token_refused);
    EXPECT_EQ(refusals, 1);
    EXPECT_EQ(stat(sb, "requests.tasks_send"), 0);
}

// A wrong client secret is the client's problem, not the grant's: the grant is not declared
// refused (a new consent would not help).
TEST_F(auth, a_wrong_client_secret_does_not_refuse_the_grant)
{
    sandbox_process sb;
    auto config = config_for(sb);
    int refusals = 0;
    config.grant_events.on_refused = [&](const payman::client_error&) { ++refusals; };
    auto c = payman::client::with_refresh_token(
        io.get_executor(), config, std::string(sandbox_client_id), payman::secret("not-the-secret"),
        payman::secret("pmrt_whatever"));
    ASSERT_TRUE(c);
    auto r = ask(*c, "list all payees");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().http_status, 401);
    EXPECT_EQ(refusals, 0);
}

}  // namespace
}  // namespace paymand::test
