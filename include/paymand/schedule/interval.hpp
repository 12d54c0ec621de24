#pragma once

#include "paymand/schedule/calendar.hpp"

#include <chrono>

namespace paymand::schedule {

// The shortest local wall-clock interval between two consecutive occurrences of `cal`, over
// all dates (month ends, short months, leap years, weekday alignments). Conservative: never
// larger than the true minimum (it may be smaller when the calendar's day pattern is too
// irregular to bound exactly), computed in constant time from the fields, without enumerating.
// This is the figure `min_pay_interval` is checked against. minutes::max() for a calendar that
// never fires (a default-constructed one). It is a wall-clock figure: in a
// spring DST gap two occurrences can share an instant (see occurrence), once a year per rule.
std::chrono::minutes shortest_interval(const calendar& cal) noexcept;

}  // namespace paymand::schedule
