#pragma once

// The period a pay rule's occurrence pays for, so that an edit of the rule never pays one
// period twice: a rule whose schedule fires once a day pays for that local day, once a week
// (one weekday) for that week, once a month for that month, once a year for that year; a
// schedule that fires several times a day pays for the shortest interval between its
// occurrences. Pure: local wall-clock minutes in, no time zone, no I/O.

#include "paymand/schedule/calendar.hpp"
#include "paymand/schedule/zone.hpp"

#include <chrono>
#include <string>

namespace paymand::rules {

enum class period_unit {
    interval,  // several occurrences a day: the shortest interval between two of them
    day,       // the local date
    week,      // the week, Monday to Sunday
    month,
    year,
};

struct pay_period {
    period_unit unit = period_unit::day;
    std::chrono::minutes span{0};  // for interval

    friend bool operator==(const pay_period&, const pay_period&) = default;
};

// The largest natural unit in which `cal` fires at most once; a day pattern too irregular to
// say (e.g. two days a month) falls back to the day, which never refuses a payment the
// schedule means.
pay_period period_of(const schedule::calendar& cal);

// Whether an occurrence due at local time `due` falls in the same period as a payment made
// for the occurrence at local time `paid` (either order).
bool same_period(const pay_period& p, schedule::local_minutes paid, schedule::local_minutes due);

// "day", "week", "month", "year", or "interval of 15m".
std::string describe(const pay_period& p);

}  // namespace paymand::rules
