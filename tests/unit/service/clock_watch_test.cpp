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

// One test, not two: a clock step made by one test process wakes every watcher on the
// machine, so a second test waiting for "no wake-up" would race with this one under ctest -j.
TEST(clock_step_watch, completes_when_the_clock_is_set_and_is_cancellable)
{
    asio::io_context io;
    auto opened = clock_step_watch::open(io.get_executor());
    ASSERT_TRUE(opened) << opened.error().message();
    auto& watch = *opened;
    std::optional<boost::system::error_code> result;
    auto wait_once = [&] {
        result.reset();
        asio::co_spawn(
            io, [&]() -> asio::awaitable<void> { result = co_await watch.async_wait_step(); },
            asio::detached);
    };
    wait_once();
    io.run_for(10ms);
    if (step_clock_by_nothing()) {
        io.run_for(5s);
        ASSERT_TRUE(result);
        EXPECT_FALSE(*result);
        // Rearmed: the next wait is pending again.
        wait_once();
        io.restart();
        io.run_for(10ms);
    }
    watch.cancel();
    io.restart();
    io.run_for(1s);
    ASSERT_TRUE(result);
    // Cancelled, unless a clock step elsewhere on the machine came first.
    EXPECT_TRUE(*result == asio::error::operation_aborted || !*result);
}

TEST(clock_sync, reads_the_kernel_state)
{
    EXPECT_NE(read_clock_sync(), clock_sync::unknown);
}

}  // namespace
}  // namespace paymand::service
