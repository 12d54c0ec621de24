#include "paymand/schedule/calendar.hpp"

#include "schedule/calendar_builder.hpp"

#include <fmt/format.h>

#include <bit>
#include <string>

namespace paymand::schedule {
namespace {

constexpr std::array<std::string_view, 7> weekday_names = {"SUN", "MON", "TUE", "WED",
                                                           "THU", "FRI", "SAT"};

std::uint32_t days_up_to(unsigned length) noexcept
{
    return static_cast<std::uint32_t>(((std::uint64_t{1} << (length + 1)) - 1) & ~std::uint64_t{1});
}

// "*" for the full range; "*/s" for a full progression from the minimum whose step divides
// the range; otherwise values and runs of three or more as ranges, ascending.
template <std::size_t N>
std::string format_set(const std::bitset<N>& bits, unsigned lo, unsigned hi)
{
    const unsigned span = hi - lo + 1;
    unsigned count = 0;
    for (unsigned v = lo; v <= hi; ++v) count += bits[v] ? 1 : 0;
    if (count == span) return "*";
    for (unsigned step = 2; step < span; ++step) {
        if (span % step != 0 || count != span / step) continue;
        bool progression = true;
        for (unsigned v = lo; v <= hi && progression; ++v)
            progression = bits[v] == ((v - lo) % step == 0);
        if (progression) return fmt::format("*/{}", step);
    }
    std::string out;
    for (unsigned v = lo; v <= hi;) {
        if (!bits[v]) {
            ++v;
            continue;
        }
        unsigned end = v;
        while (end + 1 <= hi && bits[end + 1]) ++end;
        auto append = [&out](std::string_view s) {
            if (!out.empty()) out += ',';
            out += s;
        };
        if (end - v >= 2) {
            append(fmt::format("{}-{}", v, end));
        } else {
            for (unsigned x = v; x <= end; ++x) append(std::to_string(x));
        }
        v = end + 1;
    }
    return out;
}

std::string format_weekdays(const std::bitset<7>& plain, const std::array<std::uint8_t, 7>& nth)
{
    std::string out;
    auto append = [&out](std::string_view s) {
        if (!out.empty()) out += ',';
        out += s;
    };
    for (unsigned v = 0; v < 7;) {
        if (!plain[v]) {
            ++v;
            continue;
        }
        unsigned end = v;
        while (end + 1 < 7 && plain[end + 1]) ++end;
        if (end - v >= 2) {
            append(fmt::format("{}-{}", weekday_names[v], weekday_names[end]));
        } else {
            for (unsigned x = v; x <= end; ++x) append(weekday_names[x]);
        }
        v = end + 1;
    }
    for (unsigned wd = 0; wd < 7; ++wd) {
        for (unsigned k = 0; k <= nth_last; ++k) {
            if ((nth[wd] >> k & 1U) == 0) continue;
            if (k == nth_last) {
                append(fmt::format("{}#L", weekday_names[wd]));
            } else {
                append(fmt::format("{}#{}", weekday_names[wd], k + 1));
            }
        }
    }
    return out;
}

core::error make_error(schedule_errc code, std::size_t offset, std::string message)
{
    return core::error{make_error_code(code), offset, std::move(message)};
}

}  // namespace

unsigned min_month_length(unsigned m) noexcept
{
    if (m == 2) return 28;
    if (m == 4 || m == 6 || m == 9 || m == 11) return 30;
    return 31;
}

std::uint32_t calendar_builder::mask(const calendar& cal, unsigned month, unsigned length,
                                     unsigned first_weekday) noexcept
{
    if (!cal.months_[month]) return 0;
    const std::uint32_t all = days_up_to(length);
    std::uint32_t dom = 0;
    if (cal.dom_restricted_) {
        for (unsigned d = 1; d <= 31; ++d) {
            if (!cal.days_of_month_[d]) continue;
            if (d <= length) {
                dom |= 1U << d;
            } else if (cal.short_month_ == short_month_policy::last_day) {
                dom |= 1U << length;
            }
        }
        if (cal.last_day_) dom |= 1U << length;
    }
    std::uint32_t dow = 0;
    if (cal.dow_restricted_) {
        for (unsigned wd = 0; wd < 7; ++wd) {
            const unsigned first = 1 + (wd + 7 - first_weekday) % 7;
            if (cal.days_of_week_[wd]) {
                for (unsigned d = first; d <= length; d += 7) dow |= 1U << d;
            }
            const auto n = cal.nth_[wd];
            if (n == 0) continue;
            for (unsigned k = 0; k < nth_last; ++k)
                if ((n >> k & 1U) != 0) dow |= 1U << (first + 7 * k);
            if ((n >> nth_last & 1U) != 0) {
                unsigned last = first;
                while (last + 7 <= length) last += 7;
                dow |= 1U << last;
            }
        }
    }
    if (cal.dom_restricted_ && cal.dow_restricted_)
        return cal.day_match_ == day_match_policy::all ? (dom & dow) : (dom | dow);
    if (cal.dom_restricted_) return dom;
    if (cal.dow_restricted_) return dow;
    return all;
}

std::uint32_t calendar_builder::anchor_mask(const calendar& cal, date::year_month ym) noexcept
{
    const unsigned length = static_cast<unsigned>((ym / date::last).day());
    if (!cal.anchor_) return days_up_to(length);
    const auto& a = *cal.anchor_;
    const auto first = date::local_days{ym / 1};
    if (first + date::days{length - 1} < a.from) return 0;
    std::uint32_t out = 0;
    // Days since the anchor of the month's first day, kept in [0, period) from there on.
    long since = (first - a.from).count();
    long phase = since >= 0 ? since % a.period_days : 0;
    for (unsigned d = 1; d <= length; ++d, ++since) {
        if (since >= 0) {
            if (phase < static_cast<long>(a.window_days)) out |= 1U << d;
            phase = phase + 1 == static_cast<long>(a.period_days) ? 0 : phase + 1;
        }
    }
    return out;
}

std::uint32_t calendar::day_mask(date::year_month ym) const noexcept
{
    const auto first = date::year_month_day{ym / 1};
    const unsigned length = static_cast<unsigned>((ym / date::last).day());
    const unsigned weekday = date::weekday{date::sys_days{first}}.c_encoding();
    return calendar_builder::mask(*this, static_cast<unsigned>(ym.month()), length, weekday) &
           calendar_builder::anchor_mask(*this, ym);
}

bool calendar::fires_on(date::year_month_day d) const noexcept
{
    return (day_mask(d.year() / d.month()) >> static_cast<unsigned>(d.day()) & 1U) != 0;
}

std::string calendar_builder::fields_text(const calendar& cal)
{
    std::string dom = "*";
    if (cal.dom_restricted_) {
        dom = cal.days_of_month_.any() ? format_set(cal.days_of_month_, 1, 31) : "";
        if (cal.last_day_) dom += dom.empty() ? "L" : ",L";
    }
    const std::string dow =
        cal.dow_restricted_ ? format_weekdays(cal.days_of_week_, cal.nth_) : std::string("*");
    return fmt::format("{} {} {} {} {}", format_set(cal.minutes_, 0, 59),
                       format_set(cal.hours_, 0, 23), dom, format_set(cal.months_, 1, 12), dow);
}

void calendar_builder::fold_full_days(calendar& cal)
{
    const bool dom_full = cal.dom_restricted_ && !cal.last_day_ && cal.days_of_month_.count() == 31;
    const bool dow_full = cal.dow_restricted_ && cal.days_of_week_.all();
    if (cal.dom_restricted_ && cal.dow_restricted_) {
        const bool any = cal.day_match_ == day_match_policy::any;
        if (dom_full || dow_full) {
            // any: one field that selects every day makes every day match. all: a field that
            // selects every day adds no condition, and both may do so ("*/1 * *,*").
            if (any || dom_full) cal.dom_restricted_ = false;
            if (any || dow_full) cal.dow_restricted_ = false;
            cal.day_match_.reset();
        }
    } else if (dom_full) {
        cal.dom_restricted_ = false;
    } else if (dow_full) {
        cal.dow_restricted_ = false;
    }
    if (!cal.dom_restricted_) {
        cal.days_of_month_.reset();
        cal.last_day_ = false;
    }
    if (!cal.dow_restricted_) {
        cal.days_of_week_.reset();
        cal.nth_ = {};
    } else {
        // A plain weekday already covers its nth forms.
        for (unsigned wd = 0; wd < 7; ++wd)
            if (cal.days_of_week_[wd]) cal.nth_[wd] = 0;
    }
}

bool calendar_builder::short_month_possible(const calendar& cal)
{
    if (!cal.dom_restricted_) return false;
    for (unsigned d = 29; d <= 31; ++d) {
        if (!cal.days_of_month_[d]) continue;
        for (unsigned m = 1; m <= 12; ++m)
            if (cal.months_[m] && d > min_month_length(m)) return true;
    }
    return false;
}

bool calendar_builder::ever_fires(const calendar& cal)
{
    // Every (month, length, first weekday) combination occurs in the Gregorian 400-year cycle,
    // so a calendar with no firing day in any of them never fires.
    // An anchored calendar fires on its anchor (the parser checks the weekday).
    if (cal.anchor_) return true;
    for (unsigned m = 1; m <= 12; ++m) {
        const unsigned lo = min_month_length(m);
        const unsigned hi = m == 2 ? 29 : lo;
        for (unsigned length = lo; length <= hi; ++length)
            for (unsigned w = 0; w < 7; ++w)
                if (mask(cal, m, length, w) != 0) return true;
    }
    return false;
}

void calendar_builder::finish(calendar& cal)
{
    cal.normalised_ = fields_text(cal);
    if (cal.day_match_) cal.normalised_ += fmt::format(" day_match={}", to_string(*cal.day_match_));
    if (cal.short_month_)
        cal.normalised_ += fmt::format(" short_month={}", to_string(*cal.short_month_));
    if (cal.anchor_) {
        const auto& a = *cal.anchor_;
        cal.normalised_ += a.weeks ? fmt::format(" every={}w", a.period_days / 7)
                                   : fmt::format(" every={}d", a.period_days);
        cal.normalised_ += date::format(" from=%F", a.from);
    }
    for (unsigned h = 0; h < 24; ++h) {
        if (!cal.hours_[h]) continue;
        for (unsigned m = 0; m < 60; ++m)
            if (cal.minutes_[m]) cal.times_.push_back(static_cast<std::uint16_t>(h * 60 + m));
    }
}

core::result<calendar> calendar_builder::build(const schedule_options& options) const
{
    calendar cal;
    cal.minutes_ = minutes;
    cal.hours_ = hours;
    cal.days_of_month_ = days_of_month;
    cal.last_day_ = last_day;
    cal.months_ = months;
    cal.days_of_week_ = days_of_week;
    cal.nth_ = nth;
    cal.dom_restricted_ = dom_restricted;
    cal.dow_restricted_ = dow_restricted;
    cal.anchor_ = anchor;

    // day_match: required exactly when both day fields are written as restrictions.
    if (dom_restricted && dow_restricted) {
        if (!options.day_match) {
            return make_error(
                schedule_errc::day_match_required, dom_offset,
                fmt::format("schedule '{}' restricts both the day of month and the day of week; "
                            "add `day_match: any` (a day matching either fires, as in classic "
                            "cron) or `day_match: all` (a day must match both)",
                            fields_text(cal)));
        }
        cal.day_match_ = options.day_match;
    } else if (options.day_match) {
        return make_error(schedule_errc::day_match_not_applicable, 0,
                          fmt::format("day_match applies only when a schedule restricts both the "
                                      "day of month and the day of week, and '{}' does not; "
                                      "remove day_match",
                                      fields_text(cal)));
    }
    fold_full_days(cal);

    // short_month: required exactly when a selected day can be missing from a selected month.
    if (short_month_possible(cal)) {
        if (!options.short_month) {
            return make_error(
                schedule_errc::short_month_required, dom_offset,
                fmt::format("schedule '{}' names a day of month that some of its months do not "
                            "have; add `short_month: last_day` (fire on the month's last day "
                            "instead) or `short_month: skip` (do not fire in those months)",
                            fields_text(cal)));
        }
        cal.short_month_ = options.short_month;
    } else if (options.short_month) {
        return make_error(schedule_errc::short_month_not_applicable, 0,
                          fmt::format("short_month applies only to a day of month 29-31 in a "
                                      "month that can be shorter, and '{}' has none; remove "
                                      "short_month",
                                      fields_text(cal)));
    }

    finish(cal);
    if (!ever_fires(cal)) {
        return make_error(
            schedule_errc::never_fires, dom_offset,
            fmt::format("schedule '{}' never fires: no date matches it", cal.normalised_));
    }
    return cal;
}

}  // namespace paymand::schedule
