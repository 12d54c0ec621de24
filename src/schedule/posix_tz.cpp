#include "paymand/schedule/posix_tz.hpp"

#include "paymand/schedule/schedule_errc.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace paymand::schedule {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

// The ends of the time line for a period without a change; far enough, and far from overflow.
const sys_seconds time_line_begin = date::sys_days{date::year{-32767} / 1 / 1};
const sys_seconds time_line_end = date::sys_days{date::year{32767} / 12 / 31};

bool is_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

bool is_alpha(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

class parser {
public:
    explicit parser(std::string_view text) : s_(text) {}

    core::result<posix_tz> parse()
    {
        posix_tz out;
        auto std_name = name("standard time name");
        if (!std_name) return std_name.error();
        out.std_name = std::string(*std_name);
        auto std_offset = hms(24, "standard time offset");
        if (!std_offset) return std_offset.error();
        out.std_offset = -*std_offset;
        if (at_end()) return out;
        posix_tz_dst dst;
        auto dst_name = name("daylight time name");
        if (!dst_name) return dst_name.error();
        dst.name = std::string(*dst_name);
        dst.offset = out.std_offset + std::chrono::hours{1};
        if (!at_end() && (is_digit(peek()) || peek() == '+' || peek() == '-')) {
            auto offset = hms(24, "daylight time offset");
            if (!offset) return offset.error();
            dst.offset = -*offset;
        }
        if (at_end()) {
            return fail("a daylight time name without ',start,end' rules: POSIX leaves their "
                        "dates to the implementation");
        }
        if (auto start = when(); start) {
            dst.start = *start;
        } else {
            return start.error();
        }
        if (auto end = when(); end) {
            dst.end = *end;
        } else {
            return end.error();
        }
        if (!at_end()) return fail(fmt::format("unexpected '{}'", s_.substr(i_)));
        out.dst = std::move(dst);
        return out;
    }

private:
    bool at_end() const noexcept { return i_ >= s_.size(); }
    char peek() const noexcept { return at_end() ? '\0' : s_[i_]; }

    core::error fail(std::string_view what) const
    {
        return core::error{make_error_code(schedule_errc::bad_zone_data), i_,
                           fmt::format("TZ rule '{}' at offset {}: {}", s_, i_, what)};
    }

    core::result<std::string_view> name(std::string_view what)
    {
        const std::size_t start = i_;
        if (peek() == '<') {
            ++i_;
            while (!at_end() && peek() != '>') {
                const char c = peek();
                if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-')
                    return fail(fmt::format("'{}' in the quoted {}", c, what));
                ++i_;
            }
            if (at_end()) return fail(fmt::format("unterminated quoted {}", what));
            const std::string_view quoted = s_.substr(start + 1, i_ - start - 1);
            ++i_;
            if (quoted.size() < 3) return fail(fmt::format("{} shorter than 3 characters", what));
            return quoted;
        }
        while (!at_end() && is_alpha(peek())) ++i_;
        if (i_ - start < 3) return fail(fmt::format("expected a {} of 3 or more letters", what));
        return s_.substr(start, i_ - start);
    }

    core::result<unsigned> number(unsigned max_digits, unsigned max, std::string_view what)
    {
        const std::size_t start = i_;
        unsigned value = 0;
        while (!at_end() && is_digit(peek()) && i_ - start < max_digits) {
            value = value * 10 + static_cast<unsigned>(peek() - '0');
            ++i_;
        }
        if (i_ == start) return fail(fmt::format("expected a number for the {}", what));
        if (value > max) return fail(fmt::format("{} {} is out of range 0-{}", what, value, max));
        return value;
    }

    // [+-]h[h[h]][:mm[:ss]], the hours at most max_hours; positive west of Greenwich for
    // offsets (as written), later in the day for times.
    core::result<seconds> hms(unsigned max_hours, std::string_view what)
    {
        bool negative = false;
        if (peek() == '+' || peek() == '-') {
            negative = peek() == '-';
            ++i_;
        }
        auto h = number(max_hours > 99 ? 3 : 2, max_hours, what);
        if (!h) return h.error();
        seconds total = std::chrono::hours{*h};
        for (int part = 0; part < 2 && peek() == ':'; ++part) {
            ++i_;
            auto v = number(2, 59, what);
            if (!v) return v.error();
            total += part == 0 ? seconds{std::chrono::minutes{*v}} : seconds{*v};
        }
        return negative ? -total : total;
    }

    core::result<posix_tz_when> when()
    {
        if (peek() != ',') return fail("expected ',' and a change date");
        ++i_;
        posix_tz_when w;
        if (peek() == 'J') {
            ++i_;
            w.kind = posix_tz_when::form::julian;
            auto d = number(3, 365, "Julian day");
            if (!d) return d.error();
            if (*d < 1) return fail("Julian day 0 is out of range 1-365");
            w.day = *d;
        } else if (peek() == 'M') {
            ++i_;
            w.kind = posix_tz_when::form::month_week_day;
            auto m = number(2, 12, "month");
            if (!m) return m.error();
            if (*m < 1) return fail("month 0 is out of range 1-12");
            if (peek() != '.') return fail("expected '.' after the month");
            ++i_;
            auto wk = number(1, 5, "week");
            if (!wk) return wk.error();
            if (*wk < 1) return fail("week 0 is out of range 1-5");
            if (peek() != '.') return fail("expected '.' after the week");
            ++i_;
            auto d = number(1, 6, "weekday");
            if (!d) return d.error();
            w.month = *m;
            w.week = *wk;
            w.weekday = *d;
        } else {
            w.kind = posix_tz_when::form::zero_based;
            auto d = number(3, 365, "day of year");
            if (!d) return d.error();
            w.day = *d;
        }
        if (peek() == '/') {
            ++i_;
            auto t = hms(167, "change time");
            if (!t) return t.error();
            w.time = *t;
        }
        return w;
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

// Whether `t` is in daylight time, decided as glibc and Python's zoneinfo do: from the
// changes of the UTC year of `t`, DST running from start to end (or, in the southern
// hemisphere, where end comes first in the year, outside end to start).
bool in_dst(const posix_tz& tz, sys_seconds t)
{
    const auto y = date::year_month_day{date::floor<date::days>(t)}.year();
    const auto start = sys_seconds{tz.dst->start.in_year(y).time_since_epoch() - tz.std_offset};
    const auto end = sys_seconds{tz.dst->end.in_year(y).time_since_epoch() - tz.dst->offset};
    if (start < end) return start <= t && t < end;
    return !(end <= t && t < start);
}

}  // namespace

date::local_seconds posix_tz_when::in_year(date::year y) const noexcept
{
    date::local_days result;
    switch (kind) {
    case form::julian:
        result = date::local_days{y / 1 / 1} + date::days{day - 1};
        if (y.is_leap() && day >= 60) result += date::days{1};
        break;
    case form::zero_based:
        result = date::local_days{y / 1 / 1} + date::days{day};
        break;
    case form::month_week_day: {
        const auto first = date::local_days{y / date::month{month} / 1};
        const unsigned first_weekday = date::weekday{first}.c_encoding();
        unsigned d = 1 + (weekday + 7 - first_weekday) % 7 + 7 * (week - 1);
        const unsigned length = static_cast<unsigned>((y / date::month{month} / date::last).day());
        while (d > length) d -= 7;
        result = first + date::days{d - 1};
        break;
    }
    }
    return result + time;
}

date::sys_info posix_tz::info_at(sys_seconds t) const
{
    date::sys_info info;
    info.begin = time_line_begin;
    info.end = time_line_end;
    const bool dst_now = dst && in_dst(*this, t);
    info.offset = dst_now ? dst->offset : std_offset;
    info.save = dst_now ? date::ceil<std::chrono::minutes>(dst->offset - std_offset)
                        : std::chrono::minutes{0};
    info.abbrev = dst_now ? dst->name : std_name;
    if (!dst) return info;
    // The changes of the years around t; the period is bounded by the nearest ones at which
    // the offset really changes.
    const auto y = date::year_month_day{date::floor<date::days>(t)}.year();
    std::array<sys_seconds, 10> changes{};
    std::size_t n = 0;
    for (int k = -2; k <= 2; ++k) {
        const auto year = y + date::years{k};
        changes[n++] = sys_seconds{dst->start.in_year(year).time_since_epoch() - std_offset};
        changes[n++] = sys_seconds{dst->end.in_year(year).time_since_epoch() - dst->offset};
    }
    std::sort(changes.begin(), changes.end());
    const auto offset_at = [this](sys_seconds x) {
        return in_dst(*this, x) ? dst->offset : std_offset;
    };
    for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
        if (*it <= t && offset_at(*it - seconds{1}) != info.offset) {
            info.begin = *it;
            break;
        }
    }
    for (const auto c : changes) {
        if (c > t && offset_at(c) != info.offset) {
            info.end = c;
            break;
        }
    }
    return info;
}

core::result<posix_tz> parse_posix_tz(std::string_view text)
{
    return parser(text).parse();
}

}  // namespace paymand::schedule
