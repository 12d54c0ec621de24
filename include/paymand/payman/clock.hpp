#pragma once

// The client's only source of time, so that tests can move it by hand.

#include <chrono>
#include <memory>

namespace paymand::payman {

class clock {
public:
    virtual ~clock() = default;
    // Monotonic time for token expiry.
    virtual std::chrono::steady_clock::time_point now() const = 0;
    // Wall time for the timestamps in request metadata.
    virtual std::chrono::system_clock::time_point wall_now() const = 0;
};

// The real clocks, shared.
std::shared_ptr<const clock> system_clock_source();

}  // namespace paymand::payman
