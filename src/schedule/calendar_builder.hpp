#pragma once

// Internal: how parsed fields become a canonical calendar. Shared by the parser, the
// calendar's day masks and the shortest-interval bound.

#include "paymand/schedule/calendar.hpp"

#include <cstddef>
#include <cstdint>

namespace paymand::schedule {

class calendar_builder {
public:
    std::bitset<60> minutes;
    std::bitset<24> hours;
    std::bitset<32> days_of_month;  // 1..31
    bool last_day = false;
    std::bitset<13> months;  // 1..12
    std::bitset<7> days_of_week;
    std::array<std::uint8_t, 7> nth{};
    bool dom_restricted = false;
    bool dow_restricted = false;
    std::size_t dom_offset = 0;  // where the day of month was written, for errors
    std::optional<interval_anchor> anchor;

    // Checks the options against the fields, folds what cannot matter, refuses calendars that
    // never fire, and produces the calendar with its normalised text.
    core::result<calendar> build(const schedule_options& options) const;

    // Firing days (bit d for day d) of month `month` in a year where it has `length` days and
    // its first day is weekday `first_weekday` (0 = Sunday).
    static std::uint32_t mask(const calendar& cal, unsigned month, unsigned length,
                              unsigned first_weekday) noexcept;

    // The days of month `ym` inside the anchor's blocks (bit d for day d); all days when the
    // calendar has no anchor.
    static void set_written(calendar& cal, std::string_view text) { cal.written_ = text; }

    static std::uint32_t anchor_mask(const calendar& cal, date::year_month ym) noexcept;

private:
    // The five cron fields of `cal` as normalised text.
    static std::string fields_text(const calendar& cal);
    // Folds day restrictions that select every day, so equal calendars normalise equally.
    static void fold_full_days(calendar& cal);
    // Whether a selected day of month 29-31 can be missing from a selected month.
    static bool short_month_possible(const calendar& cal);
    // Whether any date matches (every month length and first weekday is tried).
    static bool ever_fires(const calendar& cal);
    // The normalised text and the firing times of day, once the calendar is settled.
    static void finish(calendar& cal);
};

// Fewest days month m (1..12) can have: 28 for February.
unsigned min_month_length(unsigned m) noexcept;

}  // namespace paymand::schedule
