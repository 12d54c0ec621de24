#include "paymand/core/time_text.hpp"

#include <fmt/format.h>
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

namespace paymand::core {
namespace {

// Every field at and around its edges, and past them: the digits as fmt writes them.
TEST(append_minute, writes_what_fmt_writes_for_every_field_value)
{
    for (int year : {-1, 0, 7, 999, 2026, 9999, 10000, 32767})
        for (int two : {-1, 0, 5, 12, 59, 99, 100}) {
            std::string wide = "x";
            append_minute(wide, year, two, 31 - (two & 7), two, 59 - (two & 3), false);
            EXPECT_EQ(wide, fmt::format("x{:04}-{:02}-{:02}T{:02}:{:02}", year, two, 31 - (two & 7),
                                        two, 59 - (two & 3)));
            std::string compact;
            append_minute(compact, year, 12, two, 23, two, true);
            EXPECT_EQ(compact, fmt::format("{:04}{:02}{:02}T{:02}{:02}", year, 12, two, 23, two));
        }
}

}  // namespace
}  // namespace paymand::core
