#include "paymand/core/crash_point.hpp"

#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

namespace paymand::core {

std::optional<armed_point> parse_armed_point(std::string_view spec) noexcept
{
    armed_point point{.name = spec};
    if (auto colon = spec.find(':'); colon != std::string_view::npos) {
        const auto digits = spec.substr(colon + 1);
        const auto end = digits.data() + digits.size();
        auto [stop, ec] = std::from_chars(digits.data(), end, point.hit);
        if (digits.empty() || ec != std::errc{} || stop != end || point.hit == 0)
            return std::nullopt;
        point.name = spec.substr(0, colon);
    }
    if (point.name.empty()) return std::nullopt;
    return point;
}

namespace {

// The point `variable` names, if any; a value that does not parse ends the process.
std::optional<armed_point> armed_by(const char* variable) noexcept
{
    const char* spec = std::getenv(variable);
    if (spec == nullptr) return std::nullopt;
    auto point = parse_armed_point(spec);
    if (!point) {
        const std::string message = std::string(variable) + "=" + spec +
                                    ": expected name or name:n, n a whole number from 1\n";
        static_cast<void>(::write(STDERR_FILENO, message.data(), message.size()));
        std::abort();
    }
    return point;
}

}  // namespace

void crash_point(std::string_view name) noexcept
{
    const auto crash = armed_by("PAYMAND_CRASH_AT");
    const auto pause = armed_by("PAYMAND_PAUSE_AT");
    const bool crash_here = crash && crash->name == name;
    const bool pause_here = pause && pause->name == name;
    if (!crash_here && !pause_here) return;
    static std::mutex mutex;
    static std::map<std::string, unsigned long, std::less<>> hits;
    unsigned long count = 0;
    {
        std::lock_guard lock(mutex);
        count = ++hits[std::string(name)];
    }
    if (crash_here && count == crash->hit) ::kill(::getpid(), SIGKILL);
    // SIGSTOP stops every thread of the process; it goes on here once sent SIGCONT.
    if (pause_here && count == pause->hit) ::raise(SIGSTOP);
}

}  // namespace paymand::core
