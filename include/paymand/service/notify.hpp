#pragma once

// The service manager's side channel (sd_notify(3)) as paymand uses it. Every call is a
// no-op when NOTIFY_SOCKET is unset, so the daemon runs the same under systemd, in a
// terminal and in tests; a test acting as systemd sets NOTIFY_SOCKET to its own socket.

#include <chrono>
#include <optional>
#include <string_view>

namespace paymand::service {

class notifier {
public:
    // Reads NOTIFY_SOCKET and WATCHDOG_USEC/WATCHDOG_PID once (sd_watchdog_enabled).
    notifier();

    bool enabled() const { return enabled_; }

    // READY=1 with a STATUS= line: rules loaded, audit replayed, first timer armed.
    void ready(std::string_view status) const;
    // RELOADING=1 with MONOTONIC_USEC=, as systemd 253+ expects before it waits for READY=1.
    void reloading() const;
    void stopping() const;
    void status(std::string_view status) const;
    void watchdog() const;

    // How often to send WATCHDOG=1: half of WatchdogSec, or nullopt when no watchdog is set.
    std::optional<std::chrono::microseconds> watchdog_interval() const
    {
        return watchdog_interval_;
    }

private:
    void send(std::string_view message) const;

    bool enabled_ = false;
    std::optional<std::chrono::microseconds> watchdog_interval_;
};

}  // namespace paymand::service
