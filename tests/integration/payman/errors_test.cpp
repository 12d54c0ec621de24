// Each error class with its cause, made by the sandbox's fault controls; the ledger shows what
// really happened.

#include "client_fixture.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace paymand::test {
namespace {

namespace json = boost::json;
using payman::error_class;
using payman::payman_errc;

constexpr std::string_view payment = "send 100.00 TSD to John Doe";

class errors : public client_test {
protected:
    errors() : c(credentials_client(sb, tight(config_for(sb)))) {}

    // Short read deadline so delays and stalls show up quickly.
    static payman::client_config tight(payman::client_config config)
    {
        config.http.timeouts.read = 1500ms;
        return config;
    }

    // Fetches the token first, so that faults aimed at tasks hit the ask.
    void warm_up() { ASSERT_TRUE(ask(c, "what's my wallet balance?")); }

    payman::client_error fail_ask(std::string_view text = payment)
    {
        auto r = ask(c, std::string(text));
        if (r) throw std::runtime_error("the ask succeeded: " + r->reply_text());
        return r.error();
    }

    void fault(json::object f)
    {
        if (!f.contains("endpoint")) f["endpoint"] = "tasks";
        sb.inject_fault(f);
    }

    sandbox_process sb;
    payman::client c;
};

// --- not sent ---

TEST_F(errors, connection_refused_is_not_sent)
{
    // A port nobody listens on: bind, read the port, close.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    auto config = config_for(sb);
    config.base_url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/api";
    auto closed = credentials_client(sb, config);
    auto r = ask(closed, "list all payees");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_class::not_sent);
    EXPECT_EQ(r.error().code, payman_errc::connect_failed);
    EXPECT_EQ(r.error().cause, boost::asio::error::connection_refused);
}

TEST_F(errors, an_unresolvable_host_is_not_sent)
{
    auto config = config_for(sb);
    config.base_url = "https://no-such-host.invalid/api";
    config.http.timeouts.resolve = 5s;
    auto nowhere = credentials_client(sb, config);
    auto r = ask(nowhere, "list all payees");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_class::not_sent);
    EXPECT_EQ(r.error().code, payman_errc::resolve_failed);
}

TEST_F(errors, a_failing_token_endpoint_is_not_sent)
{
    fault({{"endpoint", "token"}, {"action", "status"}, {"status", 500}});
    auto e = fail_ask();
    EXPECT_EQ(e.kind, error_class::not_sent);
    EXPECT_EQ(e.code, payman_errc::token_request_failed);
    EXPECT_EQ(e.http_status, 500);
    EXPECT_EQ(ledger_size(sb), 0u);
}

TEST_F(errors, a_token_endpoint_that_resets_is_not_sent)
{
    fault({{"endpoint", "token"}, {"action", "reset_after_read"}});
    auto e = fail_ask();
    EXPECT_EQ(e.kind, error_class::not_sent);
    EXPECT_EQ(e.code, payman_errc::token_request_failed);
    EXPECT_EQ(stat(sb, "requests.tasks_send"), 0);
}

// --- rejected ---

TEST_F(errors, a_4xx_is_rejected_with_the_server_text_as_diagnostics)
{
    warm_up();
    fault({{"action", "status"}, {"status", 400}});
    auto e = fail_ask();
    EXPECT_EQ(e.kind, error_class::rejected);
    EXPECT_EQ(e.code, payman_errc::http_rejected);
    EXPECT_EQ(e.http_status, 400);
    EXPECT_FALSE(e.diagnostics.empty());
    EXPECT_EQ(ledger_size(sb), 0u);
}

TEST_F(errors, a_jsonrpc_error_is_rejected_with_its_code)
{
    warm_up();
    fault({{"action", "jsonrpc_error"}, {"code", -32603}});
    auto e = fail_ask();
    EXPECT_EQ(e.kind, error_class::rejected);
    EXPECT_EQ(e.code, payman_errc::jsonrpc_error);
    EXPECT_EQ(e.rpc_code, -32603);
}

TEST_F(errors, a_429_is_rejected_with_its_retry_after)
{
    warm_up();
    fault({{"action", "status"}, {"status", 429}, {"retry_after", 2}});
    auto e = fail_ask();
    EXPECT_EQ(e.kind, error_class::rejected);
    EXPECT_EQ(e.code, payman_errc::rate_limited);
    EXPECT_EQ(e.retry_after, 2s);
}

TEST_F(errors, a_missing_scope_answered_with_403_is_rejected)
{
    sandbox_process strict(
        params_with([](sandbox_params& p) { p.defaults.scope_denial = "http"; }));
    auto readonly = payman::client::with_credentials(
        io.get_executor(), config_for(strict), std::string(sandbox_readonly_client_id),
        payman::secret(sandbox_readonly_client_secret));
    ASSERT_TRUE(readonly);
    auto r = ask(*readonly, std::string(payment));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_class::rejected);
    EXPECT_EQ(r.error().code, payman_errc::forbidden);
    EXPECT_EQ(ledger_size(strict), 0u);
}

TEST_F(errors, an_expired_token_gets_one_renewal_and_one_resend)
{
    warm_up();
    fault({{"endpoint", "any"}, {"action", "expire_tokens"}});
    auto r = ask(c, std::string(payment));
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(stat(sb, "requests.token"), 2);
    EXPECT_EQ(ledger_size(sb), 1u);  // paid exactly once
    EXPECT_NE(all_log().find("HTTP 401"), std::string::npos);
}

TEST_F(errors, a_revoked_token_gets_one_renewal_and_one_resend)
{
    warm_up();
    fault({{"endpoint", "any"}, {"action", "revoke_tokens"}});
    auto r = ask(c, "list all payees");
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(stat(sb, "requests.token"), 2);
}

