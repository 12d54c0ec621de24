#pragma once

// The coroutines one owner starts and must see end before it goes: structured concurrency on
// Asio. Every task is bound to a cancellation signal of its own; `cancel` emits to all of them
// and `async_wait_until` waits, bounded, until none is left. An owner stops in two phases, as
// Beast's awaitable server does: cancel what has nothing left to lose, give the rest a grace
// period, then cancel (terminal) whatever is still running and wait for it to unwind.
//
// One executor, one thread: the group is not thread-safe. Tasks keep the group's state alive
// (shared), so a group may go before a task's frame does (io_context destruction); a task's
// end is then not reported to anyone.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_type.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::core {

class task_group {
    struct state;

public:
    // Told of a task that ended by an exception other than the cancellation the group asked
    // for (a bug: tasks report expected failures as values).
    using failure_handler = std::function<void(std::string_view task, std::exception_ptr)>;

    task_group(boost::asio::any_io_executor executor, failure_handler on_failure);
    task_group(const task_group&) = delete;
    task_group& operator=(const task_group&) = delete;
    ~task_group();

    // Starts `work` on the group's executor, bound to a cancellation signal of its own.
    // `name` says what it is when the group reports what is left.
    void spawn(std::string name, boost::asio::awaitable<void> work);

    // A member of the group that is not a spawned task: work a caller runs inline (a manual
    // trigger) still counts until the hold goes. Cancellation does not reach it (the caller's
    // own coroutine is what gets cancelled).
    class hold {
    public:
        hold(hold&& other) noexcept;
        hold& operator=(hold&&) = delete;
        ~hold();

    private:
        friend class task_group;
        hold(std::shared_ptr<task_group::state> s, std::uint64_t id);
        std::shared_ptr<task_group::state> state_;
        std::uint64_t id_ = 0;
    };

    hold join(std::string name);

    // Emits `type` to every task running now (tasks spawned later are not cancelled).
    void cancel(boost::asio::cancellation_type type);

    // Completes when no member is left (true) or at `deadline` (false), whichever is first.
    boost::asio::awaitable<bool> async_wait_until(std::chrono::steady_clock::time_point deadline);

    // Completes when no member is left.
    boost::asio::awaitable<void> async_wait();

    std::size_t size() const noexcept;

    // The names of the members still running, in the order they started.
    std::vector<std::string> names() const;

private:
    std::shared_ptr<state> state_;
};

}  // namespace paymand::core
