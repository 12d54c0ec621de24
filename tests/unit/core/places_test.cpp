#include "paymand/core/places.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace paymand::core {
namespace {

namespace asio = boost::asio;

// Takes a place, says so, then keeps it until `release` is set and the test wakes it by
// destroying the place it handed over: the place goes into `held` for the test to drop.
struct places_test : testing::Test {
    asio::io_context io;
    std::vector<std::string> log;
    std::vector<std::optional<places::place>> held;

    void taker(places& p, std::string name, asio::cancellation_slot slot = {})
    {
        asio::co_spawn(
            io,
            [this, &p, name]() -> asio::awaitable<void> {
                try {
                    auto mine = co_await p.acquire();
                    log.push_back(name);
                    held.emplace_back(std::move(mine));
                } catch (const boost::system::system_error&) {
                    log.push_back(name + " cancelled");
                }
            },
            asio::bind_cancellation_slot(slot, [](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);
            }));
    }
};

TEST_F(places_test, hands_out_its_places_at_once_and_the_rest_in_order_of_arrival)
{
    places p(io.get_executor(), 2);
    for (auto name : {"a", "b", "c", "d", "e"}) taker(p, name);
    io.poll();
    EXPECT_EQ(log, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(p.held(), 2U);
    EXPECT_EQ(p.waiting(), 3U);

    held[1].reset();  // b goes: c gets its place
    io.poll();
    held[0].reset();  // a goes: d
    io.poll();
    EXPECT_EQ(log, (std::vector<std::string>{"a", "b", "c", "d"}));
    EXPECT_EQ(p.held(), 2U);
    EXPECT_EQ(p.waiting(), 1U);

    held.clear();  // c and d go: e, then one free place
    io.poll();
    EXPECT_EQ(log.back(), "e");
    EXPECT_EQ(p.held(), 1U);
    held.clear();
    EXPECT_EQ(p.held(), 0U);
}

TEST_F(places_test, a_release_wakes_one_waiter_not_every_one)
{
    places p(io.get_executor(), 1);
    for (int i = 0; i < 200; ++i) taker(p, std::to_string(i));
    io.poll();
    ASSERT_EQ(log.size(), 1U);
    ASSERT_EQ(p.waiting(), 199U);

    held.clear();
    // The waiter's wake-up and its coroutine's return: a handful of handlers, whatever the
    // number still waiting (a flag that wakes every waiter runs at least 199).
    auto handlers = io.poll();
    EXPECT_LE(handlers, 4U);
    EXPECT_EQ(log, (std::vector<std::string>{"0", "1"}));
    EXPECT_EQ(p.waiting(), 198U);
}

TEST_F(places_test, a_waiter_cancelled_leaves_the_queue_holding_nothing)
{
    places p(io.get_executor(), 1);
    asio::cancellation_signal cancel_b;
    taker(p, "a");
    taker(p, "b", cancel_b.slot());
    taker(p, "c");
    io.poll();
    ASSERT_EQ(p.waiting(), 2U);

    cancel_b.emit(asio::cancellation_type::terminal);
    io.poll();
    EXPECT_EQ(log, (std::vector<std::string>{"a", "b cancelled"}));
    EXPECT_EQ(p.waiting(), 1U);
    EXPECT_EQ(p.held(), 1U);

    held.clear();  // a goes: the place skips b and reaches c
    io.poll();
    EXPECT_EQ(log.back(), "c");
    EXPECT_EQ(p.held(), 1U);
}

TEST_F(places_test, waiting_frames_may_outlive_the_places)
{
    auto p = std::make_unique<places>(io.get_executor(), 1);
    taker(*p, "a");
    taker(*p, "b");
    io.poll();
    p.reset();
    held.clear();  // the place a held goes after its places: b is handed it
    io.poll();
    EXPECT_EQ(log, (std::vector<std::string>{"a", "b"}));
    held.clear();
}

}  // namespace
}  // namespace paymand::core
