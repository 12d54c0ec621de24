// Reading token and tasks.send responses in every variant of the protocol document.

#include "paymand/payman/protocol.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <gtest/gtest.h>

namespace paymand::payman {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;

net::response reply(unsigned status, std::string body,
                    std::vector<std::pair<http::field, std::string>> headers = {})
{
    net::response res{static_cast<http::status>(status), 11};
    for (auto& [name, value] : headers) res.set(name, value);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

const auto now = std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + 8h;

// --- token responses ---

TEST(token_response, reads_camel_case)
{
    auto r = parse_token_response(
        reply(200, R"({"accessToken":"at-1","tokenType":"Bearer","expiresIn":3600,
        "scope":"read_balance,write_send_payment","refreshToken":"rt-1"})"),
        now);
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->access_token.expose(), "at-1");
    EXPECT_EQ(r->expires_in, 3600s);
    ASSERT_TRUE(r->refresh_token);
    EXPECT_EQ(r->refresh_token->expose(), "rt-1");
    EXPECT_EQ(r->token_type, "Bearer");
    EXPECT_EQ(r->scope, "read_balance,write_send_payment");
}

TEST(token_response, reads_snake_case)
{
    auto r = parse_token_response(
        reply(
            200,
            R"({"access_token":"at-2","token_type":"Bearer","expires_in":"120","refresh_token":null})"),
        now);
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->access_token.expose(), "at-2");
    EXPECT_EQ(r->expires_in, 120s);
    EXPECT_FALSE(r->refresh_token);
}

TEST(token_response, refuses_missing_or_bad_fields)
{
    for (std::string body :
         {R"({"expiresIn":3600})", R"({"accessToken":"","expiresIn":3600})",
          R"({"accessToken":"a"})", R"({"accessToken":"a","expiresIn":0})",
          R"({"accessToken":"a","expiresIn":-5})", R"({"accessToken":"a","expiresIn":1.5})",
          R"({"accessToken":"a","expiresIn":"12x"})", R"([])", "not json", ""}) {
        auto r = parse_token_response(reply(200, body), now);
        ASSERT_FALSE(r) << body;
        EXPECT_EQ(r.error().code, payman_errc::token_response_invalid) << body;
        EXPECT_EQ(r.error().kind, error_class::not_sent);
    }
}

TEST(token_response, a_refusal_keeps_only_the_error_fields)
{
    auto r = parse_token_response(reply(401, R"({"status":401,"timestamp":"2026-12-01T08:00:00Z",
        "errorCode":"not_authorized","errorMessage":"Invalid client credentials","traceId":"t-1",
        "echo":"test-secret-123"})"),
                                  now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, payman_errc::token_refused);
    EXPECT_EQ(r.error().kind, error_class::not_sent);
    EXPECT_EQ(r.error().http_status, 401);
    EXPECT_EQ(r.error().diagnostics,
              "errorCode=not_authorized; errorMessage=Invalid client credentials; traceId=t-1");
}

// Issue 18, item 7: a base_url without /api answers 404 for the token path; that is not the
// credentials' fault and must not say so.
TEST(token_response, a_404_says_there_is_no_payman_api_at_the_url)
{
    auto r = parse_token_response(reply(404, R"({"errorCode":"not_found"})"), now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().http_status, 404);
    EXPECT_NE(
        r.error().what().find("no Payman API at this URL (does payman.base_url end in /api?)"),
        std::string::npos)
        << r.error().what();
    EXPECT_EQ(r.error().what().find("check the client id"), std::string::npos) << r.error().what();
}

TEST(token_response, a_non_json_refusal_is_never_echoed)
{
    auto r = parse_token_response(reply(400, "client_secret=test-secret-123 is wrong"), now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().diagnostics, "");
    EXPECT_EQ(r.error().what().find("test-secret-123"), std::string::npos);
}

