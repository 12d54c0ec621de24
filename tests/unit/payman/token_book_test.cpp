// Token bookkeeping: when a token may be reused, which grant comes next, what an answer changes.

#include "paymand/payman/token.hpp"

#include <gtest/gtest.h>

namespace paymand::payman {
namespace {

using namespace std::chrono_literals;
using time_point = token_book::time_point;

const time_point t0 = time_point{} + 1000h;

token_response answer(std::string_view access, std::chrono::seconds lifetime,
                      std::optional<std::string_view> refresh = std::nullopt)
{
    token_response r;
    r.access_token = secret(access);
    r.expires_in = lifetime;
    if (refresh) r.refresh_token = secret(*refresh);
    return r;
}

TEST(token_book, has_nothing_usable_before_the_first_fetch)
{
    token_book book;
    book.allow_client_credentials(true);
    EXPECT_FALSE(book.usable(t0));
    ASSERT_TRUE(book.next_grant());
    EXPECT_EQ(book.next_grant()->type, grant_type::client_credentials);
}

TEST(token_book, reuses_a_token_until_sixty_seconds_before_expiry)
{
    token_book book;
    book.allow_client_credentials(true);
    book.accept(answer("a1", 3600s), grant_type::client_credentials, t0);
    EXPECT_TRUE(book.usable(t0));
    EXPECT_TRUE(book.usable(t0 + 3539s));
    EXPECT_FALSE(book.usable(t0 + 3540s));
    EXPECT_FALSE(book.usable(t0 + 4000s));
}

TEST(token_book, reports_the_real_remaining_lifetime)
{
    token_book book;
    book.allow_client_credentials(true);
    book.accept(answer("a1", 3600s), grant_type::client_credentials, t0);
    EXPECT_EQ(book.remaining(t0 + 600s), 3000s);
    EXPECT_EQ(book.remaining(t0 + 3600s), 0s);
    EXPECT_EQ(book.remaining(t0 + 9999s), 0s);
}

TEST(token_book, a_lifetime_shorter_than_the_margin_is_never_reused)
{
    token_book book;
    book.allow_client_credentials(true);
    book.accept(answer("a1", 30s), grant_type::client_credentials, t0);
    EXPECT_FALSE(book.usable(t0));
    EXPECT_TRUE(book.alive(t0));  // but the ask that fetched it may use it
    EXPECT_TRUE(book.alive(t0 + 29s));
    EXPECT_FALSE(book.alive(t0 + 30s));
}

TEST(token_book, prefers_the_refresh_grant_once_a_refresh_token_is_held)
{
    token_book book;
    book.allow_client_credentials(true);
    book.accept(answer("a1", 3600s, "r1"), grant_type::client_credentials, t0);
    auto g = book.next_grant();
    ASSERT_TRUE(g);
    EXPECT_EQ(g->type, grant_type::refresh_token);
    EXPECT_EQ(g->value.expose(), "r1");
}

TEST(token_book, a_rotated_refresh_token_replaces_the_old_one)
{
    token_book book;
    book.accept(answer("a1", 3600s, "r1"), grant_type::client_credentials, t0);
    book.accept(answer("a2", 3600s, "r2"), grant_type::refresh_token, t0 + 3550s);
    EXPECT_EQ(book.next_grant()->value.expose(), "r2");
    EXPECT_EQ(book.access_token().expose(), "a2");
    EXPECT_TRUE(book.usable(t0 + 3550s));
}

TEST(token_book, an_answer_without_refresh_token_keeps_the_old_one)
{
    token_book book;
    book.accept(answer("a1", 3600s, "r1"), grant_type::client_credentials, t0);
    book.accept(answer("a2", 3600s), grant_type::refresh_token, t0 + 3550s);
    EXPECT_EQ(book.next_grant()->value.expose(), "r1");
}

TEST(token_book, an_authorization_code_is_used_once)
{
    token_book book;
    book.set_authorization_code(secret("code-1"));
    auto g = book.next_grant();
    ASSERT_TRUE(g);
    EXPECT_EQ(g->type, grant_type::authorization_code);
    EXPECT_EQ(g->value.expose(), "code-1");
    book.accept(answer("a1", 3600s, "r1"), grant_type::authorization_code, t0);
    EXPECT_EQ(book.next_grant()->type, grant_type::refresh_token);
}

TEST(token_book, a_refused_refresh_token_falls_back_to_client_credentials)
{
    token_book book;
    book.allow_client_credentials(true);
    book.accept(answer("a1", 3600s, "r1"), grant_type::client_credentials, t0);
    book.refused(grant_type::refresh_token);
    ASSERT_TRUE(book.next_grant());
    EXPECT_EQ(book.next_grant()->type, grant_type::client_credentials);
}

TEST(token_book, a_refused_refresh_token_without_credentials_leaves_no_grant)
{
    token_book book;
    book.set_token({secret("a1"), 3600s, secret("r1")}, t0);
    book.refused(grant_type::refresh_token);
    EXPECT_FALSE(book.next_grant());
}

TEST(token_book, a_given_token_without_refresh_is_used_until_it_really_expires)
{
    token_book book;
    book.set_token({secret("a1"), 100s, std::nullopt}, t0);
    EXPECT_FALSE(book.next_grant());
    EXPECT_TRUE(book.usable(t0 + 99s));  // no margin: nothing better could be had
    EXPECT_FALSE(book.usable(t0 + 100s));
}

TEST(token_book, a_given_token_with_refresh_is_renewed_before_expiry)
{
    token_book book;
    book.set_token({secret("a1"), 3600s, secret("r1")}, t0);
    EXPECT_FALSE(book.usable(t0 + 3541s));
    EXPECT_EQ(book.next_grant()->type, grant_type::refresh_token);
}

TEST(token_book, invalidate_forgets_only_the_token_it_names)
{
    token_book book;
    book.allow_client_credentials(true);
    book.accept(answer("a1", 3600s), grant_type::client_credentials, t0);
    const auto first = book.generation();
    book.accept(answer("a2", 3600s), grant_type::client_credentials, t0);
    book.invalidate(first);  // a late 401 for the old token
    EXPECT_TRUE(book.usable(t0));
    book.invalidate(book.generation());
    EXPECT_FALSE(book.usable(t0));
    EXPECT_FALSE(book.has_token());
}

TEST(token_book, a_shorter_margin_can_be_configured)
{
    token_book book(5s);
    book.allow_client_credentials(true);
    book.accept(answer("a1", 60s), grant_type::client_credentials, t0);
    EXPECT_TRUE(book.usable(t0 + 54s));
    EXPECT_FALSE(book.usable(t0 + 55s));
}

}  // namespace
}  // namespace paymand::payman
