#include "paymand/schedule/interval.hpp"
#include "paymand/schedule/occurrence.hpp"
#include "schedule_test_util.hpp"

#include <gtest/gtest.h>

namespace paymand::schedule {
namespace {

using namespace std::chrono_literals;
using test::cal;
using test::tz;
using test::utc;

using test::no_match;
using test::no_short;

struct interval_case {
    const char* schedule;
    schedule_options options;
    std::chrono::minutes expected;
};

void PrintTo(const interval_case& c, std::ostream* os)
{
    *os << "'" << c.schedule << "'";
}

class shortest : public ::testing::TestWithParam<interval_case> {};

TEST_P(shortest, interval_is_exact_for_regular_calendars)
{
    const auto& c = GetParam();
    EXPECT_EQ(shortest_interval(cal(c.schedule, c.options)).count(), c.expected.count());
}

INSTANTIATE_TEST_SUITE_P(
    calendars, shortest,
    ::testing::Values(
        interval_case{"* * * * *", {}, 1min}, interval_case{"every 15m", {}, 15min},
        interval_case{"0,45 * * * *", {}, 15min}, interval_case{"@hourly", {}, 60min},
        interval_case{"every 6h", {}, 6h}, interval_case{"0 0,23 * * *", {}, 60min},
        interval_case{"0,59 0,23 * * *", {}, 1min},  // 23:59 to 00:00 the next day
        interval_case{"daily at 06:00", {}, 24h}, interval_case{"0 9,17 * * *", {}, 8h},
        interval_case{"weekly on mon,thu at 17:30", {}, 72h},
        interval_case{"0 0 * * SAT,SUN", {}, 24h}, interval_case{"@weekly", {}, 7 * 24h},
        interval_case{"monthly on day 1 at 09:00", {}, 28 * 24h},
        interval_case{"0 9 1,31 * *", {no_match, short_month_policy::last_day}, 24h},
        interval_case{"0 9 1,31 * *", {no_match, short_month_policy::skip}, 24h},
        interval_case{"0 9 15,16 * *", {}, 24h},
        interval_case{"monthly on last day at 23:00", {}, 28 * 24h},
        interval_case{"@yearly", {}, 365 * 24h}, interval_case{"0 0 1 1,7 *", {}, 181 * 24h},
        interval_case{"0 0 * 1 *", {}, 24h}));

TEST(shortest_interval_of, a_calendar_that_never_fires_is_unbounded)
{
    EXPECT_EQ(shortest_interval(calendar{}), std::chrono::minutes::max());
}

// The true minimum from enumerating eight years (two leap cycles) of occurrences in UTC.
std::chrono::minutes enumerated_minimum(const calendar& c)
{
    const auto v = occurrences_between(c, tz("UTC"), utc(2024, 1, 1), utc(2032, 1, 1));
    auto best = std::chrono::minutes::max();
    for (std::size_t i = 1; i < v.size(); ++i)
        best = std::min(best, std::chrono::duration_cast<std::chrono::minutes>(v[i].instant -
                                                                               v[i - 1].instant));
    return best;
}

class conservative : public ::testing::TestWithParam<interval_case> {};

TEST_P(conservative, never_exceeds_the_enumerated_minimum)
{
    const auto& c = GetParam();
    const auto calendar = cal(c.schedule, c.options);
    const auto bound = shortest_interval(calendar);
    EXPECT_GT(bound.count(), 0);
    EXPECT_LE(bound.count(), enumerated_minimum(calendar).count());
    EXPECT_GE(bound.count(), c.expected.count()) << "bound needlessly loose";
}

INSTANTIATE_TEST_SUITE_P(
    irregular, conservative,
    ::testing::Values(interval_case{"0 0 13 * fri", {day_match_policy::all, no_short}, 21 * 24h},
                      interval_case{"monthly on first monday at 09:00", {}, 21 * 24h},
                      interval_case{"monthly on last friday at 09:00", {}, 21 * 24h},
                      interval_case{"0 12 29 2 *", {no_match, short_month_policy::skip}, 365 * 24h},
                      interval_case{"0 9 31 * *", {no_match, short_month_policy::skip}, 30 * 24h},
                      interval_case{"0 9 30,31 * *", {no_match, short_month_policy::last_day}, 24h},
                      interval_case{"0 0 1,15 * mon", {day_match_policy::any, no_short}, 24h},
                      interval_case{"*/20 8-9 1 * *", {}, 20min},
                      interval_case{"0 9 * 2 mon", {}, 7 * 24h},
                      interval_case{"0 0 1 1 *", {}, 365 * 24h},
                      interval_case{"monthly on day 1,15 at 09:00", {}, 14 * 24h}));

}  // namespace
}  // namespace paymand::schedule