TEST(token_response, server_trouble_is_a_failed_fetch_with_retry_after)
{
    auto r = parse_token_response(reply(503, "", {{http::field::retry_after, "7"}}), now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, payman_errc::token_request_failed);
    EXPECT_EQ(r.error().kind, error_class::not_sent);
    EXPECT_EQ(r.error().retry_after, 7s);
}

// --- ask responses ---

constexpr std::string_view success = R"({"jsonrpc":"2.0","id":"req-1",
  "result":{"id":"tsk-1","sessionId":"ses-1",
    "status":{"state":"completed","message":null,"timestamp":"2026-12-01T08:00:01.532Z"},
    "artifacts":[{"name":"response","description":"AI Assistant Response",
      "parts":[{"type":"text","text":"1. **Operations**\n   - Spendable Balance: $1,000.00"}],"metadata":{}}],
    "metadata":{"timestamp":"2026-12-01T08:00:01.532Z","agentId":"ai-1","orgId":"org-1"}},
  "error":null})";

TEST(ask_response, reads_a_completed_task)
{
    auto r = parse_ask_response(reply(200, std::string(success)), "req-1", now);
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->task_id, "tsk-1");
    EXPECT_EQ(r->session_id, "ses-1");
    EXPECT_EQ(r->state, task_state::completed);
    EXPECT_EQ(r->status_message, "");
    EXPECT_EQ(r->status_timestamp, "2026-12-01T08:00:01.532Z");
    ASSERT_EQ(r->artifacts.size(), 1u);
    EXPECT_EQ(r->artifacts[0].name, "response");
    EXPECT_EQ(r->artifacts[0].description, "AI Assistant Response");
    EXPECT_EQ(r->reply_text(), "1. **Operations**\n   - Spendable Balance: $1,000.00");
    EXPECT_EQ(r->raw, success);
}

TEST(ask_response, reads_states_case_insensitively)
{
    for (auto [text, state] : std::vector<std::pair<std::string, task_state>>{
             {"COMPLETED", task_state::completed},
             {"Input-Required", task_state::input_required},
             {"INPUT_REQUIRED", task_state::input_required},
             {"failed", task_state::failed},
             {"canceled", task_state::canceled},
             {"CANCELLED", task_state::canceled},
             {"submitted", task_state::submitted},
             {"WORKING", task_state::working},
             {"unknown", task_state::unknown},
             {"exploded", task_state::unknown}}) {
        const std::string body =
            R"({"jsonrpc":"2.0","id":"req-1","result":{"id":"t","status":{"state":")" + text +
            R"("}}})";
        auto r = parse_ask_response(reply(200, body), "req-1", now);
        ASSERT_TRUE(r) << text;
        EXPECT_EQ(r->state, state) << text;
        EXPECT_EQ(r->state_text, text);
    }
}

TEST(ask_response, accepts_snake_case_session_and_a_message_object)
{
    auto r = parse_ask_response(
        reply(200, R"({"jsonrpc":"2.0","id":"req-1","result":{"id":"t","session_id":"s-9",
        "status":{"state":"input-required","message":{"role":"agent","parts":[{"type":"text","text":"Confirm?"}]}},
        "artifacts":null}})"),
        "req-1", now);
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->session_id, "s-9");
    EXPECT_EQ(r->status_message, "Confirm?");
    EXPECT_TRUE(r->artifacts.empty());
    EXPECT_EQ(r->reply_text(), "");
}

TEST(ask_response, joins_text_parts_and_artifacts_and_skips_other_parts)
{
    auto r = parse_ask_response(reply(200, R"({"jsonrpc":"2.0","id":"req-1","result":{"id":"t",
        "status":{"state":"completed","message":"done"},
        "artifacts":[{"name":"a","parts":[{"type":"text","text":"one"},{"type":"data","data":{}},
                                          {"type":"text","text":"two"}]},
                     {"name":"b","parts":[{"text":"three"}]}]}})"),
                                "req-1", now);
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->status_message, "done");
    EXPECT_EQ(r->artifacts[0].text, "one\ntwo");
    EXPECT_EQ(r->reply_text(), "one\ntwo\nthree");
}

