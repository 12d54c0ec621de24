#include "paymand/core/places.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <list>
#include <utility>

namespace paymand::core {

namespace asio = boost::asio;

// One coroutine waiting in acquire(), in the queue for as long as its frame lives. A release
// hands it a place (granted) and wakes it; cancellation wakes it without one. A frame destroyed
// while waiting (io_context destruction) leaves the queue, and one destroyed after a place was
// handed to it but before it resumed passes the place on.
class places::in_line {
public:
    explicit in_line(std::shared_ptr<state> s);
    in_line(const in_line&) = delete;
    in_line& operator=(const in_line&) = delete;
    ~in_line();

    asio::steady_timer& timer() { return timer_; }
    void grant()
    {
        granted_ = true;
        timer_.cancel();
    }
    // True, and the place is the caller's, when one was handed over.
    bool take()
    {
        taken_ = granted_;
        return taken_;
    }

private:
    std::shared_ptr<state> state_;
    asio::steady_timer timer_;
    std::list<in_line*>::iterator at_;
    bool granted_ = false;
    bool taken_ = false;
};

struct places::state {
    state(asio::any_io_executor ex, std::size_t n) : executor(std::move(ex)), count(n) {}

    asio::any_io_executor executor;
    std::size_t count;
    std::size_t held = 0;
    std::list<in_line*> queue;  // oldest first

    void release()
    {
        if (queue.empty()) {
            --held;
            return;
        }
        auto* next = queue.front();
        queue.pop_front();
        next->grant();  // the place passes on: `held` stays
    }
};

places::in_line::in_line(std::shared_ptr<state> s)
    : state_(std::move(s)), timer_(state_->executor, asio::steady_timer::time_point::max())
{
    at_ = state_->queue.insert(state_->queue.end(), this);
}

places::in_line::~in_line()
{
    if (!granted_)
        state_->queue.erase(at_);
    else if (!taken_)
        state_->release();
}

places::place::place(std::shared_ptr<state> s) : state_(std::move(s)) {}

places::place::place(place&& other) noexcept = default;

places::place::~place()
{
    if (state_) state_->release();
}

places::places(asio::any_io_executor executor, std::size_t count)
    : state_(std::make_shared<state>(std::move(executor), count))
{
}

places::~places() = default;

asio::awaitable<places::place> places::acquire()
{
    auto s = state_;
    if (s->held < s->count && s->queue.empty()) {
        ++s->held;
        place now(s);
        co_return now;
    }
    in_line mine(s);
    co_await mine.timer().async_wait(asio::as_tuple(asio::use_awaitable));
    if (!mine.take()) throw boost::system::system_error(asio::error::operation_aborted);
    place handed(s);
    co_return handed;
}

}  // namespace paymand::core
