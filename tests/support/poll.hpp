#pragma once

// The one wait of the test suites for a condition without an event to wait on (another
// process's counters, a file growing, a server's session table): poll it with a deadline,
// never sleep and hope.

#include <chrono>
#include <thread>

namespace paymand::test {

// Checks `done` until it holds (true) or `timeout` has passed (false), pausing `interval`
// between checks.
template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds timeout = std::chrono::seconds(10),
                std::chrono::milliseconds interval = std::chrono::milliseconds(10))
{
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (done()) return true;
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(interval);
    }
}

}  // namespace paymand::test
