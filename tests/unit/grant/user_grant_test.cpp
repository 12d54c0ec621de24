#include "paymand/daemon/user_grant.hpp"
#include "support/manual_clock.hpp"
#include "support/process.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

namespace paymand::daemon {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

const auto t0 = std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + 9h;

// Counts the asks that got through.
struct counting_agent final : engine::agent {
    int asks = 0;
    boost::asio::awaitable<engine::ask_outcome> async_ask(std::string, payman::ask_options) override
    {
        ++asks;
        co_return core::extend({.message = "inner"}, payman::client_error{});
    }
};

class user_grant_test : public ::testing::Test {
protected:
    test::temp_dir dir;
    std::ostringstream journal;
    std::shared_ptr<spdlog::logger> log = std::make_shared<spdlog::logger>(
        "t", std::make_shared<spdlog::sinks::ostream_sink_mt>(journal));
    std::vector<audit::record_body> records;

    std::shared_ptr<user_grant> make(std::filesystem::path file)
    {
        grant::stored_grant g{
            .client_id = "pm-test-client", .scopes = {"write_send_payment"}, .granted_at = t0};
        g = grant::rotated(std::move(g), payman::secret("rt-0"), "", 3600s, t0);
        auto held = std::make_shared<user_grant>(std::move(file), std::move(g), log,
                                                 test::clock_at(t0 + 1h));
        held->set_recorder([this](audit::record_body b) { records.push_back(std::move(b)); });
        return held;
    }

    static payman::token_response answer(std::string_view refresh)
    {
        return {.access_token = payman::secret("at"),
                .expires_in = 3600s,
                .refresh_token = payman::secret(refresh),
                .token_type = "Bearer",
                .scope = "write_send_payment"};
    }
};

// The client calls this before the new access token is used: when it returns, the new refresh
// token is on disk.
TEST_F(user_grant_test, a_rotation_is_durable_when_the_hook_returns_and_is_recorded_without_token)
{
    const auto file = grant::grant_file(dir.path());
    auto held = make(file);
    auto hooks = held->observer();
    ASSERT_TRUE(hooks.on_refresh_token(answer("rt-1"), payman::grant_type::refresh_token));
    auto stored = grant::load_grant(file);
    ASSERT_TRUE(stored && *stored);
    EXPECT_EQ((*stored)->refresh_token.expose(), "rt-1");
    EXPECT_EQ((*stored)->rotations, 1u);
    ASSERT_EQ(records.size(), 1u);
    const auto& r = std::get<audit::grant_record>(records[0]);
    EXPECT_EQ(r.event, audit::grant_event::rotated);
    EXPECT_EQ(r.rotation, 1u);
    EXPECT_EQ(r.access_expires, t0 + 2h);
    EXPECT_THAT(journal.str(), ::testing::Not(HasSubstr("rt-1")));
}

TEST_F(user_grant_test, a_rotation_that_cannot_be_stored_is_an_error_and_changes_nothing)
{
    auto held = make(dir.path() / "missing-directory" / "grant.json");
    auto stored =
        held->observer().on_refresh_token(answer("rt-1"), payman::grant_type::refresh_token);
    ASSERT_FALSE(stored);
    EXPECT_THAT(stored.error(), HasSubstr("missing-directory"));
    EXPECT_EQ(held->held().refresh_token.expose(), "rt-0");
    EXPECT_TRUE(records.empty());
}

TEST_F(user_grant_test, a_refused_grant_logs_the_error_line_and_no_ask_gets_through)
{
    const auto file = grant::grant_file(dir.path());
    auto held = make(file);
    auto inner = std::make_shared<counting_agent>();
    auto guarded = held->guard(inner);
    held->observer().on_refused(core::extend({.message = "invalid_grant"}, payman::client_error{}));
    EXPECT_TRUE(held->refused());
    EXPECT_THAT(journal.str(),
                HasSubstr("the user's grant is no longer valid: run paymand auth login"));
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(std::get<audit::grant_record>(records[0]).event, audit::grant_event::refused);
    auto stored = grant::load_grant(file);
    ASSERT_TRUE(stored && *stored);
    EXPECT_TRUE((*stored)->refused_at);

    boost::asio::io_context io;
    std::optional<engine::ask_outcome> outcome;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            outcome = co_await guarded->async_ask("send 1 TSD to John Doe", {});
        },
        boost::asio::detached);
    io.run();
    ASSERT_TRUE(outcome && !*outcome);
    EXPECT_EQ(outcome->error().code, payman::payman_errc::grant_refused);
    EXPECT_EQ(outcome->error().kind, payman::error_class::not_sent);
    EXPECT_EQ(inner->asks, 0);
}

TEST_F(user_grant_test, records_made_before_the_recorder_is_set_are_handed_over)
{
    grant::stored_grant g{.client_id = "c", .granted_at = t0};
    g = grant::rotated(std::move(g), payman::secret("rt-0"), "", 3600s, t0);
    auto held = std::make_shared<user_grant>(grant::grant_file(dir.path()), std::move(g), log,
                                             test::clock_at(t0));
    ASSERT_TRUE(
        held->observer().on_refresh_token(answer("rt-1"), payman::grant_type::refresh_token));
    held->set_recorder([this](audit::record_body b) { records.push_back(std::move(b)); });
    EXPECT_EQ(records.size(), 1u);
}

}  // namespace
}  // namespace paymand::daemon
