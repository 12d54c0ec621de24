#include "paymand/schedule/identity.hpp"

#include "paymand/core/time_text.hpp"

#include <fmt/format.h>

namespace paymand::schedule {
namespace {

core::error bad(std::size_t offset, std::string message)
{
    return core::error{make_error_code(schedule_errc::bad_identity), offset, std::move(message)};
}

bool is_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

struct fields {
    int year;
    unsigned month, day, hour, minute;
};

fields split(local_minutes local)
{
    const auto day = date::floor<date::days>(local);
    const date::year_month_day ymd{day};
    const auto minute_of_day = static_cast<unsigned>((local - day).count());
    return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
            static_cast<unsigned>(ymd.day()), minute_of_day / 60, minute_of_day % 60};
}

// Reads `count` digits at `pos` of `text`; offset_base locates `text` in the caller's input.
core::result<unsigned> digits(std::string_view text, std::size_t pos, std::size_t count,
                              std::size_t offset_base)
{
    unsigned value = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        if (i >= text.size() || !is_digit(text[i]))
            return bad(offset_base + i, "expected a digit in the occurrence date-time");
        value = value * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return value;
}

core::result<void> expect(std::string_view text, std::size_t pos, char c, std::size_t offset_base)
{
    if (pos >= text.size() || text[pos] != c)
        return bad(offset_base + pos, fmt::format("expected '{}' in the occurrence date-time", c));
    return {};
}

// The date-time parts at the given positions, checked to be a real calendar minute.
core::result<local_minutes> assemble(std::string_view text, std::size_t offset_base, std::size_t y,
                                     std::size_t mo, std::size_t d, std::size_t h, std::size_t mi)
{
    auto year = digits(text, y, 4, offset_base);
    if (!year) return year.error();
    auto month = digits(text, mo, 2, offset_base);
    if (!month) return month.error();
    auto day = digits(text, d, 2, offset_base);
    if (!day) return day.error();
    auto hour = digits(text, h, 2, offset_base);
    if (!hour) return hour.error();
    auto minute = digits(text, mi, 2, offset_base);
    if (!minute) return minute.error();
    const date::year_month_day ymd{date::year{static_cast<int>(*year)}, date::month{*month},
                                   date::day{*day}};
    if (!ymd.ok()) return bad(offset_base + y, "the occurrence date is not a calendar date");
    if (*hour > 23) return bad(offset_base + h, "the occurrence hour is out of range 00-23");
    if (*minute > 59) return bad(offset_base + mi, "the occurrence minute is out of range 00-59");
    return date::local_days{ymd} + std::chrono::hours{*hour} + std::chrono::minutes{*minute};
}

}  // namespace

bool is_valid_rule_id(std::string_view id) noexcept
{
    if (id.empty() || id.size() > 64) return false;
    for (std::size_t i = 0; i < id.size(); ++i) {
        const char c = id[i];
        const bool alnum = (c >= 'a' && c <= 'z') || is_digit(c);
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
    }
    return true;
}

std::string to_string(const occurrence_id& id)
{
    const auto f = split(id.local);
    std::string out;
    out.reserve(id.rule.size() + 17);
    out.append(id.rule).push_back('@');
    core::append_minute(out, f.year, static_cast<int>(f.month), static_cast<int>(f.day),
                        static_cast<int>(f.hour), static_cast<int>(f.minute), false);
    return out;
}

std::string occurrence_tag(local_minutes local)
{
    const auto f = split(local);
    std::string out;
    core::append_minute(out, f.year, static_cast<int>(f.month), static_cast<int>(f.day),
                        static_cast<int>(f.hour), static_cast<int>(f.minute), true);
    return out;
}

core::result<occurrence_id> parse_occurrence_id(std::string_view text)
{
    const std::size_t at = text.find('@');
    if (at == std::string_view::npos)
        return bad(text.size(), "expected RULE@YYYY-MM-DDTHH:MM, found no '@'");
    const std::string_view rule = text.substr(0, at);
    if (!is_valid_rule_id(rule)) {
        std::size_t offset = 0;
        while (offset < rule.size() && is_valid_rule_id(rule.substr(0, offset + 1))) ++offset;
        return bad(std::min(offset, rule.size()),
                   "invalid rule id in occurrence identity (expected [a-z0-9][a-z0-9._-]{0,63})");
    }
    const std::string_view when = text.substr(at + 1);
    const std::size_t base = at + 1;
    for (auto [pos, c] : {std::pair<std::size_t, char>{4, '-'}, {7, '-'}, {10, 'T'}, {13, ':'}}) {
        if (auto s = expect(when, pos, c, base); !s) return s.error();
    }
    if (when.size() != 16)
        return bad(base + std::min<std::size_t>(when.size(), 16),
                   "expected RULE@YYYY-MM-DDTHH:MM and nothing after it");
    auto local = assemble(when, base, 0, 5, 8, 11, 14);
    if (!local) return local.error();
    return occurrence_id{std::string(rule), *local};
}

core::result<local_minutes> parse_occurrence_tag(std::string_view text)
{
    if (auto s = expect(text, 8, 'T', 0); !s) return s.error();
    if (text.size() != 13)
        return bad(std::min<std::size_t>(text.size(), 13),
                   "expected YYYYMMDDTHHMM and nothing after it");
    return assemble(text, 0, 0, 4, 6, 9, 11);
}

}  // namespace paymand::schedule
