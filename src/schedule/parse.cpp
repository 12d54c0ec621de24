#include "paymand/schedule/calendar.hpp"
#include "schedule/calendar_builder.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::schedule {
namespace {

struct token {
    std::string_view text;
    std::size_t offset;
};

using parse_status = core::result<void>;

core::error make_error(schedule_errc code, std::size_t offset, std::string message)
{
    return core::error{make_error_code(code), offset, std::move(message)};
}

char lower(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool istarts_with(std::string_view text, std::string_view prefix) noexcept
{
    return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

bool is_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}
bool is_alpha(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

constexpr std::array<std::string_view, 12> month_names = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> weekday_short = {"sun", "mon", "tue", "wed",
                                                           "thu", "fri", "sat"};
constexpr std::array<std::string_view, 7> weekday_long = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};

// --- cron fields ---------------------------------------------------------------------------

enum class field_kind { minute, hour, day_of_month, month, day_of_week };

struct field_spec {
    field_kind kind;
    std::string_view name;
    unsigned lo;
    unsigned hi;  // day of week: 7, which means Sunday like 0
};

constexpr std::array<field_spec, 5> cron_fields = {{
    {field_kind::minute, "minute", 0, 59},
    {field_kind::hour, "hour", 0, 23},
    {field_kind::day_of_month, "day of month", 1, 31},
    {field_kind::month, "month", 1, 12},
    {field_kind::day_of_week, "day of week", 0, 7},
}};

std::string range_text(const field_spec& spec)
{
    if (spec.kind == field_kind::month) return "1-12 or JAN-DEC";
    if (spec.kind == field_kind::day_of_week) return "0-7 or SUN-SAT (0 and 7 are Sunday)";
    return fmt::format("{}-{}", spec.lo, spec.hi);
}

core::result<unsigned> parse_number(std::string_view text, std::size_t offset,
                                    std::string_view what)
{
    if (text.empty() || !is_digit(text.front()))
        return make_error(schedule_errc::syntax, offset,
                          fmt::format("expected a number for the {}", what));
    unsigned value = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_digit(text[i])) {
            return make_error(schedule_errc::syntax, offset + i,
                              fmt::format("unexpected '{}' in the {}", text[i], what));
        }
        if (value > 100000) {
            return make_error(schedule_errc::out_of_range, offset,
                              fmt::format("{} '{}' is out of range", what, text));
        }
        value = value * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return value;
}

core::result<unsigned> parse_field_value(std::string_view text, std::size_t offset,
                                         const field_spec& spec)
{
    if (text.empty()) {
        return make_error(schedule_errc::syntax, offset,
                          fmt::format("expected a value in the {} field", spec.name));
    }
    if (const std::size_t hash = text.find('#'); hash != std::string_view::npos) {
        return make_error(schedule_errc::syntax, offset + hash,
                          "'#' is not standard cron; write `monthly on first monday at HH:MM` "
                          "(first..fourth, last)");
    }
    if (is_alpha(text.front())) {
        if (spec.kind == field_kind::month) {
            for (unsigned i = 0; i < month_names.size(); ++i)
                if (iequals(text, month_names[i])) return i + 1;
            return make_error(schedule_errc::syntax, offset,
                              fmt::format("unknown month name '{}'; expected JAN..DEC", text));
        }
        if (spec.kind == field_kind::day_of_week) {
            for (unsigned i = 0; i < weekday_short.size(); ++i)
                if (iequals(text, weekday_short[i])) return i;
            return make_error(schedule_errc::syntax, offset,
                              fmt::format("unknown weekday name '{}'; expected SUN..SAT", text));
        }
        if (spec.kind == field_kind::day_of_month && iequals(text, "L")) {
            return make_error(schedule_errc::syntax, offset,
                              "'L' is not standard cron; write `monthly on last day at HH:MM`");
        }
        return make_error(schedule_errc::syntax, offset,
                          fmt::format("unexpected '{}' in the {} field", text, spec.name));
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_digit(text[i])) {
            return make_error(schedule_errc::syntax, offset + i,
                              fmt::format("unexpected '{}' in the {} field", text[i], spec.name));
        }
    }
    auto value = parse_number(text, offset, spec.name);
    if (!value) return value.error();
    if (*value < spec.lo || *value > spec.hi) {
        return make_error(
            schedule_errc::out_of_range, offset,
            fmt::format("{} {} is out of range {}", spec.name, text, range_text(spec)));
    }
    return *value;
}

