#include "paymand/inspect/status_verdict.hpp"

#include "paymand/text/word_table.hpp"

#include <algorithm>

namespace paymand::inspect {

namespace {

constexpr auto level_words = text::make_word_table<health_level>({
    {health_level::ok, "OK"},
    {health_level::warning, "WARNING"},
    {health_level::critical, "CRITICAL"},
    {health_level::unknown, "UNKNOWN"},
});

}  // namespace

std::string_view to_string(health_level level) noexcept
{
    return level_words.word(level, "UNKNOWN");
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
