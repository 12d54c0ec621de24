// The period a pay rule's occurrence pays for (an edit never pays one twice).

#include "paymand/rules/pay_period.hpp"
#include "paymand/schedule/occurrence.hpp"

#include <gtest/gtest.h>

namespace paymand::rules {
namespace {

using namespace std::chrono;

schedule::local_minutes local(int y, unsigned m, unsigned d, int hh = 0, int mm = 0)
{
    return schedule::local_minutes(date::local_days(date::year(y) / m / d).time_since_epoch() +
                                   hours(hh) + minutes(mm));
}

pay_period of(std::string_view text)
{
    auto cal = schedule::parse_schedule(text);
    EXPECT_TRUE(cal) << text;
    return period_of(*cal);
}

TEST(pay_period, each_schedule_shape_has_its_natural_period)
{
    EXPECT_EQ(of("daily at 09:00").unit, period_unit::day);
    EXPECT_EQ(of("weekly on fri at 09:00").unit, period_unit::week);
    EXPECT_EQ(of("weekly on mon,thu at 09:00").unit, period_unit::day);
    EXPECT_EQ(of("monthly on day 1 at 09:00").unit, period_unit::month);
    EXPECT_EQ(of("monthly on last day at 09:00").unit, period_unit::month);
    EXPECT_EQ(of("monthly on first monday at 09:00").unit, period_unit::month);
    EXPECT_EQ(of("monthly on day 1,15 at 09:00").unit, period_unit::day);
    EXPECT_EQ(of("0 9 1 1 *").unit, period_unit::year);
    EXPECT_EQ(of("every 15m"), (pay_period{period_unit::interval, 15min}));
    EXPECT_EQ(of("0 9,17 * * *"), (pay_period{period_unit::interval, 8h}));
    EXPECT_EQ(of("30 8 * * *").unit, period_unit::day);
}

TEST(pay_period, same_period_compares_local_calendar_units)
{
    const pay_period day{period_unit::day};
    EXPECT_TRUE(same_period(day, local(2026, 12, 1, 8, 53), local(2026, 12, 1, 8, 56)));
    EXPECT_FALSE(same_period(day, local(2026, 12, 1, 23), local(2026, 12, 2, 1)));
    const pay_period week{period_unit::week};
    // 2026-12-07 is a Monday.
    EXPECT_TRUE(same_period(week, local(2026, 12, 7), local(2026, 12, 13, 23, 59)));
    EXPECT_FALSE(same_period(week, local(2026, 12, 6, 23, 59), local(2026, 12, 7)));
    const pay_period month{period_unit::month};
    EXPECT_TRUE(same_period(month, local(2026, 12, 1, 9), local(2026, 12, 31, 10)));
    EXPECT_FALSE(same_period(month, local(2026, 11, 30, 9), local(2026, 12, 1, 9)));
    const pay_period year{period_unit::year};
    EXPECT_TRUE(same_period(year, local(2026, 1, 1), local(2026, 12, 31)));
    const pay_period quarter_hour{period_unit::interval, 15min};
    EXPECT_TRUE(same_period(quarter_hour, local(2026, 12, 1, 9), local(2026, 12, 1, 9, 14)));
    EXPECT_FALSE(same_period(quarter_hour, local(2026, 12, 1, 9), local(2026, 12, 1, 9, 15)));
    EXPECT_TRUE(same_period(quarter_hour, local(2026, 12, 1, 9, 14), local(2026, 12, 1, 9)));
}

// A definition never finds its own previous occurrence in the period of the next one.
TEST(pay_period, consecutive_occurrences_of_one_schedule_are_never_in_one_period)
{
    for (auto text :
         {"daily at 09:00", "weekly on sun at 23:59", "monthly on day 31 at 09:00", "every 15m",
          "0 9,17 * * *", "monthly on last friday at 18:00", "weekly on mon,thu at 09:00"}) {
        const bool day_31 = std::string_view(text).find("day 31") != std::string_view::npos;
        auto cal = schedule::parse_schedule(
            text,
            day_31 ? schedule::schedule_options{.short_month = schedule::short_month_policy::skip}
                   : schedule::schedule_options{});
        ASSERT_TRUE(cal) << text;
        const auto period = period_of(*cal);
        const auto utc = schedule::find_zone("UTC").value();
        schedule::occurrence_cursor cursor(*cal, utc, local(2026, 1, 1));
        auto previous = cursor.next();
        for (int i = 0; i < 400; ++i) {
            auto next = cursor.next();
            ASSERT_TRUE(previous && next);
            EXPECT_FALSE(same_period(period, previous->local, next->local))
                << text << " at " << date::format("%F %R", next->local);
            previous = next;
        }
    }
}

}  // namespace
}  // namespace paymand::rules
