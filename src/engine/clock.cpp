#include "paymand/engine/clock.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace paymand::engine {

namespace asio = boost::asio;

namespace {

// Maps real time to the daemon's wall clock: the identity, except in the crash-test build
// under PAYMAND_TEST_CLOCK.
struct time_warp {
    sys_time anchor{};
    std::int64_t speed = 1;

    sys_time to_wall(sys_time real) const { return anchor + (real - anchor) * speed; }
    sys_time to_real(sys_time wall) const { return anchor + (wall - anchor) / speed; }
};

const time_warp& warp()
{
    static const time_warp w = [] {
        time_warp out;
#ifdef PAYMAND_CRASH_POINTS
        if (const char* spec = std::getenv("PAYMAND_TEST_CLOCK")) {
            long long anchor = 0, speed = 1;
            if (std::sscanf(spec, "%lld:%lld", &anchor, &speed) == 2 && speed >= 1) {
                out.anchor = sys_time(std::chrono::seconds(anchor));
                out.speed = speed;
            }
        }
#endif
        return out;
    }();
    return w;
}

class system_clock_source final : public clock {
public:
    explicit system_clock_source(asio::any_io_executor executor) : timer_(executor) {}

    sys_time now() const override { return wall_clock_now(); }

    asio::awaitable<bool> sleep_until(sys_time when) override
    {
        timer_.expires_at(warp().to_real(when));
        auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        co_return !ec;
    }

    void interrupt() override { timer_.cancel(); }
    bool is_virtual() const override { return false; }

private:
    asio::system_timer timer_;
};

}  // namespace

sys_time wall_clock_now()
{
    const auto real = std::chrono::system_clock::now();
    return warp().speed == 1 ? real : warp().to_wall(real);
}

std::unique_ptr<clock> make_system_clock(asio::any_io_executor executor)
{
    return std::make_unique<system_clock_source>(std::move(executor));
}

virtual_clock::virtual_clock(asio::any_io_executor executor, sys_time start)
    : executor_(std::move(executor)), now_(start)
{
}

asio::awaitable<bool> virtual_clock::sleep_until(sys_time when)
{
    // Let everything already posted run first, as a real wait would.
    co_await asio::post(executor_, asio::use_awaitable);
    if (interrupted_) {
        interrupted_ = false;
        co_return false;
    }
    advance_to(when);
    co_return true;
}

void virtual_clock::advance_to(sys_time when)
{
    if (when > now_.load()) now_.store(when);
}

}  // namespace paymand::engine