TEST(ask_response, a_jsonrpc_error_is_a_rejection_with_its_code)
{
    auto r = parse_ask_response(reply(200, R"({"jsonrpc":"2.0","id":"req-1","result":null,
        "error":{"code":-32602,"message":"Invalid parameters","data":null}})"),
                                "req-1", now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_class::rejected);
    EXPECT_EQ(r.error().code, payman_errc::jsonrpc_error);
    EXPECT_EQ(r.error().rpc_code, -32602);
    EXPECT_EQ(r.error().diagnostics, "Invalid parameters");
}

TEST(ask_response, a_jsonrpc_error_with_a_null_id_is_still_read)
{
    auto r = parse_ask_response(
        reply(200,
              R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}})"),
        "req-1", now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().rpc_code, -32700);
}

TEST(ask_response, unreadable_bodies_are_unknown_outcomes)
{
    for (std::string body :
         {"", "{not json", "[1,2]", R"({"jsonrpc":"2.0","id":"req-1"})",
          R"({"jsonrpc":"2.0","id":"req-1","result":{"status":{"state":"completed"}}})",
          R"({"jsonrpc":"2.0","id":"req-1","result":{"id":"t"}})",
          R"({"jsonrpc":"2.0","id":"req-1","result":{"id":"t","status":{}}})",
          R"({"jsonrpc":"2.0","id":"req-2","result":{"id":"t","status":{"state":"completed"}}})",
          R"({"jsonrpc":"2.0","id":"req-1","result":{"id":"t","status":{"state":"completed"},
                                 "artifacts":{}}})"}) {
        auto r = parse_ask_response(reply(200, body), "req-1", now);
        ASSERT_FALSE(r) << body;
        EXPECT_EQ(r.error().kind, error_class::unknown_outcome) << body;
        EXPECT_EQ(r.error().code, payman_errc::malformed_response) << body;
    }
}

struct status_case {
    unsigned status;
    error_class kind;
    payman_errc code;
};

class ask_status : public testing::TestWithParam<status_case> {};

TEST_P(ask_status, is_classified)
{
    const auto& c = GetParam();
    auto r = parse_ask_response(
        reply(c.status, R"({"status":1,"errorCode":"x","errorMessage":"y"})"), "req-1", now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, c.kind);
    EXPECT_EQ(r.error().code, c.code);
    EXPECT_EQ(r.error().http_status, static_cast<int>(c.status));
    EXPECT_EQ(r.error().diagnostics, "errorCode=x; errorMessage=y");
}

INSTANTIATE_TEST_SUITE_P(
    statuses, ask_status,
    testing::Values(
        status_case{400, error_class::rejected, payman_errc::http_rejected},
        status_case{401, error_class::rejected, payman_errc::unauthorized},
        status_case{403, error_class::rejected, payman_errc::forbidden},
        status_case{404, error_class::rejected, payman_errc::http_rejected},
        status_case{429, error_class::rejected, payman_errc::rate_limited},
        status_case{500, error_class::unknown_outcome, payman_errc::server_error},
        status_case{502, error_class::unknown_outcome, payman_errc::server_error},
        status_case{503, error_class::unknown_outcome, payman_errc::service_unavailable},
        status_case{504, error_class::unknown_outcome, payman_errc::server_error},
        status_case{302, error_class::unknown_outcome, payman_errc::unexpected_status}));

TEST(ask_response, rate_limit_and_unavailable_carry_retry_after)
{
    auto limited =
        parse_ask_response(reply(429, "", {{http::field::retry_after, "2"}}), "req-1", now);
    ASSERT_FALSE(limited);
    EXPECT_EQ(limited.error().retry_after, 2s);
    EXPECT_NE(limited.error().what().find("retry after 2 s"), std::string::npos)
        << limited.error().what();

    auto unavailable = parse_ask_response(
        reply(503, "", {{http::field::retry_after, "Tue, 01 Dec 2026 08:00:30 GMT"}}), "req-1",
        now);
    ASSERT_FALSE(unavailable);
    EXPECT_EQ(unavailable.error().retry_after, 30s);

    auto no_header = parse_ask_response(reply(429, ""), "req-1", now);
    EXPECT_FALSE(no_header.error().retry_after);
}

