#pragma once

// The tests' one clock double: a core::clock that stands still until the test sets or advances
// it. Both readings move together by advance(); set_wall() and set_steady() place one of them.
// With tick_per_read(d), every wall read first moves both readings on by d, as time does
// between two calls (the audit tests' strictly increasing stamps). Safe from any thread (the
// audit writer's thread stamps records with it).

#include "paymand/core/clock.hpp"

#include <chrono>
#include <memory>
#include <mutex>

namespace paymand::test {

class manual_clock final : public core::clock {
public:
    explicit manual_clock(core::wall_time wall = std::chrono::system_clock::now(),
                          core::steady_time steady = std::chrono::steady_clock::now())
        : wall_(wall), steady_(steady)
    {
    }

    core::wall_time wall_now() const override
    {
        std::scoped_lock lock(mutex_);
        wall_ += tick_;
        steady_ += tick_;
        return wall_;
    }
    core::steady_time steady_now() const override
    {
        std::scoped_lock lock(mutex_);
        return steady_;
    }

    void advance(std::chrono::nanoseconds by)
    {
        std::scoped_lock lock(mutex_);
        wall_ += by;
        steady_ += by;
    }
    void set_wall(core::wall_time when)
    {
        std::scoped_lock lock(mutex_);
        wall_ = when;
    }
    void set_steady(core::steady_time when)
    {
        std::scoped_lock lock(mutex_);
        steady_ = when;
    }
    void tick_per_read(std::chrono::nanoseconds tick)
    {
        std::scoped_lock lock(mutex_);
        tick_ = tick;
    }

private:
    mutable std::mutex mutex_;
    mutable core::wall_time wall_;
    mutable core::steady_time steady_;
    std::chrono::nanoseconds tick_{0};
};

// A shared manual clock standing at `wall`, for the injection points that keep their clock.
inline std::shared_ptr<manual_clock> clock_at(core::wall_time wall)
{
    return std::make_shared<manual_clock>(wall);
}

}  // namespace paymand::test
