#include "paymand/schedule/catchup.hpp"

#include <algorithm>
#include <bit>
#include <deque>

namespace paymand::schedule {
namespace {

using std::chrono::minutes;
using std::chrono::sys_seconds;

// As in occurrence.cpp: beyond this distance in local time, UTC order follows local order.
constexpr auto slack = std::chrono::hours{48};

// Count of times of day strictly after / at or before a minute of the day.
std::size_t times_after(std::span<const std::uint16_t> times, unsigned minute)
{
    return static_cast<std::size_t>(times.end() -
                                    std::upper_bound(times.begin(), times.end(), minute));
}

std::size_t times_up_to(std::span<const std::uint16_t> times, unsigned minute)
{
    return times.size() - times_after(times, minute);
}

// Identities in (a, b], counted from the day masks, without resolving any instant.
std::uint64_t count_identities(const calendar& cal, local_minutes a, local_minutes b)
{
    if (b <= a) return 0;
    const auto times = cal.times_of_day();
    const auto day_a = date::floor<date::days>(a);
    const auto day_b = date::floor<date::days>(b);
    const auto minute_a = static_cast<unsigned>((a - day_a).count());
    const auto minute_b = static_cast<unsigned>((b - day_b).count());
    const date::year_month_day ymd_a{day_a};
    const date::year_month_day ymd_b{day_b};
    if (day_a == day_b) {
        if (!cal.fires_on(ymd_a)) return 0;
        return times_up_to(times, minute_b) - times_up_to(times, minute_a);
    }
    std::uint64_t count = 0;
    if (cal.fires_on(ymd_a)) count += times_after(times, minute_a);
    if (cal.fires_on(ymd_b)) count += times_up_to(times, minute_b);
    // Whole days strictly between the two.
    const auto ym_a = ymd_a.year() / ymd_a.month();
    const auto ym_b = ymd_b.year() / ymd_b.month();
    for (auto ym = ym_a; ym <= ym_b; ym += date::months{1}) {
        std::uint64_t mask = cal.day_mask(ym);
        if (ym == ym_a) mask &= ~((std::uint64_t{2} << static_cast<unsigned>(ymd_a.day())) - 1);
        if (ym == ym_b) mask &= (std::uint64_t{1} << static_cast<unsigned>(ymd_b.day())) - 1;
        count += static_cast<std::uint64_t>(std::popcount(mask)) * times.size();
    }
    return count;
}

// The newest identity at or before `t`.
std::optional<local_minutes> last_at_or_before(const calendar& cal, local_minutes t)
{
    const auto times = cal.times_of_day();
    const auto day = date::floor<date::days>(t);
    const date::year_month_day ymd{day};
    if (cal.fires_on(ymd)) {
        const auto n = times_up_to(times, static_cast<unsigned>((t - day).count()));
        if (n > 0) return local_minutes{day} + minutes{times[n - 1]};
    }
    auto ym = ymd.year() / ymd.month();
    std::uint64_t mask =
        cal.day_mask(ym) & ((std::uint64_t{1} << static_cast<unsigned>(ymd.day())) - 1);
    while (mask == 0) {
        ym -= date::months{1};
        if (ym.year() < date::year{1}) return std::nullopt;
        mask = cal.day_mask(ym);
    }
    const auto d = 63U - static_cast<unsigned>(std::countl_zero(mask));
    return local_minutes{date::local_days{ym / date::day{d}}} + minutes{times.back()};
}

// Keeps the newest `cap` missed occurrences; older ones become one counted range.
class missed_sink {
public:
    explicit missed_sink(catchup_plan& plan, std::size_t cap) : plan_(plan), cap_(cap) {}

    void add(const occurrence& o, missed_reason reason)
    {
        listed_.push_back({o, reason});
        if (listed_.size() > cap_) {
            summarise(listed_.front().occ.local, listed_.front().occ.local, 1);
            listed_.pop_front();
        }
    }

    // A contiguous run of outside-window occurrences, newer than everything added so far.
    void add_range(std::uint64_t count, local_minutes first, local_minutes last)
    {
        for (const auto& m : listed_) summarise(m.occ.local, m.occ.local, 1);
        listed_.clear();
        summarise(first, last, count);
    }

    void finish()
    {
        plan_.missed.assign(listed_.begin(), listed_.end());
        std::stable_sort(plan_.missed.begin(), plan_.missed.end(),
                         [](const missed_occurrence& a, const missed_occurrence& b) {
                             return a.occ.local < b.occ.local;
                         });
    }

private:
    void summarise(local_minutes first, local_minutes last, std::uint64_t count)
    {
        if (!plan_.first_unlisted) plan_.first_unlisted = first;
        plan_.last_unlisted = last;
        plan_.unlisted_missed += count;
    }

