#include "paymand/engine/clock.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>

namespace paymand::engine {

namespace asio = boost::asio;

namespace {

class system_clock_source final : public clock {
public:
    explicit system_clock_source(asio::any_io_executor executor)
        : real_(core::system_clock()), timer_(executor)
    {
    }

    sys_time wall_now() const override { return real_->wall_now(); }
    core::steady_time steady_now() const override { return real_->steady_now(); }

    // An interrupt while nobody sleeps is kept for the next sleep, as the virtual clock's is:
    // it was asked for because something changed (leadership, an occurrence to put back).
    asio::awaitable<bool> sleep_until(sys_time when) override
    {
        if (std::exchange(interrupted_, false)) co_return false;
        timer_.expires_at(core::system_wall_to_real(when));
        auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        interrupted_ = false;
        co_return !ec;
    }

    void interrupt() override
    {
        interrupted_ = true;
        timer_.cancel();
    }
    bool is_virtual() const override { return false; }

private:
    std::shared_ptr<const core::clock> real_;
    asio::system_timer timer_;
    bool interrupted_ = false;
};

}  // namespace

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
    if (when > now_.load()) set(when);
}

void virtual_clock::set(sys_time when)
{
    const auto was = now_.load();
    if (when > was) steady_.store(steady_.load() + (when - was));
    now_.store(when);
}

}  // namespace paymand::engine