TEST(ask_response, a_non_json_error_body_is_kept_short_and_clean)
{
    auto r = parse_ask_response(
        reply(502, "<html>\r\n<b>Bad\tGateway</b>\x01" + std::string(5000, 'x')), "req-1", now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().diagnostics.substr(0, 25), "<html> <b>Bad Gateway</b>");
    EXPECT_LE(r.error().diagnostics.size(), max_diagnostics_size + 3);
}

// --- Retry-After and diagnostics helpers ---

TEST(retry_after, reads_seconds_and_http_dates)
{
    EXPECT_EQ(parse_retry_after("120", now), 120s);
    EXPECT_EQ(parse_retry_after(" 3 ", now), 3s);
    EXPECT_EQ(parse_retry_after("Tue, 01 Dec 2026 08:01:00 GMT", now), 60s);
    EXPECT_EQ(parse_retry_after("Mon, 30 Nov 2026 08:01:00 GMT", now), 0s);
    EXPECT_FALSE(parse_retry_after("", now));
    EXPECT_FALSE(parse_retry_after("-1", now));
    EXPECT_FALSE(parse_retry_after("soon", now));
    EXPECT_FALSE(parse_retry_after("Tue, 31 Feb 2026 08:01:00 GMT", now));
}

TEST(diagnostics, are_sanitized_and_capped_on_a_utf8_boundary)
{
    EXPECT_EQ(sanitize_diagnostics("a\r\n\tb  c\x1b[31m"), "a b c [31m");
    std::string long_text(max_diagnostics_size - 1, 'x');
    long_text += "\xC3\xA9\xC3\xA9";  // é é straddling the cap
    auto out = sanitize_diagnostics(long_text);
    // The "..." fits within the promised size (found by fuzzing: it used to add 3 bytes).
    EXPECT_EQ(out, std::string(max_diagnostics_size - 3, 'x') + "...");
    EXPECT_EQ(out.size(), max_diagnostics_size);
    // A cut inside a UTF-8 sequence backs off to its start.
    std::string accented(max_diagnostics_size - 4, 'x');
    accented += "\xC3\xA9\xC3\xA9";
    EXPECT_EQ(sanitize_diagnostics(accented), std::string(max_diagnostics_size - 4, 'x') + "...");
}

TEST(diagnostics, redact_removes_every_copy_of_a_secret)
{
    std::string text = "token abc123 and again abc123, secret s3cr3t";
    const secret token("abc123"), key("s3cr3t"), empty;
    const secret* held[] = {&token, &key, &empty};
    redact(text, held);
    EXPECT_EQ(text, "token [redacted] and again [redacted], secret [redacted]");
}

TEST(client_error, what_names_the_class_and_keeps_server_text_apart)
{
    auto e =
        core::extend({.code = payman_errc::server_error, .message = "server error (HTTP 500)"},
                     client_error{.kind = error_class::unknown_outcome, .diagnostics = "boom"});
    EXPECT_EQ(e.what(), "unknown outcome: server error (HTTP 500) [server said: boom]");
}

// --- what a lying server can put in an answer (issue 16; docs/reliability.md, "Threat
// model"): tokens that would split a header, task ids that would not fit a record, answers with
// both an error and a result, Retry-After beyond any number, echoes of the secret in every
// disguise ---
std::string token_body(std::string_view access)
{
    return R"({"accessToken":")" + std::string(access) + R"(","expiresIn":3600})";
}

