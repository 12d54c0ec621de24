#include "paymand/schedule/interval.hpp"

#include "schedule/calendar_builder.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>

namespace paymand::schedule {
namespace {

constexpr unsigned none = std::numeric_limits<unsigned>::max();

unsigned highest(std::uint32_t mask) noexcept
{
    return 31U - static_cast<unsigned>(std::countl_zero(mask));
}

unsigned lowest(std::uint32_t mask) noexcept
{
    return static_cast<unsigned>(std::countr_zero(mask));
}

// The lengths month m can have, as a range [first, last].
struct length_range {
    unsigned first;
    unsigned last;
};

length_range lengths(unsigned m) noexcept
{
    const unsigned shortest = min_month_length(m);
    return {shortest, m == 2 ? 29U : shortest};
}

bool can_fire(const calendar& cal, unsigned m) noexcept
{
    const auto range = lengths(m);
    for (unsigned length = range.first; length <= range.last; ++length)
        for (unsigned w = 0; w < 7; ++w)
            if (calendar_builder::mask(cal, m, length, w) != 0) return true;
    return false;
}

// The fewest days between two consecutive firing days, over every (length, first weekday)
// a month can have, following the weekday from one month into the next. Every such
// combination occurs in the Gregorian 400-year cycle, and combinations that do not occur
// (two leap Februaries a year apart) only make the figure smaller: it is a lower bound.
unsigned shortest_day_gap(const calendar& cal) noexcept
{
    std::array<bool, 13> fires{};
    for (unsigned m = 1; m <= 12; ++m) fires[m] = can_fire(cal, m);
    unsigned best = none;
    for (unsigned m = 1; m <= 12; ++m) {
        if (!fires[m]) continue;
        // The next month that can fire (m itself a year later at most), and those in between.
        std::array<unsigned, 12> between_months{};
        std::size_t between_count = 0;
        unsigned next = m;
        for (unsigned k = 1; k <= 12; ++k) {
            next = (m + k - 1) % 12 + 1;
            if (fires[next]) break;
            between_months[between_count++] = next;
        }
        const auto range = lengths(m);
        const auto next_range = lengths(next);
        for (unsigned length = range.first; length <= range.last; ++length) {
            for (unsigned w = 0; w < 7; ++w) {
                const std::uint32_t mask = calendar_builder::mask(cal, m, length, w);
                if (mask == 0) continue;
                for (std::uint32_t rest = mask; std::popcount(rest) > 1;) {
                    const unsigned a = lowest(rest);
                    rest &= rest - 1;
                    best = std::min(best, lowest(rest) - a);
                }
                const unsigned tail = length - highest(mask);
                for (unsigned february : {28U, 29U}) {
                    unsigned between = 0;
                    for (std::size_t i = 0; i < between_count; ++i) {
                        const unsigned b = between_months[i];
                        between += b == 2 ? february : min_month_length(b);
                    }
                    const unsigned next_weekday = (w + length + between) % 7;
                    for (unsigned next_length = next_range.first; next_length <= next_range.last;
                         ++next_length) {
                        const std::uint32_t next_mask =
                            calendar_builder::mask(cal, next, next_length, next_weekday);
                        // No firing day there this time: the next one is later still.
                        const unsigned head = next_mask != 0 ? lowest(next_mask) : next_length + 1;
                        best = std::min(best, tail + between + head);
                    }
                }
            }
        }
    }
    return best;
}

// For an anchored calendar, exact: the firing days of one block repeat every period.
unsigned anchored_day_gap(const calendar& cal) noexcept
{
    const auto& a = *cal.anchor();
    const unsigned first_weekday = date::weekday{a.from}.c_encoding();
    const bool all_weekdays = cal.days_of_week().none();
    unsigned first = none;
    unsigned last = none;
    unsigned best = none;
    for (unsigned k = 0; k < a.window_days; ++k) {
        if (!all_weekdays && !cal.days_of_week()[(first_weekday + k) % 7]) continue;
        if (first == none) first = k;
        if (last != none) best = std::min(best, k - last);
        last = k;
    }
    return std::min(best, a.period_days - last + first);
}

}  // namespace

std::chrono::minutes shortest_interval(const calendar& cal) noexcept
{
    const auto times = cal.times_of_day();
    if (times.empty()) return std::chrono::minutes::max();  // never fires
    unsigned best = none;
    for (std::size_t i = 1; i < times.size(); ++i)
        best = std::min<unsigned>(best, times[i] - times[i - 1]);
    const unsigned days = cal.anchor() ? anchored_day_gap(cal) : shortest_day_gap(cal);
    const unsigned span = times.back() - times.front();
    if (days != none) best = std::min(best, days * 1440 - span);
    return std::chrono::minutes{best};
}

}  // namespace paymand::schedule
