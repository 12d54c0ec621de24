#include "paymand/rules/pay_period.hpp"

#include "paymand/schedule/interval.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <numeric>

namespace paymand::rules {
namespace {

// Firing days a month has at most: 1 when one day of the month or one nth weekday is set and
// nothing else restricts the days; 0 when the days are unrestricted; 2 for "more or unknown".
int days_per_month(const schedule::calendar& cal)
{
    const auto& nth = cal.nth_weekdays();
    const int nth_bits = std::accumulate(nth.begin(), nth.end(), 0, [](int n, std::uint8_t b) {
        return n + std::popcount(static_cast<unsigned>(b));
    });
    const int dom =
        static_cast<int>(cal.days_of_month().count()) + (cal.last_day_of_month() ? 1 : 0);
    const int dow = static_cast<int>(cal.days_of_week().count());
    if (dom == 0 && dow == 0 && nth_bits == 0) return 0;
    if (dow == 0 && nth_bits == 0 && dom == 1) return 1;
    if (dom == 0 && dow == 0 && nth_bits == 1) return 1;
    return 2;
}

date::sys_days day_of(schedule::local_minutes t)
{
    return date::sys_days(date::floor<date::days>(t).time_since_epoch());
}

}  // namespace

pay_period period_of(const schedule::calendar& cal)
{
    if (cal.times_of_day().size() > 1)
        return {period_unit::interval, schedule::shortest_interval(cal)};
    const int per_month = days_per_month(cal);
    if (per_month == 1) return {cal.months().count() == 1 ? period_unit::year : period_unit::month};
    const bool one_weekday = cal.days_of_month().none() && !cal.last_day_of_month() &&
                             cal.days_of_week().count() == 1 &&
                             std::all_of(cal.nth_weekdays().begin(), cal.nth_weekdays().end(),
                                         [](std::uint8_t b) { return b == 0; });
    if (one_weekday) return {period_unit::week};
    return {period_unit::day};
}

bool same_period(const pay_period& p, schedule::local_minutes paid, schedule::local_minutes due)
{
    switch (p.unit) {
    case period_unit::interval:
        return (paid < due ? due - paid : paid - due) < p.span;
    case period_unit::day:
        return day_of(paid) == day_of(due);
    case period_unit::week: {
        // 1970-01-01 was a Thursday: shifted by 3 days, weeks start on Monday.
        const auto week = [](date::sys_days d) {
            return date::floor<date::weeks>(d - date::days(4)).time_since_epoch().count();
        };
        return week(day_of(paid)) == week(day_of(due));
    }
    case period_unit::month: {
        const date::year_month_day a(day_of(paid)), b(day_of(due));
        return a.year() == b.year() && a.month() == b.month();
    }
    case period_unit::year:
        return date::year_month_day(day_of(paid)).year() ==
               date::year_month_day(day_of(due)).year();
    }
    return false;
}

std::string describe(const pay_period& p)
{
    switch (p.unit) {
    case period_unit::interval:
        return fmt::format("interval of {} min", p.span.count());
    case period_unit::day:
        return "day";
    case period_unit::week:
        return "week";
    case period_unit::month:
        return "month";
    case period_unit::year:
        return "year";
    }
    return "period";
}

}  // namespace paymand::rules
