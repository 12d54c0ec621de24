#pragma once

#include "paymand/schedule/calendar.hpp"
#include "paymand/schedule/zone.hpp"

#include <chrono>
#include <compare>
#include <cstddef>
#include <limits>
#include <optional>
#include <vector>

namespace paymand::schedule {

// One firing of a calendar in a zone. `local` is its identity within a rule (a repeated local
// hour is one identity, so it can never fire twice); `instant` is when it fires (see
// zone::resolve for the DST rules). Identities order chronologically in local time. Instants
// follow that order except in a spring gap, where an occurrence pushed forward by the gap can
// share an instant with, or come up to one gap length after, the next occurrences' instants:
// `0 2,3 * * *` in Berlin fires 02:00 and 03:00 both at 01:00 UTC on 2026-03-29.
struct occurrence {
    local_minutes local;
    std::chrono::sys_seconds instant;

    friend bool operator==(const occurrence&, const occurrence&) = default;
};

// The first occurrence whose instant is strictly after `after` (ties: the smaller identity).
// Walks months, days and times of day, never minute by minute. Empty only for a calendar whose
// next firing lies beyond year 9999 (parse_schedule refuses calendars that never fire).
std::optional<occurrence> next_occurrence(const calendar& cal, const zone& z,
                                          std::chrono::sys_seconds after);

// All occurrences whose instant is in [from, to), ordered by instant, then identity; at most
// `max_count` of them (the earliest). Cost is proportional to the number returned plus the
// number of months spanned.
std::vector<occurrence>
occurrences_between(const calendar& cal, const zone& z, std::chrono::sys_seconds from,
                    std::chrono::sys_seconds to,
                    std::size_t max_count = std::numeric_limits<std::size_t>::max());

// Walks occurrences in identity order (local time), one at a time, from a local starting
// point: the building block for enumeration and catch-up. Keeps a reference to `cal`; the
// calendar must outlive the cursor.
class occurrence_cursor {
public:
    // The first occurrence yielded is the first whose identity is strictly after `after`.
    occurrence_cursor(const calendar& cal, const zone& z, local_minutes after);
    // The cursor refers to the calendar: a temporary would dangle.
    occurrence_cursor(calendar&&, const zone&, local_minutes) = delete;

    // The next occurrence in identity order; empty after year 9999.
    std::optional<occurrence> next();

private:
    std::optional<local_minutes> next_local();

    const calendar* cal_;
    zone zone_;
    date::year_month_day day_;  // the day being walked
    std::uint32_t mask_ = 0;    // firing days of day_'s month
    std::size_t time_index_ = 0;
    bool day_fires_ = false;
    // A window of instants [begin, end) around which the zone's offset is constant and no
    // transition is near, so resolve() needs no tzdb lookup inside it.
    std::chrono::sys_seconds safe_begin_{};
    std::chrono::sys_seconds safe_end_{};
    std::chrono::seconds offset_{};
    bool done_ = false;
};

}  // namespace paymand::schedule
