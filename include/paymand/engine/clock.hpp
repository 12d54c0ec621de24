#pragma once

// The engine's time source: core::clock's two reads plus what only the scheduler needs (waits
// for an instant). Every read of the wall clock and every wait for an instant goes through it,
// so tests and `paymand simulate` run months of schedule in milliseconds on a virtual clock
// while the daemon uses the real one.

#include "paymand/core/clock.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <memory>

namespace paymand::engine {

using sys_time = core::wall_time;

class clock : public core::clock {
public:
    // Completes at `when` (at once when it has passed) or earlier when interrupt() is called;
    // true when `when` was reached. Only one sleeper at a time: the scheduler.
    virtual boost::asio::awaitable<bool> sleep_until(sys_time when) = 0;

    // Wakes the sleeper early (new rules, a clock step, stop, leadership); called while nobody
    // sleeps, the next sleep_until returns false at once.
    virtual void interrupt() = 0;

    // A virtual clock jumps instead of waiting; the scheduler then lets all work in flight
    // finish before it advances time, so a run is deterministic.
    virtual bool is_virtual() const = 0;
};

// The real clock (core::system_clock(): accelerated in the crash-test build). Waits use a
// system_timer, which Asio arms on a monotonic basis: a clock step is not followed by the timer
// itself, so the daemon interrupts it when service::clock_step_watch reports one and re-plans.
std::unique_ptr<clock> make_system_clock(boost::asio::any_io_executor executor);

// A clock that starts at `start` and moves only when the scheduler sleeps (it jumps to the
// instant slept for) or when advance_to() or set() is called. Its monotonic time starts at the
// steady epoch and moves forward with its wall time, never backward: a step back of the wall
// time leaves it where it is.
class virtual_clock final : public clock {
public:
    virtual_clock(boost::asio::any_io_executor executor, sys_time start);

    // Safe from any thread (the audit writer's thread stamps records with it).
    sys_time wall_now() const override { return now_.load(); }
    core::steady_time steady_now() const override { return core::steady_time(steady_.load()); }
    boost::asio::awaitable<bool> sleep_until(sys_time when) override;
    void interrupt() override { interrupted_ = true; }
    bool is_virtual() const override { return true; }

    // Moves time forward (never backward) to `when`.
    void advance_to(sys_time when);

    // Sets the clock to any instant, backward included: for tests of clock steps.
    void set(sys_time when);

private:
    boost::asio::any_io_executor executor_;
    std::atomic<sys_time> now_;
    std::atomic<core::steady_time::duration> steady_{};
    bool interrupted_ = false;
};

}  // namespace paymand::engine