// One cron field: a comma list of `*`, `a`, `a-b`, each optionally `/step`. Values go into
// bit v of `out`.
parse_status parse_cron_field(const token& tok, const field_spec& spec, std::uint64_t& out)
{
    out = 0;
    std::size_t start = 0;
    const std::string_view text = tok.text;
    while (true) {
        const std::size_t comma = text.find(',', start);
        const std::string_view element = text.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        const std::size_t element_offset = tok.offset + start;
        if (element.empty()) {
            return make_error(schedule_errc::empty_element, element_offset,
                              fmt::format("empty element in the {} field list", spec.name));
        }
        std::string_view base = element;
        unsigned step = 1;
        bool has_step = false;
        if (const std::size_t slash = element.find('/'); slash != std::string_view::npos) {
            base = element.substr(0, slash);
            const std::string_view step_text = element.substr(slash + 1);
            const std::size_t step_offset = element_offset + slash + 1;
            if (step_text.empty()) {
                return make_error(schedule_errc::syntax, step_offset,
                                  fmt::format("missing step after '/' in the {} field", spec.name));
            }
            auto parsed = parse_number(step_text, step_offset, fmt::format("{} step", spec.name));
            if (!parsed) return parsed.error();
            if (*parsed == 0) {
                return make_error(
                    schedule_errc::zero_step, step_offset,
                    fmt::format("step 0 in the {} field; a step must be at least 1", spec.name));
            }
            const unsigned span =
                (spec.kind == field_kind::day_of_week ? 7 : spec.hi - spec.lo + 1);
            if (*parsed >= span) {
                return make_error(schedule_errc::out_of_range, step_offset,
                                  fmt::format("step {} in the {} field is out of range 1-{}",
                                              *parsed, spec.name, span - 1));
            }
            step = *parsed;
            has_step = true;
        }
        unsigned lo = 0;
        unsigned hi = 0;
        if (base == "*") {
            lo = spec.lo;
            hi = spec.kind == field_kind::day_of_week ? 6 : spec.hi;
        } else if (const std::size_t dash = base.find('-'); dash != std::string_view::npos) {
            auto a = parse_field_value(base.substr(0, dash), element_offset, spec);
            if (!a) return a.error();
            auto b = parse_field_value(base.substr(dash + 1), element_offset + dash + 1, spec);
            if (!b) return b.error();
            if (*a > *b) {
                return make_error(schedule_errc::reversed_range, element_offset,
                                  fmt::format("reversed range {} in the {} field; write the "
                                              "smaller value first",
                                              base, spec.name));
            }
            lo = *a;
            hi = *b;
        } else {
            auto a = parse_field_value(base, element_offset, spec);
            if (!a) return a.error();
            if (has_step && spec.kind == field_kind::day_of_week) {
                // Crons disagree: cronie reads 1/2 as 1-7/2 (with Sunday as 7), Vixie cron
                // refuses it, and paymand read it as 1-6/2 until 2026. Say the range.
                const unsigned s = step;
                return make_error(
                    schedule_errc::syntax, element_offset,
                    fmt::format(
                        "'{}' in the day of week field is read differently by different "
                        "crons; write the range: `{}-7/{}` (up to Sunday as 7) or `{}-6/{}` "
                        "(up to Saturday)",
                        element, *a, s, *a, s));
            }
            lo = *a;
            hi = has_step ? (spec.kind == field_kind::day_of_week ? 6 : spec.hi) : *a;
        }
        for (unsigned v = lo; v <= hi; v += step) out |= std::uint64_t{1} << v;
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    if (spec.kind == field_kind::day_of_week && (out >> 7 & 1U) != 0) {
        out &= ~(std::uint64_t{1} << 7);
        out |= 1;  // 7 is Sunday
    }
    return {};
}

template <std::size_t N>
std::bitset<N> to_bits(std::uint64_t v)
{
    std::bitset<N> bits;
    for (std::size_t i = 0; i < N; ++i) bits[i] = (v >> i & 1U) != 0;
    return bits;
}

core::result<calendar> parse_cron(const std::vector<token>& tokens, const schedule_options& options)
{
    if (tokens.size() == 6 || tokens.size() == 7) {
        return make_error(schedule_errc::seconds_or_year_field, tokens[5].offset,
                          fmt::format("schedule has {} fields; paymand takes standard 5-field cron "
                                      "(minute hour day-of-month month day-of-week): seconds and "
                                      "year fields are not supported",
                                      tokens.size()));
    }
    if (tokens.size() != 5) {
        const std::size_t offset =
            tokens.size() > 5 ? tokens[5].offset : tokens.back().offset + tokens.back().text.size();
        return make_error(schedule_errc::field_count, offset,
                          fmt::format("schedule has {} field{}; cron needs 5 (minute hour "
                                      "day-of-month month day-of-week), or use a macro such as "
                                      "@daily or a form such as `daily at 06:00`",
                                      tokens.size(), tokens.size() == 1 ? "" : "s"));
    }
    std::array<std::uint64_t, 5> values{};
    for (std::size_t i = 0; i < 5; ++i) {
        if (auto status = parse_cron_field(tokens[i], cron_fields[i], values[i]); !status)
            return status.error();
    }
    calendar_builder b;
    b.minutes = to_bits<60>(values[0]);
    b.hours = to_bits<24>(values[1]);
    b.days_of_month = to_bits<32>(values[2]);
    b.months = to_bits<13>(values[3]);
    b.days_of_week = to_bits<7>(values[4]);
    b.dom_restricted = tokens[2].text != "*";
    b.dow_restricted = tokens[4].text != "*";
    b.dom_offset = tokens[2].offset;
    if (!b.dom_restricted) b.days_of_month.reset();
    if (!b.dow_restricted) b.days_of_week.reset();
    return b.build(options);
}

// --- macros --------------------------------------------------------------------------------

core::result<calendar> parse_macro(const std::vector<token>& tokens,
                                   const schedule_options& options)
{
    const token& tok = tokens.front();
    const std::string_view name = tok.text;
    if (iequals(name, "@reboot")) {
        return make_error(schedule_errc::unsupported_macro, tok.offset,
                          "@reboot is not a time schedule and is not supported; paymand fires "
                          "rules at calendar times only");
    }
    const char* cron = nullptr;
    if (iequals(name, "@yearly") || iequals(name, "@annually")) cron = "0 0 1 1 *";
    if (iequals(name, "@monthly")) cron = "0 0 1 * *";
    if (iequals(name, "@weekly")) cron = "0 0 * * 0";
    if (iequals(name, "@daily") || iequals(name, "@midnight")) cron = "0 0 * * *";
    if (iequals(name, "@hourly")) cron = "0 * * * *";
    if (cron == nullptr) {
        return make_error(schedule_errc::unsupported_macro, tok.offset,
                          fmt::format("unknown macro '{}'; expected @yearly, @annually, @monthly, "
                                      "@weekly, @daily, @midnight or @hourly",
                                      name));
    }
    if (tokens.size() > 1) {
        return make_error(schedule_errc::syntax, tokens[1].offset,
                          fmt::format("unexpected '{}' after {}", tokens[1].text, name));
    }
    // The macro's expansion is fixed text: any error it could raise (a day_match or
    // short_month given with it) is about the options, whose offset is 0 anyway.
    std::vector<token> expanded;
    const std::string_view text = cron;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find(' ', start);
        expanded.push_back({text.substr(start, end - start), tok.offset});
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return parse_cron(expanded, options);
}

// --- friendly forms ------------------------------------------------------------------------

class friendly_parser {
public:
    friendly_parser(const std::vector<token>& tokens, std::size_t end_offset)
        : tokens_(tokens), end_offset_(end_offset)
    {
    }

    core::result<calendar> parse(const schedule_options& options)
    {
        const token& head = tokens_[0];
        calendar_builder b;
        b.months.set();
        b.months.reset(0);
        if (iequals(head.text, "every")) {
            auto status = every(b);
            if (!status) return status.error();
        } else if (iequals(head.text, "biweekly")) {
            next_ = 1;
            if (auto s = anchored_weeks(b, 2, head.offset); !s) return s.error();
        } else if (iequals(head.text, "daily")) {
            next_ = 1;
            if (auto s = at_time(b); !s) return s.error();
        } else if (iequals(head.text, "weekly")) {
            next_ = 1;
            if (auto s = keyword("on"); !s) return s.error();
            if (auto s = weekday_list(b); !s) return s.error();
            if (auto s = at_time(b); !s) return s.error();
        } else if (iequals(head.text, "monthly")) {
            next_ = 1;
            if (auto s = keyword("on"); !s) return s.error();
            if (auto s = monthly_day(b); !s) return s.error();
            if (auto s = at_time(b); !s) return s.error();
        } else {
            return make_error(schedule_errc::syntax, head.offset,
                              fmt::format("unknown schedule '{}': expected 5 cron fields, a macro "
                                          "such as @daily, or a form starting with monthly, "
                                          "weekly, biweekly, daily or every",
                                          head.text));
        }
        if (next_ < tokens_.size()) {
            return make_error(
                schedule_errc::syntax, tokens_[next_].offset,
                fmt::format("unexpected '{}' after the end of the schedule", tokens_[next_].text));
        }
        return b.build(options);
    }

private:
    const token* peek() const { return next_ < tokens_.size() ? &tokens_[next_] : nullptr; }

    core::error missing(std::string_view what) const
    {
        return make_error(schedule_errc::syntax, end_offset_,
                          fmt::format("schedule ends early: expected {}", what));
    }

    parse_status keyword(std::string_view word)
    {
        const token* t = peek();
        if (t == nullptr) return missing(fmt::format("'{}'", word));
        if (!iequals(t->text, word)) {
            return make_error(schedule_errc::syntax, t->offset,
                              fmt::format("expected '{}', found '{}'", word, t->text));
        }
        ++next_;
        return {};
    }

    parse_status at_time(calendar_builder& b)
    {
        if (auto s = keyword("at"); !s) return s;
        const token* t = peek();
        if (t == nullptr) return missing("a time HH:MM (24-hour, e.g. 09:00)");
        const std::string_view s = t->text;
        if (s.size() != 5 || !is_digit(s[0]) || !is_digit(s[1]) || s[2] != ':' || !is_digit(s[3]) ||
            !is_digit(s[4])) {
            return make_error(schedule_errc::syntax, t->offset,
                              fmt::format("expected a time HH:MM (24-hour, e.g. 09:00), found "
                                          "'{}'",
                                          s));
        }
        const unsigned hour = static_cast<unsigned>((s[0] - '0') * 10 + (s[1] - '0'));
        const unsigned minute = static_cast<unsigned>((s[3] - '0') * 10 + (s[4] - '0'));
        if (hour > 23) {
            return make_error(schedule_errc::out_of_range, t->offset,
                              fmt::format("hour {:02} is out of range 00-23", hour));
        }
        if (minute > 59) {
            return make_error(schedule_errc::out_of_range, t->offset + 3,
                              fmt::format("minute {:02} is out of range 00-59", minute));
        }
        b.hours.set(hour);
        b.minutes.set(minute);
        ++next_;
        return {};
    }

    static std::optional<unsigned> weekday(std::string_view text)
    {
        for (unsigned i = 0; i < 7; ++i)
            if (iequals(text, weekday_short[i]) || iequals(text, weekday_long[i])) return i;
        return std::nullopt;
    }

    parse_status weekday_list(calendar_builder& b)
    {
        const token* t = peek();
        if (t == nullptr) return missing("weekdays, e.g. mon,thu");
        std::size_t start = 0;
        while (true) {
            const std::size_t comma = t->text.find(',', start);
            const std::string_view name = t->text.substr(
                start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
            const std::size_t offset = t->offset + start;
            if (name.empty()) {
                return make_error(schedule_errc::empty_element, offset,
                                  "empty element in the weekday list (write mon,thu without "
                                  "spaces)");
            }
            auto wd = weekday(name);
            if (!wd) {
                return make_error(schedule_errc::syntax, offset,
                                  fmt::format("unknown weekday '{}'; expected mon, tue, wed, thu, "
                                              "fri, sat or sun",
                                              name));
            }
            if (b.days_of_week[*wd]) {
                return make_error(schedule_errc::syntax, offset,
                                  fmt::format("weekday '{}' is listed twice", name));
            }
            b.days_of_week.set(*wd);
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
        b.dow_restricted = true;
        ++next_;
        return {};
    }

    parse_status monthly_day(calendar_builder& b)
    {
        const token* t = peek();
        if (t == nullptr) return missing("'day N', 'last day' or a weekday such as 'first monday'");
        static constexpr std::array<std::string_view, 5> ordinals = {"first", "second", "third",
                                                                     "fourth", "last"};
        if (iequals(t->text, "day")) {
            ++next_;
            return day_list(b);
        }
        for (unsigned k = 0; k < ordinals.size(); ++k) {
            if (!iequals(t->text, ordinals[k])) continue;
            ++next_;
            const token* what = peek();
            if (what == nullptr) return missing("'day' or a weekday after the ordinal");
            if (k == nth_last && iequals(what->text, "day")) {
                b.last_day = true;
                b.dom_restricted = true;
                b.dom_offset = t->offset;
                ++next_;
                return {};
            }
            auto wd = weekday(what->text);
            if (!wd) {
                return make_error(schedule_errc::syntax, what->offset,
                                  fmt::format("expected a weekday{} after '{}', found '{}'",
                                              k == nth_last ? " or 'day'" : "", t->text,
                                              what->text));
            }
            b.nth[*wd] = static_cast<std::uint8_t>(1U << k);
            b.dow_restricted = true;
            ++next_;
            return {};
        }
        return make_error(schedule_errc::syntax, t->offset,
                          fmt::format("expected 'day N', 'last day' or first|second|third|fourth|"
                                      "last WEEKDAY after 'monthly on', found '{}'",
                                      t->text));
    }

    parse_status day_list(calendar_builder& b)
    {
        const token* t = peek();
        if (t == nullptr) return missing("a day of month 1-31");
        std::size_t start = 0;
        while (true) {
            const std::size_t comma = t->text.find(',', start);
            const std::string_view text = t->text.substr(
                start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
            const std::size_t offset = t->offset + start;
            if (text.empty()) {
                return make_error(schedule_errc::empty_element, offset,
                                  "empty element in the day list (write 1,15 without spaces)");
            }
            auto day = parse_number(text, offset, "day of month");
            if (!day) return day.error();
            if (*day < 1 || *day > 31) {
                return make_error(schedule_errc::out_of_range, offset,
                                  fmt::format("day of month {} is out of range 1-31", text));
            }
            if (b.days_of_month[*day]) {
                return make_error(schedule_errc::syntax, offset,
                                  fmt::format("day {} is listed twice", *day));
            }
            b.days_of_month.set(*day);
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
        b.dom_restricted = true;
        b.dom_offset = t->offset;
        ++next_;
        return {};
    }

    parse_status every(calendar_builder& b)
    {
        next_ = 1;
        const token* t = peek();
        if (t == nullptr) return missing("an interval such as 15m or 6h");
        const std::string_view text = t->text;
        if (!text.empty() && is_digit(text.front()) &&
            text.find_first_not_of("0123456789") == std::string_view::npos)
            return anchored_every(b);
        const char unit = text.empty() ? '\0' : lower(text.back());
        if (text.size() >= 2 && (unit == 'd' || unit == 'w') &&
            text.substr(0, text.size() - 1).find_first_not_of("0123456789") ==
                std::string_view::npos) {
            const auto n = text.substr(0, text.size() - 1);
            return make_error(
                schedule_errc::bad_interval, t->offset,
                unit == 'd'
                    ? fmt::format("every {}: an interval of days counts from a start date; write "
                                  "`every {} days at HH:MM from YYYY-MM-DD`, e.g. `every {} days "
                                  "at 09:00 from 2026-12-04` (the date of one occurrence)",
                                  text, n, n)
                    : fmt::format("every {}: an interval of weeks counts from a start date; write "
                                  "`every {} weeks on WEEKDAY at HH:MM from YYYY-MM-DD`, e.g. "
                                  "`every {} weeks on fri at 09:00 from 2026-12-04` (the date of "
                                  "one occurrence)",
                                  text, n, n));
        }
        if (text.size() < 2 || (unit != 'm' && unit != 'h')) {
            return make_error(
                schedule_errc::syntax, t->offset,
                fmt::format("expected an interval such as 15m or 6h, found '{}'", text));
        }
        auto n = parse_number(text.substr(0, text.size() - 1), t->offset, "interval");
        if (!n) return n.error();
        const unsigned whole = unit == 'm' ? 60 : 24;
        if (*n == 0 || whole % *n != 0) {
            return make_error(
                schedule_errc::bad_interval, t->offset,
                unit == 'm'
                    ? fmt::format("every {}: the interval must divide an hour (1, 2, 3, 4, 5, 6, "
                                  "10, 12, 15, 20, 30 or 60 minutes), as occurrences are anchored "
                                  "to local midnight; use cron for other patterns",
                                  text)
                    : fmt::format("every {}: the interval must divide a day (1, 2, 3, 4, 6, 8, 12 "
                                  "or 24 hours), as occurrences are anchored to local midnight; "
                                  "use cron for other patterns",
                                  text));
        }
        if (unit == 'm') {
            for (unsigned m = 0; m < 60; m += *n) b.minutes.set(m);
            b.hours.set();
        } else {
            b.minutes.set(0);
            for (unsigned h = 0; h < 24; h += *n) b.hours.set(h);
        }
        ++next_;
        return {};
    }

    // `every N weeks on ... at HH:MM from DATE` or `every N days at HH:MM from DATE`; the
    // number is the current token.
    parse_status anchored_every(calendar_builder& b)
    {
        const token& number = tokens_[next_];
        auto n = parse_number(number.text, number.offset, "interval");
        if (!n) return n.error();
        ++next_;
        const token* unit = peek();
        if (unit == nullptr) {
            return make_error(schedule_errc::syntax, number.offset,
                              fmt::format("expected an interval such as 15m or 6h, or `every {0} "
                                          "days at HH:MM from YYYY-MM-DD`, found '{0}'",
                                          number.text));
        }
        const bool weeks = iequals(unit->text, "weeks") || iequals(unit->text, "week");
        const bool days = iequals(unit->text, "days") || iequals(unit->text, "day");
        if (!weeks && !days) {
            return make_error(schedule_errc::syntax, unit->offset,
                              fmt::format("expected 'days' or 'weeks' after 'every {}', found "
                                          "'{}'",
                                          number.text, unit->text));
        }
        const unsigned max = weeks ? 52 : 365;
        if (*n < 1 || *n > max) {
            return make_error(schedule_errc::out_of_range, number.offset,
                              fmt::format("every {} {}: the interval must be 1-{} {}", number.text,
                                          unit->text, max, weeks ? "weeks" : "days"));
        }
        ++next_;
        if (weeks) return anchored_weeks(b, *n, tokens_[0].offset);
        if (const token* t = peek(); t != nullptr && iequals(t->text, "on")) {
            return make_error(schedule_errc::syntax, t->offset,
                              fmt::format("every {} days fires on every {}th day whatever its "
                                          "weekday; for weekdays write `every N weeks on WEEKDAY "
                                          "at HH:MM from YYYY-MM-DD`",
                                          *n, *n));
        }
        if (auto s = at_time(b); !s) return s;
        b.days_of_week.reset();
        return anchor_date(b, interval_anchor{{}, *n, 1, false}, tokens_[0].offset);
    }

    // `on WEEKDAYS at HH:MM from DATE` after `every N weeks` or `biweekly`.
    parse_status anchored_weeks(calendar_builder& b, unsigned n, std::size_t head_offset)
    {
        if (auto s = keyword("on"); !s) return s;
        if (auto s = weekday_list(b); !s) return s;
        if (auto s = at_time(b); !s) return s;
        return anchor_date(b, interval_anchor{{}, 7 * n, 7, true}, head_offset);
    }

    parse_status anchor_date(calendar_builder& b, interval_anchor a, std::size_t head_offset)
    {
        const token* t = peek();
        if (t == nullptr) {
            const std::string example =
                a.weeks ? (a.period_days == 14
                               ? "`biweekly on fri at 09:00 from 2026-12-04` or `every 2 weeks on "
                                 "fri at 09:00 from 2026-12-04`"
                               : fmt::format("`every {} weeks on fri at 09:00 from 2026-12-04`",
                                             a.period_days / 7))
                        : fmt::format("`every {} days at 09:00 from 2026-12-04`", a.period_days);
            return make_error(schedule_errc::anchor_required, head_offset,
                              fmt::format("an interval of {} needs the date it counts from: add "
                                          "`from YYYY-MM-DD`, the local date of one occurrence, "
                                          "e.g. {}",
                                          a.weeks ? "weeks" : "days", example));
        }
        if (!iequals(t->text, "from")) {
            return make_error(schedule_errc::syntax, t->offset,
                              fmt::format("expected 'from YYYY-MM-DD', found '{}'", t->text));
        }
        ++next_;
        const token* d = peek();
        if (d == nullptr) return missing("a date YYYY-MM-DD after 'from'");
        const std::string_view s = d->text;
        const auto digits = [s](std::size_t from, std::size_t count) {
            for (std::size_t i = from; i < from + count; ++i)
                if (!is_digit(s[i])) return false;
            return true;
        };
        if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(0, 4) || !digits(5, 2) ||
            !digits(8, 2)) {
            return make_error(
                schedule_errc::bad_anchor, d->offset,
                fmt::format("expected a date YYYY-MM-DD after 'from', found '{}'", s));
        }
        const auto number = [s](std::size_t from, std::size_t count) {
            unsigned v = 0;
            for (std::size_t i = from; i < from + count; ++i)
                v = v * 10 + static_cast<unsigned>(s[i] - '0');
            return v;
        };
        const date::year_month_day ymd{date::year{static_cast<int>(number(0, 4))},
                                       date::month{number(5, 2)}, date::day{number(8, 2)}};
        if (!ymd.ok() || ymd.year() < date::year{1}) {
            return make_error(schedule_errc::bad_anchor, d->offset,
                              fmt::format("'{}' is not a calendar date", s));
        }
        a.from = date::local_days{ymd};
        if (a.weeks) {
            const unsigned wd = date::weekday{a.from}.c_encoding();
            if (!b.days_of_week[wd]) {
                // The nearest listed weekday before and after the anchor.
                unsigned back = 1;
                while (!b.days_of_week[(wd + 7 - back) % 7]) ++back;
                unsigned ahead = 1;
                while (!b.days_of_week[(wd + ahead) % 7]) ++ahead;
                return make_error(
                    schedule_errc::bad_anchor, d->offset,
                    fmt::format("the anchor {} is a {}, not one of the listed weekdays: the anchor "
                                "is the first occurrence; write from {} or from {}",
                                s, weekday_long[wd], date::format("%F", a.from - date::days{back}),
                                date::format("%F", a.from + date::days{ahead})));
            }
        }
        b.anchor = a;
        ++next_;
        return {};
    }

    const std::vector<token>& tokens_;
    std::size_t end_offset_;
    std::size_t next_ = 1;
};

}  // namespace

core::result<calendar> parse_schedule(std::string_view text, const schedule_options& options)
{
    std::vector<token> tokens;
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == ' ' || c == '\t') {
            ++i;
            continue;
        }
        const std::size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t') {
            const auto u = static_cast<unsigned char>(text[i]);
            if (u >= 0x80) {
                return make_error(schedule_errc::syntax, i,
                                  "non-ASCII character in schedule; schedules are plain ASCII");
            }
            if (u < 0x20 || u == 0x7f) {
                return make_error(schedule_errc::syntax, i,
                                  "control character in schedule (a schedule is one line)");
            }
            ++i;
        }
        tokens.push_back({text.substr(start, i - start), start});
    }
    if (tokens.empty()) {
        return make_error(schedule_errc::empty, 0,
                          "empty schedule; write 5 cron fields, a macro such as @daily, or a form "
                          "such as `daily at 06:00`");
    }
    const token& head = tokens.front();
    if (istarts_with(head.text, "TZ=") || istarts_with(head.text, "CRON_TZ=")) {
        return make_error(schedule_errc::time_zone_prefix, head.offset,
                          "time zone prefixes are not allowed in a schedule; set the rule's "
                          "`timezone:` key instead");
    }
    auto parsed = head.text.front() == '@' ? parse_macro(tokens, options)
                  : is_alpha(head.text.front())
                      ? friendly_parser(tokens, text.size()).parse(options)
                      : parse_cron(tokens, options);
    if (parsed) {
        const auto& last = tokens.back();
        calendar_builder::set_written(
            *parsed, text.substr(head.offset, last.offset + last.text.size() - head.offset));
    }
    return parsed;
}

}  // namespace paymand::schedule
