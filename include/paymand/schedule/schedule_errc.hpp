#pragma once

#include "paymand/core/error.hpp"

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace paymand::schedule {

// Why a schedule, a time zone name or an occurrence identity was refused. Values are stable:
// they may be logged and compared.
enum class schedule_errc {
    empty = 1,                   // no schedule text at all
    syntax,                      // a token that has no place there (includes trailing garbage)
    field_count,                 // cron with other than 5 fields
    seconds_or_year_field,       // cron with 6 or 7 fields: seconds and years are not supported
    unsupported_macro,           // @reboot or an unknown @word
    time_zone_prefix,            // TZ=... or CRON_TZ=... in the schedule text
    out_of_range,                // a value outside its field's range
    empty_element,               // ",," or a trailing comma: an empty list element
    zero_step,                   // */0
    reversed_range,              // 5-1
    bad_interval,                // every N: N does not divide an hour or a day
    day_match_required,          // day of month and day of week both restricted, no day_match
    day_match_not_applicable,    // day_match given but not both day fields are restricted
    short_month_required,        // a day of month 29-31 without short_month
    short_month_not_applicable,  // short_month given but no day of month 29-31
    never_fires,                 // a valid text that matches no date at all (31 February)
    unknown_time_zone,           // not an IANA zone name known to the system tzdata
    host_time_zone,              // "localtime" and the like: the host's zone is never used
    bad_identity,                // an occurrence identity or tag that does not parse
    bad_zone_data,               // the zone's TZif file cannot answer every instant
    anchor_required,             // every N weeks/days or biweekly without `from DATE`
    bad_anchor,                  // an anchor date that is not a date or not on the weekday
};

const boost::system::error_category& schedule_category() noexcept;
boost::system::error_code make_error_code(schedule_errc e) noexcept;

// A refusal is a core::error: the code, the byte offset in the parsed text where the problem
// starts (0 when the problem is not at one place, e.g. a missing day_match), and a message for
// humans that says what is wrong and what to write instead, e.g. "minute 75 is out of range
// 0-59". Schedule text is ASCII; the first non-ASCII byte is itself an error, so the byte offset
// is also the character offset. The rules loader adds it to the YAML scalar's column.

}  // namespace paymand::schedule

template <>
struct boost::system::is_error_code_enum<paymand::schedule::schedule_errc> : std::true_type {
};
