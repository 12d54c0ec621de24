#pragma once

// The one time source. Every module reads wall time and monotonic time through a core::clock
// it is given, so that tests move time by hand (tests/support/manual_clock.hpp) and `paymand
// simulate` runs months on a virtual one (engine::virtual_clock); the daemon and the commands
// are given the real one, system_clock().

#include <chrono>
#include <memory>

namespace paymand::core {

using wall_time = std::chrono::system_clock::time_point;
using steady_time = std::chrono::steady_clock::time_point;

class clock {
public:
    virtual ~clock() = default;

    // Wall time: schedules, audit record stamps, dates people read and servers send.
    virtual wall_time wall_now() const = 0;

    // Monotonic time: durations, deadlines and expiries that a clock step must not move.
    virtual steady_time steady_now() const = 0;
};

// The real clock, shared; safe from any thread. Its wall time is the system clock's, except in
// the test-only build with crash points: there PAYMAND_TEST_CLOCK="ANCHOR:SPEED" (Unix seconds,
// integer factor) makes it run SPEED times faster from ANCHOR on, so that minute schedules
// fire every second across restarts of the crash harness. Its monotonic time is never
// accelerated. PAYMAND_TEST_CLOCK_SKEW_MS (milliseconds, may be negative; that build only)
// shifts its wall time, as a machine whose clock is off would be.
std::shared_ptr<const clock> system_clock();

// The machine's wall time as another machine sees it, never accelerated: what a node compares
// with the database's clock (the lease keeper's skew check). The same as system_clock() outside
// the crash-point build; in it, PAYMAND_TEST_CLOCK_SKEW_MS shifts it too.
std::shared_ptr<const clock> unaccelerated_clock();

// `c`'s wall time in whole seconds: what commands take as "now" (schedules, printed instants).
std::chrono::sys_seconds now_seconds(const clock& c);
// The same on system_clock().
std::chrono::sys_seconds now_seconds();

// Maps an instant of system_clock()'s wall time to the instant of the system clock at which it
// is reached (the identity outside the accelerated build), for waits on a system timer.
wall_time system_wall_to_real(wall_time wall);

}  // namespace paymand::core
