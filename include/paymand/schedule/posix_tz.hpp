#pragma once

// The POSIX TZ rule that ends every TZif version 2+ file (RFC 8536 section 3.3): what local time
// is after the file's last listed transition. zone answers instants past that transition from
// it, as glibc and Python's zoneinfo do.

#include "paymand/core/error.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::schedule {

// When in a year a DST change happens: a day rule and a local time of day.
struct posix_tz_when {
    enum class form {
        julian,          // Jn: day n of 1..365, February 29 never counted
        zero_based,      // n: day n of 0..365, February 29 counted in leap years
        month_week_day,  // Mm.w.d: weekday d (0 = Sunday) of week w (1..4, 5 = last) of month m
    };
    form kind = form::month_week_day;
    unsigned day = 0;  // Jn and n
    unsigned month = 0;
    unsigned week = 0;
    unsigned weekday = 0;
    // Local time of day, in the time in force before the change; RFC 8536 allows -167..167
    // hours, so a change can fall on the day before or after the day rule's date.
    std::chrono::seconds time{std::chrono::hours{2}};

    // The local date and time of the change in year `y`.
    date::local_seconds in_year(date::year y) const noexcept;
};

struct posix_tz_dst {
    std::string name;
    std::chrono::seconds offset{};  // UTC offset, east of Greenwich positive
    posix_tz_when start;            // read in standard time
    posix_tz_when end;              // read in daylight time
};

// A parsed rule, e.g. "CET-1CEST,M3.5.0,M10.5.0/3" or "<+03>-3". Offsets are as UTC offsets
// (east positive), the opposite sign of the POSIX text.
struct posix_tz {
    std::string std_name;
    std::chrono::seconds std_offset{};
    std::optional<posix_tz_dst> dst;

    // The offset in force at `t`, with the period around it: begin and end are the rule's
    // changes before and after `t` (a rule without DST: the whole time line). A rule whose
    // DST lasts all year ("J1/0,J365/25") has no change, as no offset changes.
    date::sys_info info_at(std::chrono::sys_seconds t) const;
};

// Parse the text of a TZif footer: std offset [dst [offset] ,start[/time],end[/time]]; names
// alphabetic (3 or more letters) or quoted in <> (letters, digits, + and -); offsets
// [+-]hh[:mm[:ss]] with hh 0-24; times [+-]hhh[:mm[:ss]] with hhh 0-167. A DST name without a
// rule is refused: POSIX leaves its dates to the implementation. The error (bad_zone_data) says
// where and what, and carries the offset.
core::result<posix_tz> parse_posix_tz(std::string_view text);

}  // namespace paymand::schedule
