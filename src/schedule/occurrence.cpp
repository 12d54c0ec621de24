#include "paymand/schedule/occurrence.hpp"

#include <algorithm>
#include <bit>

namespace paymand::schedule {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_seconds;

// More than any difference between two UTC offsets of one zone, and than any DST shift: a
// local time more than this away from another cannot swap order with it in UTC.
constexpr auto slack = std::chrono::hours{48};

constexpr date::year last_year{9999};

bool near_transition(const zone& z, sys_seconds t)
{
    const auto info = z.sys_info_at(t);
    return t - info.begin < slack || info.end - t <= slack;
}

}  // namespace

occurrence_cursor::occurrence_cursor(const calendar& cal, const zone& z, local_minutes after)
    : cal_(&cal), zone_(z)
{
    const auto day = date::floor<date::days>(after);
    day_ = date::year_month_day{day};
    if (day_.year() > last_year || cal.times_of_day().empty()) {
        done_ = true;
        return;
    }
    mask_ = cal.day_mask(day_.year() / day_.month());
    day_fires_ = (mask_ >> static_cast<unsigned>(day_.day()) & 1U) != 0;
    const auto minute = static_cast<std::uint16_t>((after - day).count());
    const auto times = cal.times_of_day();
    time_index_ = static_cast<std::size_t>(std::upper_bound(times.begin(), times.end(), minute) -
                                           times.begin());
}

std::optional<local_minutes> occurrence_cursor::next_local()
{
    const auto times = cal_->times_of_day();
    while (!done_) {
        if (day_fires_ && time_index_ < times.size())
            return date::local_days{day_} + minutes{times[time_index_++]};
        // The next firing day: later days of this month, then the first of a later month.
        const unsigned d = static_cast<unsigned>(day_.day());
        auto ym = day_.year() / day_.month();
        auto rest = static_cast<std::uint32_t>(mask_ & ~((std::uint64_t{2} << d) - 1));
        while (rest == 0) {
            ym += date::months{1};
            if (ym.year() > last_year) {
                done_ = true;
                return std::nullopt;
            }
            mask_ = cal_->day_mask(ym);
            rest = mask_;
        }
        day_ = ym / date::day{static_cast<unsigned>(std::countr_zero(rest))};
        day_fires_ = true;
        time_index_ = 0;
    }
    return std::nullopt;
}

std::optional<occurrence> occurrence_cursor::next()
{
    const auto local = next_local();
    if (!local) return std::nullopt;
    const sys_seconds guess{local->time_since_epoch() - offset_};
    if (guess >= safe_begin_ && guess < safe_end_) return occurrence{*local, guess};
    const sys_seconds instant = zone_.resolve(*local);
    const auto info = zone_.sys_info_at(instant);
    offset_ = info.offset;
    safe_begin_ = info.begin + slack;
    safe_end_ = info.end - slack;
    return occurrence{*local, instant};
}

std::optional<occurrence> next_occurrence(const calendar& cal, const zone& z, sys_seconds after)
{
    // Far from a transition, local order and UTC order agree around `after`, so the first
    // identity from the local reading of `after` on is the answer. Near one, look back and
    // ahead by the slack, since a gap can move an earlier identity past a later one.
    local_minutes start = z.to_local(after);
    if (near_transition(z, after)) start -= slack;
    occurrence_cursor cursor(cal, z, start - minutes{1});
    std::optional<occurrence> best;
    while (auto o = cursor.next()) {
        if (best && o->local > best->local + slack) break;
        if (o->instant <= after) continue;
        if (!best || o->instant < best->instant) {
            best = o;
            if (!near_transition(z, best->instant)) break;
        }
    }
    return best;
}

std::vector<occurrence> occurrences_between(const calendar& cal, const zone& z, sys_seconds from,
                                            sys_seconds to, std::size_t max_count)
{
    std::vector<occurrence> out;
    if (from >= to || max_count == 0) return out;
    const local_minutes end = z.to_local(to) + slack;
    std::optional<local_minutes> stop;
    occurrence_cursor cursor(cal, z, z.to_local(from) - slack - minutes{1});
    while (auto o = cursor.next()) {
        if (o->local > end || (stop && o->local > *stop)) break;
        if (o->instant < from || o->instant >= to) continue;
        out.push_back(*o);
        // Identities come in order, so nothing more than the slack after the max_count-th can
        // fire before it.
        if (!stop && out.size() >= max_count) stop = o->local + slack;
    }
    std::sort(out.begin(), out.end(), [](const occurrence& a, const occurrence& b) {
        return a.instant != b.instant ? a.instant < b.instant : a.local < b.local;
    });
    if (out.size() > max_count) out.resize(max_count);
    return out;
}

}  // namespace paymand::schedule
