#include "paymand/core/task_group.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace paymand::core {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A task that waits on a timer for `wait`, then records that it finished.
asio::awaitable<void> sleeper(std::chrono::steady_clock::duration wait,
                              std::vector<std::string>& log, std::string name)
{
    asio::steady_timer timer(co_await asio::this_coro::executor, wait);
    co_await timer.async_wait(asio::use_awaitable);
    log.push_back(name);
}

// A task that accepts total cancellation: a wait that has nothing to lose.
asio::awaitable<void> total_sleeper(std::vector<std::string>& log)
{
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
    asio::steady_timer timer(co_await asio::this_coro::executor, 1h);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    log.push_back(ec ? "total-cancelled" : "total-expired");
}

struct group_fixture : testing::Test {
    asio::io_context io;
    std::vector<std::string> failures;
    task_group group{io.get_executor(), [this](std::string_view name, std::exception_ptr) {
                         failures.emplace_back(name);
                     }};

    // Runs `body` to completion on io (tasks it leaves waiting stay for the next run).
    template <typename F>
    void run(F body)
    {
        bool done = false;
        io.restart();
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                co_await body();
                done = true;
                io.stop();
            },
            asio::detached);
        io.run_for(10s);
        ASSERT_TRUE(done);
    }
};

TEST_F(group_fixture, waiting_ends_when_every_task_has_finished)
{
    std::vector<std::string> log;
    group.spawn("a", sleeper(5ms, log, "a"));
    group.spawn("b", sleeper(1ms, log, "b"));
    EXPECT_EQ(group.size(), 2u);
    EXPECT_EQ(group.names(), (std::vector<std::string>{"a", "b"}));
    run([&]() -> asio::awaitable<void> { co_await group.async_wait(); });
    EXPECT_EQ(log, (std::vector<std::string>{"b", "a"}));
    EXPECT_EQ(group.size(), 0u);
    EXPECT_TRUE(failures.empty());
}

TEST_F(group_fixture, a_bounded_wait_says_what_is_left)
{
    std::vector<std::string> log;
    group.spawn("quick", sleeper(1ms, log, "quick"));
    group.spawn("slow", sleeper(1h, log, "slow"));
    bool all_done = true;
    run([&]() -> asio::awaitable<void> {
        all_done = co_await group.async_wait_until(std::chrono::steady_clock::now() + 50ms);
    });
    EXPECT_FALSE(all_done);
    EXPECT_EQ(group.names(), (std::vector<std::string>{"slow"}));
    // Terminal cancellation ends it; its end is a cancellation, not a failure.
    group.cancel(asio::cancellation_type::terminal);
    run([&]() -> asio::awaitable<void> { co_await group.async_wait(); });
    EXPECT_EQ(log, (std::vector<std::string>{"quick"}));
    EXPECT_TRUE(failures.empty());
}

TEST_F(group_fixture, total_cancellation_reaches_only_tasks_that_accept_it)
{
    std::vector<std::string> log;
    group.spawn("accepts", total_sleeper(log));
    group.spawn("terminal only", sleeper(1h, log, "terminal only"));
    run([&]() -> asio::awaitable<void> {
        // Let both reach their waits.
        asio::steady_timer settle(io, 1ms);
        co_await settle.async_wait(asio::use_awaitable);
        group.cancel(asio::cancellation_type::total);
        co_await group.async_wait_until(std::chrono::steady_clock::now() + 50ms);
    });
    EXPECT_EQ(log, (std::vector<std::string>{"total-cancelled"}));
    EXPECT_EQ(group.names(), (std::vector<std::string>{"terminal only"}));
    group.cancel(asio::cancellation_type::terminal);
    run([&]() -> asio::awaitable<void> { co_await group.async_wait(); });
    EXPECT_EQ(group.size(), 0u);
}

TEST_F(group_fixture, a_task_that_throws_is_reported_by_name_and_leaves_the_group)
{
    group.spawn("broken", []() -> asio::awaitable<void> {
        throw std::logic_error("bug");
        co_return;
    }());
    run([&]() -> asio::awaitable<void> { co_await group.async_wait(); });
    EXPECT_EQ(failures, (std::vector<std::string>{"broken"}));
    EXPECT_EQ(group.size(), 0u);
}

TEST_F(group_fixture, a_hold_counts_until_it_goes)
{
    std::optional<task_group::hold> held(group.join("manual"));
    EXPECT_EQ(group.names(), (std::vector<std::string>{"manual"}));
    bool all_done = true;
    run([&]() -> asio::awaitable<void> {
        all_done = co_await group.async_wait_until(std::chrono::steady_clock::now() + 10ms);
    });
    EXPECT_FALSE(all_done);
    run([&]() -> asio::awaitable<void> {
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                asio::steady_timer t(io, 2ms);
                co_await t.async_wait(asio::use_awaitable);
                held.reset();
            },
            asio::detached);
        all_done = co_await group.async_wait_until(std::chrono::steady_clock::now() + 10s);
    });
    EXPECT_TRUE(all_done);
}

TEST_F(group_fixture, waiting_on_an_empty_group_returns_at_once)
{
    bool all_done = false;
    run([&]() -> asio::awaitable<void> {
        all_done = co_await group.async_wait_until(std::chrono::steady_clock::now());
    });
    EXPECT_TRUE(all_done);
}

}  // namespace
}  // namespace paymand::core