TEST(hostile_token, a_token_with_cr_lf_or_a_space_is_refused_when_it_arrives)
{
    for (std::string token : {R"(at-1\r\nx-injected: 1)", R"(at-1\nPOST /x HTTP/1.1)", "at 1",
                              R"(at\u00001)", "at;1", R"(at\"1)", "=abc", "a=b"}) {
        auto r = parse_token_response(reply(200, token_body(token)), now);
        ASSERT_FALSE(r) << token;
        EXPECT_EQ(r.error().kind, error_class::not_sent);
        EXPECT_EQ(r.error().code, payman_errc::token_response_invalid) << token;
    }
    // token68 as RFC 6750 has it, padding included.
    for (std::string token : {"at-1", "eyJh.bGc~_+/9", "abc==", "A"}) {
        auto r = parse_token_response(reply(200, token_body(token)), now);
        EXPECT_TRUE(r) << token;
    }
}

TEST(hostile_token, a_megabyte_token_is_refused_with_its_size)
{
    auto r = parse_token_response(reply(200, token_body(std::string(1 << 20, 'A'))), now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, payman_errc::token_response_invalid);
    EXPECT_NE(r.error().message.find("1048576 bytes"), std::string::npos) << r.error().message;
    EXPECT_TRUE(
        parse_token_response(reply(200, token_body(std::string(max_token_size, 'A'))), now));
    EXPECT_FALSE(
        parse_token_response(reply(200, token_body(std::string(max_token_size + 1, 'A'))), now));
}

TEST(hostile_token, a_refresh_token_that_is_not_token68_is_refused)
{
    auto r = parse_token_response(
        reply(200, R"({"accessToken":"at","expiresIn":60,"refreshToken":"rt\r\nx: y"})"), now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, payman_errc::token_response_invalid);
}

std::string completed_with_id(std::string_view id)
{
    return R"({"jsonrpc":"2.0","id":"req-1","result":{"id":")" + std::string(id) +
           R"(","sessionId":"ses-1","status":{"state":"completed"},"artifacts":[]},"error":null})";
}

TEST(hostile_answer, an_oversized_task_id_is_an_unknown_outcome)
{
    auto r = parse_ask_response(reply(200, completed_with_id(std::string(70 * 1024, 'T'))), "req-1",
                                now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_class::unknown_outcome);
    EXPECT_EQ(r.error().code, payman_errc::malformed_response);
    EXPECT_LT(r.error().what().size(), 1024u);
    EXPECT_TRUE(
        parse_ask_response(reply(200, completed_with_id(std::string(256, 'T'))), "req-1", now));
    auto control =
        parse_ask_response(reply(200, completed_with_id(R"(tsk\u009b31m)")), "req-1", now);
    ASSERT_FALSE(control);
    EXPECT_EQ(control.error().kind, error_class::unknown_outcome);
}

TEST(hostile_answer, both_error_and_result_is_an_unknown_outcome)
{
    auto r = parse_ask_response(reply(200, R"({"jsonrpc":"2.0","id":"req-1",
        "result":{"id":"tsk-1","status":{"state":"completed"}},
        "error":{"code":-32603,"message":"Internal error"}})"),
                                "req-1", now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, error_class::unknown_outcome);
    EXPECT_EQ(r.error().code, payman_errc::malformed_response);
}

TEST(hostile_answer, an_error_without_an_integer_code_is_an_unknown_outcome)
{
    for (std::string error :
         {R"({"message":"x"})", R"({"code":"1","message":"x"})", R"({"code":1.5,"message":"x"})"}) {
        auto r = parse_ask_response(
            reply(200, R"({"jsonrpc":"2.0","id":"req-1","error":)" + error + "}"), "req-1", now);
        ASSERT_FALSE(r) << error;
        EXPECT_EQ(r.error().kind, error_class::unknown_outcome) << error;
    }
}

