#include "paymand/prompt/memo_tag.hpp"

#include "paymand/core/time_text.hpp"

#include <fmt/format.h>

namespace paymand::prompt {
namespace {

bool is_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int number(std::string_view digits)
{
    int v = 0;
    for (char c : digits) v = v * 10 + (c - '0');
    return v;
}

// A tag starting exactly at `text[0]`.
std::optional<memo_tag> tag_at(std::string_view text)
{
    if (text.substr(0, 3) != "pm:") return std::nullopt;
    std::size_t i = 3;
    const std::size_t id_start = i;
    if (i >= text.size() || !((text[i] >= 'a' && text[i] <= 'z') || is_digit(text[i])))
        return std::nullopt;
    while (i < text.size() && is_id_char(text[i])) ++i;
    const std::size_t id_length = i - id_start;
    if (id_length > 64 || i >= text.size() || text[i] != ':') return std::nullopt;
    const std::string_view stamp = text.substr(i + 1, 13);
    if (stamp.size() != 13 || stamp[8] != 'T') return std::nullopt;
    for (std::size_t k = 0; k < 13; ++k)
        if (k != 8 && !is_digit(stamp[k])) return std::nullopt;
    // A manual run's tag ends in "m"; neither form may run on into more id characters.
    std::size_t end = i + 14;
    const bool manual = end < text.size() && text[end] == 'm';
    if (manual) ++end;
    if (end < text.size() && (is_id_char(text[end]) || text[end] == ':')) return std::nullopt;
    memo_tag tag{std::string(text.substr(id_start, id_length)),
                 std::chrono::year{number(stamp.substr(0, 4))} /
                     std::chrono::month{static_cast<unsigned>(number(stamp.substr(4, 2)))} /
                     std::chrono::day{static_cast<unsigned>(number(stamp.substr(6, 2)))},
                 number(stamp.substr(9, 2)), number(stamp.substr(11, 2)), manual};
    if (!tag.date.ok() || tag.hour > 23 || tag.minute > 59) return std::nullopt;
    return tag;
}

}  // namespace

std::string format_memo_tag(const memo_tag& tag)
{
    std::string out;
    out.reserve(tag.rule_id.size() + 18);
    out.append("pm:").append(tag.rule_id).push_back(':');
    core::append_minute(out, static_cast<int>(tag.date.year()),
                        static_cast<int>(static_cast<unsigned>(tag.date.month())),
                        static_cast<int>(static_cast<unsigned>(tag.date.day())), tag.hour,
                        tag.minute, true);
    if (tag.manual) out.push_back('m');
    return out;
}

std::optional<memo_tag> find_memo_tag(std::string_view text)
{
    for (std::size_t pos = text.find("pm:"); pos != std::string_view::npos;
         pos = text.find("pm:", pos + 1)) {
        if (pos > 0 && is_id_char(text[pos - 1])) continue;
        if (auto tag = tag_at(text.substr(pos))) return tag;
    }
    return std::nullopt;
}

}  // namespace paymand::prompt
