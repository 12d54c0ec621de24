#pragma once

#include "paymand/schedule/schedule_errc.hpp"
#include "paymand/schedule/schedule_options.hpp"

#include <boost/system/result.hpp>

#include <date/date.h>

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::schedule {

// Which nth weekday of a month fires, per weekday (0 = Sunday): bit 0..3 = first..fourth,
// bit 4 = last. Written MON#1 .. MON#4, MON#L in the normalised form.
inline constexpr unsigned nth_last = 4;

// An anchored interval: the calendar fires only on days in blocks of `window_days` days that
// start every `period_days` days from the local date `from` (never before it). `every 2 weeks
// on fri ... from 2026-12-04` is period 14, window 7 (its weekdays select the days inside a
// block); `every 10 days ... from 2026-12-04` is period 10, window 1. `from` is itself a firing
// day: the parser refuses an anchor that is not on one of the listed weekdays.
struct interval_anchor {
    date::local_days from;
    unsigned period_days = 0;
    unsigned window_days = 0;
    bool weeks = false;  // written as weeks (normalised as every=Nw), else days (every=Nd)

    friend bool operator==(const interval_anchor&, const interval_anchor&) = default;
};

// The canonical calendar that both the cron form and the friendly form compile to: a set of
// local wall-clock minutes, independent of any time zone. Immutable once parsed; cheap to copy
// around by const reference, safe to share between threads.
//
// Day selection is already resolved: when both day fields were restricted the day_match policy
// is kept; a day of month 29-31 carries its short_month policy. Fields that cannot matter are
// folded away (e.g. `1-31` with day_match: all becomes `*`), so two texts meaning the same
// calendar compare equal and have the same normalised() text.
class calendar {
public:
    // An empty calendar that never fires (normalised() is empty); parse_schedule makes real ones.
    calendar() = default;

    // The normalised text that errors and summaries echo, cron-shaped with paymand's
    // extensions: `M H DOM MON DOW` with numbers for minutes, hours, days and months, weekday
    // names (SUN..SAT), `L` for the last day of the month, `MON#1`/`MON#L` for the nth/last
    // weekday, then ` day_match=any|all` and ` short_month=last_day|skip` when they apply.
    // Examples: "0 9 1 * *", "30 17 * * MON,THU", "0 9 L * *", "0 9 * * MON#1",
    // "0 0 13 * FRI day_match=all", "0 9 31 * * short_month=last_day", "*/15 * * * *",
    // "0 9 * * FRI every=2w from=2026-12-04", "30 8 * * * every=10d from=2026-12-04".
    const std::string& normalised() const noexcept { return normalised_; }

    // The schedule text as it was written (parse_schedule's input without surrounding blanks),
    // for summaries that show both forms. Not part of equality.
    const std::string& written() const noexcept { return written_; }

    // Local wall-clock minutes of the day at which it fires on a firing day, sorted, unique,
    // each 0..1439. Never empty for a parsed calendar.
    std::span<const std::uint16_t> times_of_day() const noexcept { return times_; }

    // Whether the calendar fires on this local date (any time of that day). `d` must be ok().
    bool fires_on(date::year_month_day d) const noexcept;

    // The days of month `ym` on which it fires, as a bit mask: bit d (1..31) set when day d
    // fires. Bit 0 is never set.
    std::uint32_t day_mask(date::year_month ym) const noexcept;

    // The canonical fields, for callers that want to describe the calendar.
    const std::bitset<60>& minutes() const noexcept { return minutes_; }
    const std::bitset<24>& hours() const noexcept { return hours_; }
    const std::bitset<32>& days_of_month() const noexcept { return days_of_month_; }  // 1..31
    bool last_day_of_month() const noexcept { return last_day_; }
    const std::bitset<13>& months() const noexcept { return months_; }             // 1..12
    const std::bitset<7>& days_of_week() const noexcept { return days_of_week_; }  // 0 = Sunday
    const std::array<std::uint8_t, 7>& nth_weekdays() const noexcept { return nth_; }
    std::optional<day_match_policy> day_match() const noexcept { return day_match_; }
    std::optional<short_month_policy> short_month() const noexcept { return short_month_; }
    const std::optional<interval_anchor>& anchor() const noexcept { return anchor_; }

    friend bool operator==(const calendar& a, const calendar& b) noexcept
    {
        return a.normalised_ == b.normalised_;
    }

private:
    friend class calendar_builder;

    std::bitset<60> minutes_;
    std::bitset<24> hours_;
    std::bitset<32> days_of_month_;
    bool last_day_ = false;
    std::bitset<13> months_;
    std::bitset<7> days_of_week_;
    std::array<std::uint8_t, 7> nth_{};
    bool dom_restricted_ = false;  // day-of-month part selects days (numbers or L)
    bool dow_restricted_ = false;  // day-of-week part selects days (names or nth)
    std::optional<day_match_policy> day_match_;
    std::optional<short_month_policy> short_month_;
    std::optional<interval_anchor> anchor_;
    std::vector<std::uint16_t> times_;
    std::string normalised_;
    std::string written_;
};

// Parse the text of a rule's `schedule:` key into its calendar. Accepted (keywords, month and
// weekday names are case-insensitive; fields are separated by spaces or tabs):
//   - standard 5-field cron `minute hour day-of-month month day-of-week` with lists, ranges,
//     steps (`a-b/n`, `*/n`, `a/n` = `a-max/n`), month names JAN..DEC, weekday names SUN..SAT,
//     0 or 7 for Sunday;
//   - the macros @yearly @annually @monthly @weekly @daily @midnight @hourly;
//   - the friendly forms `monthly on day N[,N...] at HH:MM`, `monthly on last day at HH:MM`,
//     `monthly on first|second|third|fourth|last WEEKDAY at HH:MM`,
//     `weekly on WEEKDAY[,WEEKDAY...] at HH:MM`, `daily at HH:MM`, `every Nm` (N divides 60)
//     and `every Nh` (N divides 24), anchored to local midnight: `every 15m` is `*/15 * * * *`,
//     `every 6h` is `0 */6 * * *`;
//   - anchored intervals `every N weeks on WEEKDAY[,WEEKDAY...] at HH:MM from YYYY-MM-DD`
//     (N 1-52; `biweekly on ...` is N = 2) and `every N days at HH:MM from YYYY-MM-DD`
//     (N 1-365): see interval_anchor. The anchor is required and must be a listed weekday.
// Refused with a precise message and offset: seconds or year fields, @reboot, TZ=/CRON_TZ=
// prefixes, out-of-range values, empty list elements, step 0, reversed ranges, trailing
// garbage, missing or inapplicable day_match/short_month (see schedule_options), and
// schedules that can never fire. Never throws.
core::result<calendar> parse_schedule(std::string_view text, const schedule_options& options = {});

}  // namespace paymand::schedule
