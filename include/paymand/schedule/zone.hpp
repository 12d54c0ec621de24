#pragma once

#include "paymand/schedule/schedule_error.hpp"

#include <boost/system/result.hpp>

#include <date/tz.h>

#include <chrono>
#include <string_view>

namespace paymand::schedule {

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

    // date/tz's answers for this zone, continued past 2037. The system's TZif files list
    // transitions up to 2037 and date/tz 3.0.1 does not read the rule in their footer, so for
    // a zone whose listed transitions run into 2037 a later time is answered from the same
    // date 28*k years earlier (the weekday and leap-year cycle between 1901 and 2099), with
    // the result's bounds moved back. Exact through 2099 for rules such as "last Sunday of
    // March"; beyond 2099 the 28-year cycle drifts by a day per skipped leap year.
    date::sys_info sys_info_at(std::chrono::sys_seconds t) const;
    date::local_info local_info_at(date::local_seconds t) const;

    friend bool operator==(const zone& a, const zone& b) noexcept { return a.tz_ == b.tz_; }

private:
    friend boost::system::result<zone, schedule_error> find_zone(std::string_view) noexcept;
    explicit zone(const date::time_zone* tz);
    const date::time_zone* tz_;
    bool extrapolate_ = false;  // listed transitions stop in 2037: continue them
};

// Look up a zone by its exact IANA name ("Europe/Berlin", "UTC", "America/New_York"). Names
// are case-sensitive as in the tzdata. Unknown names fail with unknown_time_zone; "localtime"
// (the host's zone) fails with host_time_zone: a rule's zone is never taken from the host.
// Never throws.
boost::system::result<zone, schedule_error> find_zone(std::string_view name) noexcept;

}  // namespace paymand::schedule
