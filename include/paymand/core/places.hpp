#pragma once

// A fixed number of places, handed out first come, first served: a counting semaphore for
// coroutines on one executor. A release hands its place to the oldest waiter and wakes that
// one alone, so N waiters cost N wake-ups in all (a flag that wakes every waiter at each
// release costs N per release: 1,000 occurrences due at once behind 16 places made about
// 500,000 wake-ups).
//
// One executor, one thread: not thread-safe. The state is shared, so a place or a waiting
// coroutine's frame may outlive the `places` object (io_context destruction).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <memory>

namespace paymand::core {

class places {
    struct state;
    class in_line;

public:
    // A place held; given back (to the oldest waiter, if any) when it goes.
    class place {
    public:
        place(place&& other) noexcept;
        place& operator=(place&&) = delete;
        place(const place&) = delete;
        ~place();

    private:
        friend class places;
        explicit place(std::shared_ptr<state> s);
        std::shared_ptr<state> state_;
    };

    places(boost::asio::any_io_executor executor, std::size_t count);
    places(const places&) = delete;
    places& operator=(const places&) = delete;
    ~places();

    // A place, at once when one is free and nobody waits, else when the waiters before this
    // one have had theirs. Cancelled while waiting: throws boost::system::system_error with
    // operation_aborted, holding nothing.
    boost::asio::awaitable<place> acquire();

private:
    std::shared_ptr<state> state_;
};

}  // namespace paymand::core
