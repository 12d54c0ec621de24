#include "paymand/payman/ask.hpp"

#include <algorithm>
#include <cctype>

namespace paymand::payman {

std::string_view to_string(task_state s) noexcept
{
    switch (s) {
    case task_state::submitted:
        return "submitted";
    case task_state::working:
        return "working";
    case task_state::input_required:
        return "input-required";
    case task_state::completed:
        return "completed";
    case task_state::canceled:
        return "canceled";
    case task_state::failed:
        return "failed";
    case task_state::unknown:
        return "unknown";
    }
    return "unknown";
}

task_state parse_task_state(std::string_view text) noexcept
{
    if (text.size() > 32) return task_state::unknown;
    std::string s(text);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
        return c == '_' ? '-' : static_cast<char>(std::tolower(c));
    });
    if (s == "submitted") return task_state::submitted;
    if (s == "working") return task_state::working;
    if (s == "input-required") return task_state::input_required;
    if (s == "completed") return task_state::completed;
    if (s == "canceled" || s == "cancelled") return task_state::canceled;
    if (s == "failed") return task_state::failed;
    return task_state::unknown;
}

std::string ask_result::reply_text() const
{
    std::string out;
    for (const auto& a : artifacts) {
        if (a.text.empty()) continue;
        if (!out.empty()) out.push_back('\n');
        out += a.text;
    }
    return out;
}

}  // namespace paymand::payman