TEST_F(errors, a_second_401_is_rejected_without_a_third_try)
{
    warm_up();
    fault({{"action", "status"}, {"status", 401}, {"count", 5}});
    const auto sent = stat(sb, "requests.tasks_send");
    auto e = fail_ask();
    EXPECT_EQ(e.kind, error_class::rejected);
    EXPECT_EQ(e.code, payman_errc::unauthorized);
    EXPECT_EQ(stat(sb, "requests.tasks_send"), sent + 2);
    EXPECT_EQ(stat(sb, "requests.token"), 2);
}

// --- unknown outcome ---

TEST_F(errors, a_500_is_an_unknown_outcome)
{
    warm_up();
    fault({{"action", "status"}, {"status", 500}});
    auto e = fail_ask();
    EXPECT_EQ(e.kind, error_class::unknown_outcome);
    EXPECT_EQ(e.code, payman_errc::server_error);
}

TEST_F(errors, a_503_is_an_unknown_outcome_with_its_retry_after)
{
    warm_up();
    fault({{"action", "status"}, {"status", 503}, {"retry_after", 7}});
    auto e = fail_ask();
    EXPECT_EQ(e.kind, error_class::unknown_outcome);
    EXPECT_EQ(e.code, payman_errc::service_unavailable);
    EXPECT_EQ(e.retry_after, 7s);
}

TEST_F(errors, an_answer_later_than_the_read_deadline_is_an_unknown_outcome)
{
    warm_up();
    fault({{"action", "delay"}, {"delay_ms", 5000}});
    auto e = fail_ask();
    EXPECT_EQ(e.kind, error_class::unknown_outcome);
    EXPECT_EQ(e.code, payman_errc::response_timeout);
}

TEST_F(errors, a_server_that_never_answers_is_an_unknown_outcome)
{
    warm_up();
    fault({{"action", "stall"}});
    auto e = fail_ask();
    EXPECT_EQ(e.kind, error_class::unknown_outcome);
    EXPECT_EQ(e.code, payman_errc::response_timeout);
}

TEST_F(errors, a_reset_after_the_request_was_read_is_an_unknown_outcome_and_money_moved)
{
    warm_up();
    fault({{"action", "reset_after_read"}});
    auto e = fail_ask();
    EXPECT_EQ(e.kind, error_class::unknown_outcome);
    EXPECT_EQ(e.code, payman_errc::connection_lost);
    EXPECT_EQ(ledger_size(sb), 1u);  // the witness: it was carried out
}

TEST_F(errors, a_reset_before_the_request_was_read_is_still_an_unknown_outcome_to_the_client)
{
    // The client cannot tell the two resets apart once its request is written.
    warm_up();
    fault({{"action", "reset_before_read"}});
    auto e = fail_ask();
    EXPECT_EQ(e.kind, error_class::unknown_outcome);
    EXPECT_EQ(ledger_size(sb), 0u);
}

TEST_F(errors, a_truncated_body_is_an_unknown_outcome)
{
    warm_up();
    fault({{"action", "truncate"}});
    auto e = fail_ask();
    EXPECT_EQ(e.kind, error_class::unknown_outcome);
    EXPECT_EQ(e.code, payman_errc::truncated_response);
}

TEST_F(errors, malformed_json_is_an_unknown_outcome)
{
    warm_up();
    fault({{"action", "malformed_json"}});
    auto e = fail_ask();
    EXPECT_EQ(e.kind, error_class::unknown_outcome);
    EXPECT_EQ(e.code, payman_errc::malformed_response);
}

TEST_F(errors, a_ten_megabyte_body_is_refused_by_the_size_cap)
{
    warm_up();
    fault({{"action", "huge_body"}, {"size", 10 * 1024 * 1024}});
    auto e = fail_ask("what's my wallet balance?");
    EXPECT_EQ(e.kind, error_class::unknown_outcome);
    EXPECT_EQ(e.code, payman_errc::response_too_large);
}

TEST_F(errors, the_client_recovers_after_each_fault)
{
    warm_up();
    fault({{"action", "reset_after_read"}});
    (void)fail_ask("list all payees");
    fault({{"action", "truncate"}});
    (void)fail_ask("list all payees");
    auto r = ask(c, "list all payees");
    ASSERT_TRUE(r) << r.error().what();
}

TEST_F(errors, no_secret_or_token_appears_in_errors_or_logs)
{
    auto token = sb.fetch_token();
    const std::string access(token.at("accessToken").as_string());
    warm_up();
    std::string seen;
    for (json::object f : {json::object{{"action", "status"}, {"status", 400}},
                           json::object{{"action", "malformed_json"}},
                           json::object{{"action", "jsonrpc_error"}, {"code", -32602}},
                           json::object{{"endpoint", "any"}, {"action", "expire_tokens"}}}) {
        fault(f);
        auto r = ask(c, "list all payees");
        if (!r) seen += r.error().what() + "\n" + r.error().message + "\n";
    }
    auto bad = payman::client::with_credentials(io.get_executor(), config_for(sb),
                                                std::string(sandbox_client_id),
                                                payman::secret("wrong-secret-xyz"));
    ASSERT_TRUE(bad);
    auto r = ask(*bad, "list all payees");
    ASSERT_FALSE(r);
    seen += r.error().what() + "\n" + all_log();
    EXPECT_EQ(seen.find(sandbox_client_secret), std::string::npos) << seen;
    EXPECT_EQ(seen.find("wrong-secret-xyz"), std::string::npos) << seen;
    EXPECT_EQ(seen.find(access), std::string::npos) << seen;
    EXPECT_EQ(seen.find("Basic "), std::string::npos) << seen;
}

}  // namespace
}  // namespace paymand::test
