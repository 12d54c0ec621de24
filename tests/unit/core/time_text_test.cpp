#include "paymand/core/time_text.hpp"

#include <gtest/gtest.h>

namespace paymand::core {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

TEST(time_text, milliseconds_are_three_digits_cut_not_rounded)
{
    const auto day = sys_days{year{2026} / 12 / 31};
    EXPECT_EQ(format_utc_millis(day + 23h + 59min + 59s + 999999us), "2026-12-31T23:59:59.999Z");
    EXPECT_EQ(format_utc_millis(day + 5ms), "2026-12-31T00:00:00.005Z");
    EXPECT_EQ(format_utc_millis(sys_days{year{1970} / 1 / 1}), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(format_utc_millis(day).size(), utc_millis_length);
}

TEST(time_text, the_three_shapes_agree_on_one_instant)
{
    const auto t = sys_days{year{2026} / 2 / 28} + 9h + 7min + 3s + 120450us;
    EXPECT_EQ(format_utc(floor<seconds>(t)), "2026-02-28T09:07:03Z");
    EXPECT_EQ(format_utc_millis(t), "2026-02-28T09:07:03.120Z");
    EXPECT_EQ(format_ts(t), "2026-02-28T09:07:03.120450Z");
    EXPECT_EQ(parse_ts(format_ts(t)), t);
    EXPECT_EQ(parse_utc(format_utc(floor<seconds>(t))), floor<seconds>(t));
}

}  // namespace
}  // namespace paymand::core