TEST(hostile_retry_after, saturates_instead_of_overflowing)
{
    EXPECT_EQ(parse_retry_after("99999999999999999999", now), max_retry_after);
    EXPECT_EQ(parse_retry_after(std::string(400, '9'), now), max_retry_after);
    EXPECT_EQ(parse_retry_after("9223372036854775807", now), max_retry_after);
    EXPECT_EQ(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now), max_retry_after);
    EXPECT_EQ(parse_retry_after("31622400", now), max_retry_after);
    EXPECT_EQ(parse_retry_after("31622399", now), 31622399s);
    auto e = classify_status(reply(429, "{}", {{http::field::retry_after, "99999999999999999999"}}),
                             now);
    EXPECT_EQ(e.retry_after, max_retry_after);
}

redaction of_secret(std::string_view secret_value)
{
    redaction r;
    r.add(secret_value);
    r.add_basic("pm-test-client", secret_value);
    return r;
}

constexpr std::string_view hostile_secret = "pmsk_live_0123456789abcdefXYZ";

TEST(hostile_diagnostics, the_secret_is_redacted_before_the_cut)
{
    const auto held = of_secret(hostile_secret);
    // The secret straddles the 512-byte cut: before, its first half was kept.
    for (std::size_t at : {495u, 500u, 505u, 509u}) {
        std::string body(at, 'x');
        body += hostile_secret;
        body += std::string(100, 'y');
        auto e = classify_status(reply(500, body), now, held);
        EXPECT_EQ(e.diagnostics.find("pmsk"), std::string::npos) << at << ": " << e.diagnostics;
        EXPECT_EQ(e.diagnostics.find("0123456789"), std::string::npos) << at;
        EXPECT_LE(e.diagnostics.size(), max_diagnostics_size);
    }
}

TEST(hostile_diagnostics, case_spacing_base64_and_the_basic_header_are_redacted)
{
    const auto held = of_secret(hostile_secret);
    const std::string disguises[] = {
        "PMSK_LIVE_0123456789ABCDEFxyz",
        "pmsk_live_01234\r\n56789abcdefXYZ",
        "pmsk_live_01234 \t 56789abcdefXYZ",
        // base64 of the secret, standard and URL-safe
        "cG1za19saXZlXzAxMjM0NTY3ODlhYmNkZWZYWVo=",
        "cG1za19saXZlXzAxMjM0NTY3ODlhYmNkZWZYWVo",
        // Basic base64("pm-test-client:" + secret)
        "Basic cG0tdGVzdC1jbGllbnQ6cG1za19saXZlXzAxMjM0NTY3ODlhYmNkZWZYWVo=",
        // the body ends inside the secret
        "echo: pmsk_live_012345",
    };
    for (const auto& d : disguises) {
        auto e = classify_status(
            reply(502, R"({"errorMessage":")" +
                           boost::json::serialize(boost::json::string(d)).substr(1) + "}"),
            now, held);
        EXPECT_NE(e.diagnostics.find("[redacted]"), std::string::npos)
            << d << " -> " << e.diagnostics;
        for (std::string_view piece : {"0123456789", "56789abc", "YWJjZGVm", "NTY3ODlh"})
            EXPECT_EQ(e.diagnostics.find(piece), std::string::npos) << d << " -> " << e.diagnostics;
        auto raw = classify_status(reply(502, "says " + d), now, held);
        EXPECT_NE(raw.diagnostics.find("[redacted]"), std::string::npos) << raw.diagnostics;
    }
    // Text that merely looks alike is kept.
    auto e = classify_status(reply(500, "pmsk_live_ other words"), now, held);
    EXPECT_EQ(e.diagnostics, "pmsk_live_ other words");
}

TEST(hostile_diagnostics, a_jsonrpc_error_message_is_redacted_too)
{
    const auto held = of_secret(hostile_secret);
    auto r = parse_ask_response(reply(200, R"({"jsonrpc":"2.0","id":"req-1","error":{"code":-1,
        "message":"bad secret PMSK_LIVE_0123456789ABCDEFXYZ"}})"),
                                "req-1", now, held);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().diagnostics, "bad secret [redacted]");
}

}  // namespace
}  // namespace paymand::payman
