#include "paymand/core/crash_point.hpp"

#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

namespace paymand::core {

void crash_point(std::string_view name) noexcept
{
    const char* spec = std::getenv("PAYMAND_CRASH_AT");
    if (spec == nullptr) return;
    std::string_view wanted(spec);
    unsigned long nth = 1;
    if (auto colon = wanted.find(':'); colon != std::string_view::npos) {
        auto digits = wanted.substr(colon + 1);
        std::from_chars(digits.data(), digits.data() + digits.size(), nth);
        wanted = wanted.substr(0, colon);
    }
    if (wanted != name) return;
    static std::mutex mutex;
    static std::map<std::string, unsigned long, std::less<>> hits;
    std::lock_guard lock(mutex);
    auto& count = hits[std::string(name)];
    if (++count == nth) ::kill(::getpid(), SIGKILL);
}

}  // namespace paymand::core
