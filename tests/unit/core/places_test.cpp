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

    // Runs what is ready; the io_context may have run out of work since the last time.
    std::size_t poll()
    {
        io.restart();
        return io.poll();
    }

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
    poll();
    EXPECT_EQ(log, (std::vector<std::string>{"a", "b"}));

    held[1].reset();  // b goes: c gets its place
    poll();
    held[0].reset();  // a goes: d
    poll();
    EXPECT_EQ(log, (std::vector<std::string>{"a", "b", "c", "d"}));

    held.clear();  // c and d go: e, then one free place
    poll();
    EXPECT_EQ(log.back(), "e");
    taker(p, "f");  // the free place, at once
    taker(p, "g");  // e still holds the other
    poll();
    EXPECT_EQ(log, (std::vector<std::string>{"a", "b", "c", "d", "e", "f"}));
    held.clear();  // e and f go: g, and one place free again
    taker(p, "h");
    poll();
    EXPECT_EQ(log, (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "h"}));
    held.clear();
}

TEST_F(places_test, a_release_wakes_one_waiter_not_every_one)
{
    places p(io.get_executor(), 1);
    for (int i = 0; i < 200; ++i) taker(p, std::to_string(i));
    poll();
    ASSERT_EQ(log.size(), 1U);

    held.clear();
    // The waiter's wake-up and its coroutine's return: a handful of handlers, whatever the
    // number still waiting (a flag that wakes every waiter runs at least 199).
    auto handlers = poll();
    EXPECT_LE(handlers, 4U);
    EXPECT_EQ(log, (std::vector<std::string>{"0", "1"}));
    held.clear();
    poll();  // the next in line, and no other
    EXPECT_EQ(log, (std::vector<std::string>{"0", "1", "2"}));
    held.clear();
}

TEST_F(places_test, a_waiter_cancelled_leaves_the_queue_holding_nothing)
{
    places p(io.get_executor(), 1);
    asio::cancellation_signal cancel_b;
    taker(p, "a");
    taker(p, "b", cancel_b.slot());
    taker(p, "c");
    poll();

    cancel_b.emit(asio::cancellation_type::terminal);
    poll();
    EXPECT_EQ(log, (std::vector<std::string>{"a", "b cancelled"}));

    held.clear();  // a goes: the place skips b and reaches c
    poll();
    EXPECT_EQ(log.back(), "c");
    taker(p, "d");  // c holds the one place: d waits
    poll();
    EXPECT_EQ(log.back(), "c");
    held.clear();
    poll();
    EXPECT_EQ(log.back(), "d");
    held.clear();
}

TEST_F(places_test, waiting_frames_may_outlive_the_places)
{
    auto p = std::make_unique<places>(io.get_executor(), 1);
    taker(*p, "a");
    taker(*p, "b");
    poll();
    p.reset();
    held.clear();  // the place a held goes after its places: b is handed it
    poll();
    EXPECT_EQ(log, (std::vector<std::string>{"a", "b"}));
    held.clear();
}

}  // namespace
}  // namespace paymand::core
