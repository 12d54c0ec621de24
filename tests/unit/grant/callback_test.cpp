#include "paymand/grant/authorization.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paymand::grant {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view state = "s-123_abc";

boost::system::error_code error_of(std::string_view target)
{
    auto r = parse_callback(target, "/callback", state);
    EXPECT_FALSE(r) << target;
    return r ? boost::system::error_code{} : r.error().code;
}

TEST(callback, a_code_with_our_state_is_the_answer)
{
    auto r = parse_callback("/callback?code=pmac_1%2F2&state=s-123_abc", "/callback", state);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->expose(), "pmac_1/2");
}

TEST(callback, a_pasted_whole_url_is_read_the_same)
{
    auto r = parse_callback("http://127.0.0.1:8421/callback?state=s-123_abc&code=c1", "/callback",
                            state);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->expose(), "c1");
}

TEST(callback, another_state_or_none_is_refused_before_anything_else_is_believed)
{
    EXPECT_EQ(error_of("/callback?code=c&state=forged"), callback_errc::state_mismatch);
    EXPECT_EQ(error_of("/callback?code=c"), callback_errc::state_mismatch);
    // A forged error must not pass for the person's answer either.
    EXPECT_EQ(error_of("/callback?error=access_denied&state=other"), callback_errc::state_mismatch);
    EXPECT_EQ(error_of("/callback?code=c&state=s-123_abc&state=s-123_abc"),
              callback_errc::state_mismatch)
        << "a repeated state is not one answer";
    EXPECT_EQ(error_of("/callback?code=c&state=s-123_ab"), callback_errc::state_mismatch);
}

TEST(callback, errors_from_the_server_are_told_apart)
{
    EXPECT_EQ(error_of("/callback?error=access_denied&state=s-123_abc"),
              callback_errc::access_denied);
    EXPECT_EQ(error_of("/callback?error=invalid_scope&state=s-123_abc"),
              callback_errc::invalid_scope);
    EXPECT_EQ(error_of("/callback?error=server_error&state=s-123_abc"),
              callback_errc::server_error);
    EXPECT_EQ(error_of("/callback?state=s-123_abc"), callback_errc::missing_code);
}

TEST(callback, server_text_is_shown_only_sanitised)
{
    auto r = parse_callback("/callback?error=access_denied&error_description=%1B%5B31mno&state="
                            "s-123_abc",
                            "/callback", state);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("?[31mno"));
    EXPECT_THAT(r.error().message, ::testing::Not(HasSubstr("\x1b")));
}

TEST(callback, another_path_or_no_url_is_not_the_redirect)
{
    EXPECT_EQ(error_of("/favicon.ico"), callback_errc::wrong_path);
    EXPECT_EQ(error_of("not a url"), callback_errc::malformed);
}

TEST(consent_url, carries_every_parameter_escaped)
{
    auto url = consent_url({.authorize_url = "http://127.0.0.1:1/api/oauth/authorize",
                            .client_id = "pm-test-client",
                            .redirect_uri = "http://127.0.0.1:8421/callback",
                            .scopes = {"read_balance", "write_send_payment"},
                            .state = "st",
                            .code_challenge = std::string("ch")});
    EXPECT_EQ(url, "http://127.0.0.1:1/api/oauth/authorize?response_type=code"
                   "&client_id=pm-test-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A8421%2F"
                   "callback&scope=read_balance%2Cwrite_send_payment&state=st"
                   "&code_challenge=ch&code_challenge_method=S256");
}

TEST(pkce, s256_matches_rfc_7636_appendix_b)
{
    EXPECT_EQ(code_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
              "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(pkce, random_tokens_are_43_url_safe_characters_and_differ)
{
    auto a = random_token();
    auto b = random_token();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->size(), 43u);
    EXPECT_NE(*a, *b);
    EXPECT_EQ(
        a->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
}

TEST(loopback_uri, only_http_on_a_loopback_host_is_accepted)
{
    auto ok = parse_loopback_uri("http://127.0.0.1:8421/callback");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->port, 8421);
    EXPECT_EQ(ok->path, "/callback");
    EXPECT_TRUE(parse_loopback_uri("http://[::1]/cb"));
    EXPECT_FALSE(parse_loopback_uri("https://127.0.0.1/cb"));
    auto refused = parse_loopback_uri("http://example.com/cb");
    ASSERT_FALSE(refused);
    EXPECT_THAT(refused.error().message, HasSubstr("127.0.0.1"));
    EXPECT_FALSE(parse_loopback_uri("http://127.0.0.1/cb?x=1"));
}

}  // namespace
}  // namespace paymand::grant