    catchup_plan& plan_;
    std::size_t cap_;
    std::deque<missed_occurrence> listed_;
};

// The decisions of one plan: each due occurrence, in identity order, runs, waits as the
// newest late one (`latest`) or is missed, with the reason.
class planner {
public:
    planner(sys_seconds now, const catchup_params& params)
        : sink_(result_, params.max_listed_missed), params_(params), now_(now)
    {
        const sys_seconds earliest{date::sys_days{date::year{1} / 1 / 2}.time_since_epoch()};
        cutoff_ = now - earliest > params.window ? now - params.window : earliest;
    }
    planner(const planner&) = delete;
    planner& operator=(const planner&) = delete;

    sys_seconds cutoff() const { return cutoff_; }

    // Accounts an identity as handled.
    void account(local_minutes local)
    {
        if (!result_.handled_through || *result_.handled_through < local)
            result_.handled_through = local;
    }

    // One due occurrence, in identity order. Returns false at the first one not due yet, so
    // the plan never accounts past an identity that has still to fire.
    bool feed(const occurrence& o, const std::optional<sys_seconds>& since)
    {
        if (since && o.instant <= *since) return true;  // before the rule was active
        if (o.instant > now_) return false;
        account(o.local);
        if (now_ - o.instant <= params_.grace) {
            if (held_latest_) {
                sink_.add(*held_latest_, missed_reason::superseded);
                held_latest_.reset();
            }
            on_time_seen_ = true;
            push_run(o);
        } else if (o.instant < cutoff_) {
            sink_.add(o, missed_reason::outside_window);
        } else {
            feed_late(o);
        }
        return true;
    }

    missed_sink& sink() { return sink_; }

    catchup_plan finish()
    {
        if (held_latest_) push_run(*held_latest_);
        result_.run.assign(runs_.begin(), runs_.end());
        std::stable_sort(
            result_.run.begin(), result_.run.end(),
            [](const occurrence& a, const occurrence& b) { return a.local < b.local; });
        sink_.finish();
        return std::move(result_);
    }

private:
    // Late but inside the window: the catch-up policy decides.
    void feed_late(const occurrence& o)
    {
        switch (params_.policy) {
        case catchup_policy::each:
            push_run(o);
            break;
        case catchup_policy::latest:
            if (on_time_seen_) {
                sink_.add(o, missed_reason::superseded);
            } else {
                if (held_latest_) sink_.add(*held_latest_, missed_reason::superseded);
                held_latest_ = o;
            }
            break;
        case catchup_policy::none:
            sink_.add(o, missed_reason::catchup_none);
            break;
        }
    }

    void push_run(const occurrence& o)
    {
        runs_.push_back(o);
        if (runs_.size() > params_.max_runs) {
            sink_.add(runs_.front(), missed_reason::run_cap);
            runs_.pop_front();
        }
    }

    catchup_plan result_;
    missed_sink sink_;
    const catchup_params& params_;
    sys_seconds now_;
    sys_seconds cutoff_{};
    std::deque<occurrence> runs_;
    std::optional<occurrence> held_latest_;  // `latest`: the newest late occurrence so far
    bool on_time_seen_ = false;
};

catchup_plan plan(const calendar& cal, const zone& z, local_minutes handled_through,
                  std::optional<sys_seconds> since, sys_seconds now, const catchup_params& params)
{
    planner p(now, params);

    // With `since`, identities up to `settled` may still fire at or before it and are checked
    // one by one; later ones fire after it for sure.
    const local_minutes start = since ? z.to_local(*since) - slack : handled_through;
    const local_minutes settled = since ? z.to_local(*since) + slack : handled_through;
    // Identities up to `far` fire before the window for sure: when there are many, count them
    // instead of walking them.
    const local_minutes far = z.to_local(p.cutoff()) - slack;

    occurrence_cursor cursor(cal, z, start);
    std::optional<occurrence> pending;
    bool stopped = false;
    while (auto o = cursor.next()) {
        if (o->local > settled) {
            pending = o;
            break;
        }
        if (!p.feed(*o, since)) {
            stopped = true;
            break;
        }
    }
    if (!stopped && pending && far > settled && pending->local <= far) {
        const std::uint64_t count = count_identities(cal, settled, far);
        if (count > params.max_listed_missed) {
            const auto last = last_at_or_before(cal, far);
            p.sink().add_range(count, pending->local, *last);
            p.account(*last);
            cursor = occurrence_cursor(cal, z, far);
            pending = cursor.next();
        }
    }
    while (!stopped && pending) {
        if (!p.feed(*pending, since)) break;
        pending = cursor.next();
    }
    return p.finish();
}

}  // namespace

catchup_plan plan_catchup(const calendar& cal, const zone& z, local_minutes handled_through,
                          sys_seconds now, const catchup_params& params)
{
    return plan(cal, z, handled_through, std::nullopt, now, params);
}

catchup_plan plan_catchup_since(const calendar& cal, const zone& z, sys_seconds since,
                                sys_seconds now, const catchup_params& params)
{
    return plan(cal, z, local_minutes{}, since, now, params);
}

}  // namespace paymand::schedule
