#include "paymand/inspect/status_verdict.hpp"

#include <algorithm>

namespace paymand::inspect {

std::string_view to_string(health_level level) noexcept
{
    switch (level) {
    case health_level::ok:
        return "OK";
    case health_level::warning:
        return "WARNING";
    case health_level::critical:
        return "CRITICAL";
    case health_level::unknown:
        return "UNKNOWN";
    }
    return "UNKNOWN";
}

void status_verdict::add(health_level level, std::string text)
{
    level_ = std::max(level_, level);
    findings_.push_back({level, std::move(text)});
}

std::string status_verdict::summary() const
{
    std::string out(to_string(level_));
    const char* sep = ": ";
    for (const auto& f : findings_) {
        if (f.level != level_) continue;
        out += sep + f.text;
        sep = "; ";
    }
    return out;
}

}  // namespace paymand::inspect
