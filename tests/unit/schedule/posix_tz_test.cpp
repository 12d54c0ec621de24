#include "paymand/schedule/posix_tz.hpp"
#include "schedule_test_util.hpp"

#include <gtest/gtest.h>

namespace paymand::schedule {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using test::show;
using test::utc;

posix_tz rule(std::string_view text)
{
    auto r = parse_posix_tz(text);
    if (!r) {
        ADD_FAILURE() << text << ": " << r.error().message;
        return {};
    }
    return *r;
}

// The period in force at t, as "begin .. end offset abbrev".
std::string period(const posix_tz& tz, std::chrono::sys_seconds t)
{
    const auto i = tz.info_at(t);
    return show(i.begin) + " .. " + show(i.end) + " " + std::to_string(i.offset.count()) + " " +
           i.abbrev;
}

TEST(posix_tz, month_week_day_rule_with_default_and_explicit_times)
{
    const auto cet = rule("CET-1CEST,M3.5.0,M10.5.0/3");
    EXPECT_EQ(cet.std_offset, hours{1});
    ASSERT_TRUE(cet.dst);
    EXPECT_EQ(cet.dst->offset, hours{2});  // default: one hour more
    EXPECT_EQ(period(cet, utc(2040, 7, 1)),
              "2040-03-25 01:00:00 UTC .. 2040-10-28 01:00:00 UTC 7200 CEST");
    EXPECT_EQ(period(cet, utc(2040, 12, 1)),
              "2040-10-28 01:00:00 UTC .. 2041-03-31 01:00:00 UTC 3600 CET");
    EXPECT_EQ(cet.info_at(utc(2040, 3, 25, 0, 59, 59)).offset, hours{1});
    EXPECT_EQ(cet.info_at(utc(2040, 3, 25, 1)).offset, hours{2});
}

TEST(posix_tz, quoted_names_and_negative_change_times)
{
    // America/Nuuk: -02/-01, changing at -1:00 (the day before) and 0:00 local.
    const auto nuuk = rule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    EXPECT_EQ(nuuk.std_name, "-02");
    EXPECT_EQ(nuuk.std_offset, hours{-2});
    EXPECT_EQ(nuuk.dst->offset, hours{-1});
    EXPECT_EQ(nuuk.dst->start.time, hours{-1});
    // Expected from Python's zoneinfo.
    EXPECT_EQ(period(nuuk, utc(2040, 7, 1)),
              "2040-03-25 01:00:00 UTC .. 2040-10-28 01:00:00 UTC -3600 -01");
}

TEST(posix_tz, change_times_beyond_24_hours)
{
    // Asia/Jerusalem: Friday before the last Sunday of March, as "Thursday 26:00".
    const auto israel = rule("IST-2IDT,M3.4.4/26,M10.5.0");
    EXPECT_EQ(israel.dst->start.time, hours{26});
    EXPECT_EQ(period(israel, utc(2040, 7, 1)),
              "2040-03-23 00:00:00 UTC .. 2040-10-27 23:00:00 UTC 10800 IDT");
    // America/Santiago: 24:00 on a Saturday; southern hemisphere (DST over the new year).
    const auto chile = rule("<-04>4<-03>,M9.1.6/24,M4.1.6/24");
    EXPECT_EQ(period(chile, utc(2040, 6, 1)),
              "2040-04-08 03:00:00 UTC .. 2040-09-02 04:00:00 UTC -14400 -04");
    EXPECT_EQ(chile.info_at(utc(2040, 12, 25)).offset, hours{-3});
    EXPECT_FALSE(parse_posix_tz("XXX3YYY,M3.2.0/168,M11.1.0"));
    EXPECT_TRUE(parse_posix_tz("XXX3YYY,M3.2.0/-167,M11.1.0/+167:59:59"));
}

TEST(posix_tz, half_hour_and_quarter_hour_offsets)
{
    const auto lord_howe = rule("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
    EXPECT_EQ(lord_howe.std_offset, hours{10} + minutes{30});
    // 02:00 local +10:30 on 2045-10-01 is 15:30 UTC the day before.
    EXPECT_EQ(lord_howe.info_at(utc(2045, 9, 30, 15, 29)).offset, hours{10} + minutes{30});
    EXPECT_EQ(lord_howe.info_at(utc(2045, 9, 30, 15, 30)).offset, hours{11});
    const auto chatham = rule("<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45");
    EXPECT_EQ(chatham.dst->start.time, hours{2} + minutes{45});
    EXPECT_EQ(rule("XXX-1:02:03").std_offset, hours{1} + minutes{2} + seconds{3});
}

TEST(posix_tz, no_dst)
{
    const auto casablanca = rule("<+01>-1");
    EXPECT_FALSE(casablanca.dst);
    const auto i = casablanca.info_at(utc(2090, 6, 1));
    EXPECT_EQ(i.offset, hours{1});
    EXPECT_EQ(i.abbrev, "+01");
    EXPECT_LT(i.begin, utc(1000, 1, 1));
    EXPECT_GT(i.end, utc(9999, 12, 31));
    EXPECT_EQ(rule("UTC0").std_offset, seconds{0});
    EXPECT_EQ(rule("HST10").std_offset, hours{-10});
    EXPECT_EQ(rule("<-0330>+3:30").std_offset, -(hours{3} + minutes{30}));
}

TEST(posix_tz, julian_day_forms)
{
    // Jn never counts February 29: J60 is March 1 in every year.
    const auto j = rule("XXX3YYY,J60/2,J300/2");
    EXPECT_EQ(j.info_at(utc(2040, 3, 1, 4, 59)).offset, hours{-3});  // 2040 is a leap year
    EXPECT_EQ(j.info_at(utc(2040, 3, 1, 5, 0)).offset, hours{-2});
    EXPECT_EQ(j.info_at(utc(2041, 3, 1, 5, 0)).offset, hours{-2});
    EXPECT_EQ(j.info_at(utc(2041, 2, 28, 5, 0)).offset, hours{-3});
    // n counts from 0 and counts February 29: 59 is February 29 in a leap year.
    const auto n = rule("XXX3YYY,59/2,300/2");
    EXPECT_EQ(n.info_at(utc(2040, 2, 29, 5, 0)).offset, hours{-2});
    EXPECT_EQ(n.info_at(utc(2040, 2, 28, 23, 0)).offset, hours{-3});
    EXPECT_EQ(n.info_at(utc(2041, 3, 1, 5, 0)).offset, hours{-2});
    EXPECT_EQ(n.info_at(utc(2041, 2, 28, 23, 0)).offset, hours{-3});
}

TEST(posix_tz, dst_all_year_has_no_change)
{
    // RFC 8536's example: daylight time from January 1 00:00 to December 31 25:00, i.e. all
    // year. No change is a change of offset.
    const auto always = rule("EST5EDT,0/0,J365/25");
    EXPECT_EQ(always.info_at(utc(2050, 6, 1)).offset, hours{-4});
    EXPECT_EQ(always.info_at(utc(2050, 12, 31, 12)).offset, hours{-4});
}

TEST(posix_tz, explicit_dst_offset_and_negative_dst)
{
    // Ireland's tzdata style: winter is the "daylight" period with a smaller offset.
    const auto dublin = rule("IST-1GMT0,M10.5.0,M3.5.0/1");
    EXPECT_EQ(dublin.std_offset, hours{1});
    EXPECT_EQ(dublin.dst->offset, hours{0});
    EXPECT_EQ(dublin.info_at(utc(2050, 1, 15)).offset, hours{0});
    EXPECT_EQ(dublin.info_at(utc(2050, 7, 15)).offset, hours{1});
}

TEST(posix_tz, refuses_what_it_cannot_answer)
{
    for (const char* text : {"", "CE-1", "CET", "CET-25", "CET-1CEST", "CET-1CEST,M3.5.0",
                             "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0",
                             "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,J0,J300", "CET-1CEST,366,300",
                             "<+0", "<+1>-1", "<+0@>-1", "CET-1CEST,M3.5.0,M10.5.0x", "CET-1:60"}) {
        auto r = parse_posix_tz(text);
        EXPECT_FALSE(r) << "'" << text << "' was accepted";
        if (!r) {
            EXPECT_NE(r.error().message.find("TZ rule"), std::string::npos) << text;
        }
    }
}

}  // namespace
}  // namespace paymand::schedule
