#include "paymand/payman/ask.hpp"

#include "paymand/text/word_table.hpp"

#include <algorithm>
#include <array>

namespace paymand::payman {

namespace {

constexpr auto task_words = text::make_word_table<task_state>({
    {task_state::submitted, "submitted"},
    {task_state::working, "working"},
    {task_state::input_required, "input-required"},
    {task_state::completed, "completed"},
    {task_state::canceled, "canceled"},
    {task_state::failed, "failed"},
    {task_state::unknown, "unknown"},
});

}  // namespace

std::string_view to_string(task_state s) noexcept
{
    return task_words.word(s, "unknown");
}

task_state parse_task_state(std::string_view text) noexcept
{
    std::array<char, 32> folded{};
    if (text.size() > folded.size()) return task_state::unknown;
    std::transform(text.begin(), text.end(), folded.begin(), [](char c) {
        return c == '_' ? '-' : (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    });
    const std::string_view s(folded.data(), text.size());
    if (s == "cancelled") return task_state::canceled;  // the British spelling, also seen
    return task_words.parse(s).value_or(task_state::unknown);
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
