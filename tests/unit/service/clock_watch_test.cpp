#include "paymand/service/clock_watch.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gtest/gtest.h>
#include <time.h>

#include <optional>

namespace paymand::service {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Steps the realtime clock by zero: the kernel still reports it as "set". Needs CAP_SYS_TIME.
bool step_clock_by_nothing()
{
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    return ::clock_settime(CLOCK_REALTIME, &now) == 0;
}

TEST(clock_step_watch, completes_when_the_clock_is_set)
{
    asio::io_context io;
    clock_step_watch watch(io.get_executor());
    std::optional<boost::system::error_code> result;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { result = co_await watch.async_wait_step(); },
        asio::detached);
    io.run_for(10ms);
    ASSERT_FALSE(result) << "completed without a clock step";
    if (!step_clock_by_nothing()) GTEST_SKIP() << "no CAP_SYS_TIME here to set the clock";
    io.run_for(5s);
    ASSERT_TRUE(result);
    EXPECT_FALSE(*result);
}

TEST(clock_step_watch, is_cancellable_and_wakes_no_one_otherwise)
{
    asio::io_context io;
    clock_step_watch watch(io.get_executor());
    std::optional<boost::system::error_code> result;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { result = co_await watch.async_wait_step(); },
        asio::detached);
    io.run_for(20ms);
    EXPECT_FALSE(result);
    watch.cancel();
    io.run_for(1s);
    ASSERT_TRUE(result);
    EXPECT_EQ(*result, asio::error::operation_aborted);
}

TEST(clock_sync, reads_the_kernel_state)
{
    EXPECT_NE(read_clock_sync(), clock_sync::unknown);
}

}  // namespace
}  // namespace paymand::service
