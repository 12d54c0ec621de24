// The time source: core::system_clock() and engine::virtual_clock's two readings.

#include "paymand/core/clock.hpp"
#include "paymand/engine/clock.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>

namespace paymand::core {
namespace {

using namespace std::chrono_literals;

TEST(system_clock, is_shared_and_reads_the_system_clocks)
{
    const auto clock = system_clock();
    EXPECT_EQ(clock, system_clock());
    const auto wall_before = std::chrono::system_clock::now();
    const auto steady_before = std::chrono::steady_clock::now();
    const auto wall = clock->wall_now();
    const auto steady = clock->steady_now();
    EXPECT_GE(wall, wall_before);
    EXPECT_LT(wall - wall_before, 5s);
    EXPECT_GE(steady, steady_before);
    EXPECT_LT(steady - steady_before, 5s);
    EXPECT_EQ(system_wall_to_real(wall), wall);  // no PAYMAND_TEST_CLOCK outside that build
}

TEST(unaccelerated_clock, is_the_system_clock_outside_the_crash_point_build)
{
    const auto clock = unaccelerated_clock();
    EXPECT_EQ(clock, unaccelerated_clock());
    const auto before = std::chrono::system_clock::now();
    const auto wall = clock->wall_now();
    EXPECT_GE(wall, before);
    EXPECT_LT(wall - before, 5s);
    EXPECT_LE(wall, system_clock()->wall_now());
}

TEST(virtual_clock, its_monotonic_time_moves_with_its_wall_time_and_never_back)
{
    boost::asio::io_context io;
    const auto start = std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + 9h;
    engine::virtual_clock clock(io.get_executor(), start);
    const auto steady0 = clock.steady_now();
    clock.advance_to(start + 2h);
    EXPECT_EQ(clock.wall_now(), start + 2h);
    EXPECT_EQ(clock.steady_now() - steady0, 2h);
    clock.advance_to(start + 1h);  // advance_to never goes back
    EXPECT_EQ(clock.wall_now(), start + 2h);
    clock.set(start - 24h);  // a backward step of the wall clock
    EXPECT_EQ(clock.wall_now(), start - 24h);
    EXPECT_EQ(clock.steady_now() - steady0, 2h);
    clock.set(start - 23h);
    EXPECT_EQ(clock.steady_now() - steady0, 3h);
}

}  // namespace
}  // namespace paymand::core
