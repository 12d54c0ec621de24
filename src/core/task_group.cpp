#include "paymand/core/task_group.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <list>
#include <map>

namespace paymand::core {

namespace asio = boost::asio;

struct task_group::state {
    struct member {
        std::string name;
        // Only spawned tasks have one; its slot is bound to the task's completion handler.
        std::unique_ptr<asio::cancellation_signal> signal;
    };

    explicit state(asio::any_io_executor ex, failure_handler f)
        : executor(std::move(ex)), on_failure(std::move(f))
    {
    }

    asio::any_io_executor executor;
    failure_handler on_failure;
    std::map<std::uint64_t, member> members;  // by start order
    std::uint64_t next_id = 0;
    // The timers of async_wait_until's callers: cancelled (woken) when the group empties.
    std::list<asio::steady_timer*> waiters;

    void leave(std::uint64_t id)
    {
        members.erase(id);
        if (!members.empty()) return;
        for (auto* t : waiters) t->cancel();
    }
};

namespace {

// An exception the group's own cancellation caused: the task ended as asked.
bool is_cancellation(std::exception_ptr e)
{
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& error) {
        return error.code() == asio::error::operation_aborted;
    } catch (...) {
        return false;
    }
}

}  // namespace

task_group::task_group(asio::any_io_executor executor, failure_handler on_failure)
    : state_(std::make_shared<state>(std::move(executor), std::move(on_failure)))
{
}

task_group::~task_group()
{
    // Tasks that outlive the group (their frames go with the io_context) report to no one.
    state_->on_failure = nullptr;
}

void task_group::spawn(std::string name, asio::awaitable<void> work)
{
    const auto id = state_->next_id++;
    auto& m = state_->members[id];
    m.name = std::move(name);
    m.signal = std::make_unique<asio::cancellation_signal>();
    auto slot = m.signal->slot();
    asio::co_spawn(state_->executor, std::move(work),
                   asio::bind_cancellation_slot(slot, [s = state_, id](std::exception_ptr e) {
                       if (e && !is_cancellation(e) && s->on_failure) {
                           auto it = s->members.find(id);
                           s->on_failure(it != s->members.end() ? it->second.name : "", e);
                       }
                       s->leave(id);
                   }));
}

task_group::hold task_group::join(std::string name)
{
    const auto id = state_->next_id++;
    state_->members[id].name = std::move(name);
    return hold(state_, id);
}

task_group::hold::hold(std::shared_ptr<task_group::state> s, std::uint64_t id)
    : state_(std::move(s)), id_(id)
{
}

task_group::hold::hold(hold&& other) noexcept : state_(std::move(other.state_)), id_(other.id_) {}

task_group::hold::~hold()
{
    if (state_) state_->leave(id_);
}

void task_group::cancel(asio::cancellation_type type)
{
    // Emitting may end a task at once (its handler erases its member): walk a copy of the ids.
    std::vector<std::uint64_t> ids;
    for (const auto& [id, m] : state_->members)
        if (m.signal) ids.push_back(id);
    for (auto id : ids) {
        auto it = state_->members.find(id);
        if (it != state_->members.end()) it->second.signal->emit(type);
    }
}

asio::awaitable<bool> task_group::async_wait_until(std::chrono::steady_clock::time_point deadline)
{
    auto s = state_;
    while (!s->members.empty()) {
        asio::steady_timer timer(s->executor, deadline);
        auto waiter = s->waiters.insert(s->waiters.end(), &timer);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        s->waiters.erase(waiter);
        if (!ec) co_return s->members.empty();  // the deadline passed
    }
    co_return true;
}

asio::awaitable<void> task_group::async_wait()
{
    co_await async_wait_until(std::chrono::steady_clock::time_point::max());
}

std::size_t task_group::size() const noexcept
{
    return state_->members.size();
}

std::vector<std::string> task_group::names() const
{
    std::vector<std::string> out;
    for (const auto& [id, m] : state_->members) out.push_back(m.name);
    return out;
}

}  // namespace paymand::core
