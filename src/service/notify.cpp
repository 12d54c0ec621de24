#include "paymand/service/notify.hpp"

#include <fmt/format.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace paymand::service {
namespace {

// STATUS= is one line: the protocol is newline separated.
std::string one_line(std::string_view text)
{
    std::string line(text);
    for (char& c : line)
        if (c == '\n' || c == '\r') c = ' ';
    return line;
}

std::uint64_t monotonic_usec()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000u +
           static_cast<std::uint64_t>(ts.tv_nsec) / 1'000u;
}

}  // namespace

notifier::notifier()
{
    const char* socket = std::getenv("NOTIFY_SOCKET");
    enabled_ = socket != nullptr && *socket != '\0';
    std::uint64_t usec = 0;
    if (::sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
        watchdog_interval_ = std::chrono::microseconds(usec / 2);
}

void notifier::send(std::string_view message) const
{
    if (!enabled_) return;
    std::string text(message);
    // A lost notification must never take the daemon down; systemd's timeouts report it.
    ::sd_notify(0, text.c_str());
}

void notifier::ready(std::string_view status) const
{
    send(fmt::format("READY=1\nSTATUS={}", one_line(status)));
}

void notifier::reloading() const
{
    send(fmt::format("RELOADING=1\nMONOTONIC_USEC={}", monotonic_usec()));
}

void notifier::stopping() const
{
    send("STOPPING=1");
}

void notifier::status(std::string_view status) const
{
    send(fmt::format("STATUS={}", one_line(status)));
}

void notifier::watchdog() const
{
    send("WATCHDOG=1");
}

}  // namespace paymand::service
