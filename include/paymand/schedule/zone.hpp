#pragma once

#include "paymand/schedule/schedule_errc.hpp"

#include <boost/system/result.hpp>

#include <date/tz.h>

#include <chrono>
#include <string_view>

namespace paymand::schedule {

namespace detail {
struct zone_data;
}

// A local wall-clock minute in some zone: the unit of occurrence identities.
using local_minutes = date::local_time<std::chrono::minutes>;

// An IANA time zone from the system tzdata (date/tz with USE_OS_TZDB). A small handle: copy it
// freely; the zone data lives as long as the process. Safe to use from several threads.
class zone {
public:
    std::string_view name() const noexcept { return tz_->name(); }
    const date::time_zone& tz() const noexcept { return *tz_; }

    // The UTC instant at which a local wall time fires. A time that does not exist (spring
    // gap) is read with the offset in force before the transition, as RFC 5545 does: 02:30 in
    // Europe/Berlin on 2026-03-29 is 01:30 UTC (03:30 CEST). A time that exists twice (autumn)
    // is the earlier instant: 02:30 in Europe/Berlin on 2026-10-25 is 00:30 UTC (CEST).
    std::chrono::sys_seconds resolve(local_minutes t) const;

    // The local wall time of a UTC instant, truncated to the minute (floor).
    local_minutes to_local(std::chrono::sys_seconds t) const;

    // The offset in force at an instant and the period around it, and the reading of a local
    // time (unique, in a gap, or in a fold), from the zone's TZif file: its listed transitions
    // (64-bit data), and after the last one the POSIX TZ rule in its footer, as glibc and
    // Python's zoneinfo do. Every instant of years 0001-9999 has an answer: find_zone refuses a
    // file that has no footer rule.
    date::sys_info sys_info_at(std::chrono::sys_seconds t) const;
    date::local_info local_info_at(date::local_seconds t) const;

    friend bool operator==(const zone& a, const zone& b) noexcept { return a.tz_ == b.tz_; }

private:
    friend core::result<zone> find_zone_in(std::string_view, std::string_view) noexcept;
    zone(const date::time_zone* tz, const detail::zone_data* data) : tz_(tz), data_(data) {}
    const date::time_zone* tz_;      // for callers that need date/tz's type (limits)
    const detail::zone_data* data_;  // read once per process, never freed
};

// Look up a zone by its exact IANA name ("Europe/Berlin", "UTC", "America/New_York"). Names
// are case-sensitive as in the tzdata. Unknown names fail with unknown_time_zone; "localtime"
// (the host's zone) fails with host_time_zone: a rule's zone is never taken from the host. A
// zone whose TZif file (/usr/share/zoneinfo/NAME) cannot be read, is not version 2 or later,
// lists leap seconds, or has no POSIX TZ rule for the time after its last transition fails
// with bad_zone_data: its later occurrences could not be computed. Never throws.
core::result<zone> find_zone(std::string_view name) noexcept;

// find_zone reading the TZif file from `directory` instead of /usr/share/zoneinfo (the name
// must still be one date/tz knows): for tests of damaged or unusual zone files.
core::result<zone> find_zone_in(std::string_view name, std::string_view directory) noexcept;

}  // namespace paymand::schedule
