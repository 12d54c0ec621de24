#include "paymand/schedule/calendar.hpp"
#include "schedule_test_util.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace paymand::schedule {
namespace {

using test::cal;

using test::no_match;
using test::no_short;

struct accepted_case {
    std::string text;
    schedule_options options;
    std::string normalised;
};

void PrintTo(const accepted_case& c, std::ostream* os)
{
    *os << "'" << c.text << "'";
}

class accepted : public ::testing::TestWithParam<accepted_case> {};

TEST_P(accepted, normalises_to_canonical_text)
{
    const auto& c = GetParam();
    auto r = parse_schedule(c.text, c.options);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->normalised(), c.normalised);
}

TEST_P(accepted, normalised_text_reparses_to_itself_unless_it_uses_an_extension)
{
    // Plain cron normalised text is valid input and a fixed point. The extensions (L, MON#1,
    // day_match=, short_month=) are display only: as input they are refused, so nobody mistakes
    // them for the rule keys.
    const auto& c = GetParam();
    auto r = parse_schedule(c.text, c.options);
    ASSERT_TRUE(r);
    const std::string& n = r->normalised();
    // Options that were folded away no longer apply; those kept are in the calendar.
    auto again = parse_schedule(n, {r->day_match(), r->short_month()});
    if (n.find_first_of("L#=") != std::string::npos) {
        EXPECT_FALSE(again) << n;
        return;
    }
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->normalised(), n);
    EXPECT_EQ(*again, *r);
}

INSTANTIATE_TEST_SUITE_P(
    cron, accepted,
    ::testing::Values(
        accepted_case{"0 9 1 * *", {}, "0 9 1 * *"}, accepted_case{"* * * * *", {}, "* * * * *"},
        accepted_case{"*/15 * * * *", {}, "*/15 * * * *"},
        accepted_case{"0,15,30,45 * * * *", {}, "*/15 * * * *"},
        accepted_case{"0-59/15 * * * *", {}, "*/15 * * * *"},
        accepted_case{"0,30 * * * *", {}, "*/30 * * * *"},
        accepted_case{"0,45 * * * *", {}, "0,45 * * * *"},
        accepted_case{"5/20 * * * *", {}, "5,25,45 * * * *"},
        accepted_case{"10-20/5 * * * *", {}, "10,15,20 * * * *"},
        accepted_case{"1,2,3,4,5 0 * * *", {}, "1-5 0 * * *"},
        accepted_case{"00 09 * * *", {}, "0 9 * * *"},
        accepted_case{"0 0-23 * * *", {}, "0 * * * *"},
        accepted_case{"0 */6 * * *", {}, "0 */6 * * *"},
        accepted_case{"0 8-18/2 * * *", {}, "0 8,10,12,14,16,18 * * *"},
        accepted_case{"0 9 * jan,jul *", {}, "0 9 * */6 *"},
        accepted_case{"0 9 * jan,apr *", {}, "0 9 * 1,4 *"},
        accepted_case{"0 9 * JAN-MAR *", {}, "0 9 * 1-3 *"},
        accepted_case{"0 9 * Feb *", {}, "0 9 * 2 *"},
        accepted_case{"0 9 * */3 *", {}, "0 9 * */3 *"},
        accepted_case{"0 9 * 1,4,7,10 *", {}, "0 9 * */3 *"},
        accepted_case{"0 9 * * mon-fri", {}, "0 9 * * MON-FRI"},
        accepted_case{"0 9 * * 1-5", {}, "0 9 * * MON-FRI"},
        accepted_case{"0 9 * * 0", {}, "0 9 * * SUN"},
        accepted_case{"0 9 * * 7", {}, "0 9 * * SUN"},
        accepted_case{"0 9 * * sun", {}, "0 9 * * SUN"},
        accepted_case{"0 9 * * 5-7", {}, "0 9 * * SUN,FRI,SAT"},
        accepted_case{"0 9 * * 6,0", {}, "0 9 * * SUN,SAT"},
        accepted_case{"0 9 * * */2", {}, "0 9 * * SUN,TUE,THU,SAT"},
        accepted_case{"0 9 * * 0-6", {}, "0 9 * * *"},
        accepted_case{"0 9 * * 1-7", {}, "0 9 * * *"},
        accepted_case{"0 9 1-31 * *", {}, "0 9 * * *"},
        accepted_case{"0 9 1,15 * *", {}, "0 9 1,15 * *"},
        accepted_case{"0 9 28 * *", {}, "0 9 28 * *"},
        accepted_case{"0 9 31 1,3,5,7,8,10,12 *", {}, "0 9 31 1,3,5,7,8,10,12 *"},
        accepted_case{"0 9 30 4 *", {}, "0 9 30 4 *"},
        accepted_case{
            "0 9 29 2 *", {no_match, short_month_policy::skip}, "0 9 29 2 * short_month=skip"},
        accepted_case{"0 9 31 * *",
                      {no_match, short_month_policy::last_day},
                      "0 9 31 * * short_month=last_day"},
        accepted_case{
            "0 0 13 * fri", {day_match_policy::all, no_short}, "0 0 13 * FRI day_match=all"},
        accepted_case{
            "0 0 1,15 * mon", {day_match_policy::any, no_short}, "0 0 1,15 * MON day_match=any"},
        accepted_case{"0 0 1-31 * mon", {day_match_policy::all, no_short}, "0 0 * * MON"},
        accepted_case{"0 0 1-31 * mon", {day_match_policy::any, no_short}, "0 0 * * *"},
        accepted_case{"0 0 13 * 0-6", {day_match_policy::all, no_short}, "0 0 13 * *"},
        accepted_case{"0 0 13 * 0-7", {day_match_policy::any, no_short}, "0 0 * * *"},
        // Both fields select every day: with `all` neither adds a condition (found by
        // fuzz_schedule: the dow field stayed "SUN-SAT", which reparsed as "*").
        accepted_case{"0/3 * */1 * *,*", {day_match_policy::all, no_short}, "*/3 * * * *"},
        accepted_case{"0 9 1-31 * 0-6", {day_match_policy::all, no_short}, "0 9 * * *"},
        accepted_case{"  0 9 1 * *  ", {}, "0 9 1 * *"},
        accepted_case{"0\t9\t1\t*\t*", {}, "0 9 1 * *"},
        accepted_case{"0   9 1 * *", {}, "0 9 1 * *"}));

INSTANTIATE_TEST_SUITE_P(macros, accepted,
                         ::testing::Values(accepted_case{"@yearly", {}, "0 0 1 1 *"},
                                           accepted_case{"@annually", {}, "0 0 1 1 *"},
                                           accepted_case{"@monthly", {}, "0 0 1 * *"},
                                           accepted_case{"@weekly", {}, "0 0 * * SUN"},
                                           accepted_case{"@daily", {}, "0 0 * * *"},
                                           accepted_case{"@midnight", {}, "0 0 * * *"},
                                           accepted_case{"@hourly", {}, "0 * * * *"},
                                           accepted_case{"@DAILY", {}, "0 0 * * *"}));

INSTANTIATE_TEST_SUITE_P(
    friendly, accepted,
    ::testing::Values(
        accepted_case{"monthly on day 1 at 09:00", {}, "0 9 1 * *"},
        accepted_case{"monthly on day 1,15 at 09:00", {}, "0 9 1,15 * *"},
        accepted_case{"monthly on day 31 at 09:00",
                      {no_match, short_month_policy::last_day},
                      "0 9 31 * * short_month=last_day"},
        accepted_case{"monthly on last day at 09:00", {}, "0 9 L * *"},
        accepted_case{"monthly on first monday at 09:00", {}, "0 9 * * MON#1"},
        accepted_case{"monthly on second tue at 10:15", {}, "15 10 * * TUE#2"},
        accepted_case{"monthly on third wednesday at 00:00", {}, "0 0 * * WED#3"},
        accepted_case{"monthly on fourth thu at 23:59", {}, "59 23 * * THU#4"},
        accepted_case{"monthly on last friday at 17:00", {}, "0 17 * * FRI#L"},
        accepted_case{"weekly on mon,thu at 17:30", {}, "30 17 * * MON,THU"},
        accepted_case{"weekly on sunday at 08:00", {}, "0 8 * * SUN"},
        accepted_case{"weekly on mon,tue,wed,thu,fri at 07:45", {}, "45 7 * * MON-FRI"},
        accepted_case{"weekly on sun,mon,tue,wed,thu,fri,sat at 07:45", {}, "45 7 * * *"},
        accepted_case{"daily at 06:00", {}, "0 6 * * *"},
        accepted_case{"Daily AT 06:00", {}, "0 6 * * *"},
        accepted_case{"every 15m", {}, "*/15 * * * *"}, accepted_case{"every 1m", {}, "* * * * *"},
        accepted_case{"every 30m", {}, "*/30 * * * *"}, accepted_case{"every 60m", {}, "0 * * * *"},
        accepted_case{"every 6h", {}, "0 */6 * * *"}, accepted_case{"every 1h", {}, "0 * * * *"},
        accepted_case{"every 8h", {}, "0 */8 * * *"}, accepted_case{"every 24h", {}, "0 0 * * *"},
        accepted_case{"EVERY 2H", {}, "0 */2 * * *"}));

TEST(parse_equivalence, friendly_and_cron_forms_compile_to_the_same_calendar)
{
    EXPECT_EQ(cal("monthly on day 1 at 09:00"), cal("0 9 1 * *"));
    EXPECT_EQ(cal("weekly on mon,thu at 17:30"), cal("30 17 * * 1,4"));
    EXPECT_EQ(cal("daily at 06:00"), cal("0 6 * * *"));
    EXPECT_EQ(cal("every 6h"), cal("0 0,6,12,18 * * *"));
    EXPECT_EQ(cal("every 15m"), cal("*/15 * * * *"));
    EXPECT_EQ(cal("@daily"), cal("daily at 00:00"));
    EXPECT_EQ(cal("@weekly"), cal("weekly on sun at 00:00"));
}

TEST(parse_equivalence, different_calendars_differ)
{
    EXPECT_NE(cal("0 9 1 * *"), cal("0 9 2 * *"));
    EXPECT_NE(cal("monthly on last day at 09:00"), cal("monthly on first monday at 09:00"));
}

struct rejected_case {
    std::string text;
    schedule_options options;
    schedule_errc code;
    std::size_t offset;
    std::string message_part;
};

void PrintTo(const rejected_case& c, std::ostream* os)
{
    *os << "'" << c.text << "'";
}

class rejected : public ::testing::TestWithParam<rejected_case> {};

TEST_P(rejected, with_code_offset_and_message)
{
    const auto& c = GetParam();
    auto r = parse_schedule(c.text, c.options);
    ASSERT_FALSE(r) << "accepted as " << r->normalised();
    EXPECT_EQ(r.error().code, make_error_code(c.code)) << r.error().message;
    EXPECT_EQ(r.error().offset, c.offset) << r.error().message;
    EXPECT_NE(r.error().message.find(c.message_part), std::string::npos) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    cron, rejected,
    ::testing::Values(
        rejected_case{"", {}, schedule_errc::empty, 0, "empty schedule"},
        rejected_case{"   ", {}, schedule_errc::empty, 0, "empty schedule"},
        rejected_case{"0 9 * *", {}, schedule_errc::field_count, 7, "has 4 fields"},
        rejected_case{"0", {}, schedule_errc::field_count, 1, "has 1 field;"},
        rejected_case{"0 0 9 * * *", {}, schedule_errc::seconds_or_year_field, 10, "seconds"},
        rejected_case{
            "0 9 * * * 2026", {}, schedule_errc::seconds_or_year_field, 10, "year fields"},
        rejected_case{"0 0 9 * * * 2026", {}, schedule_errc::seconds_or_year_field, 10, "7 fields"},
        rejected_case{"0 0 9 * * * 2026 x", {}, schedule_errc::field_count, 10, "has 8 fields"},
        rejected_case{
            "60 * * * *", {}, schedule_errc::out_of_range, 0, "minute 60 is out of range 0-59"},
        rejected_case{
            "0 24 * * *", {}, schedule_errc::out_of_range, 2, "hour 24 is out of range 0-23"},
        rejected_case{
            "0 0 0 * *", {}, schedule_errc::out_of_range, 4, "day of month 0 is out of range 1-31"},
        rejected_case{"0 0 32 * *", {}, schedule_errc::out_of_range, 4, "day of month 32"},
        rejected_case{"0 0 * 13 *", {}, schedule_errc::out_of_range, 6, "month 13 is out of range"},
        rejected_case{"0 0 * 0 *", {}, schedule_errc::out_of_range, 6, "month 0"},
        rejected_case{"0 0 * * 8", {}, schedule_errc::out_of_range, 8, "day of week 8"},
        rejected_case{"0 0 * * 1-9", {}, schedule_errc::out_of_range, 10, "day of week 9"},
        rejected_case{"0 99999999999 * * *", {}, schedule_errc::out_of_range, 2, "out of range"},
        rejected_case{
            "1,,2 * * * *", {}, schedule_errc::empty_element, 2, "empty element in the minute"},
        rejected_case{",1 * * * *", {}, schedule_errc::empty_element, 0, "empty element"},
        rejected_case{"1, * * * *", {}, schedule_errc::empty_element, 2, "empty element"},
        rejected_case{"0 0 * * mon,", {}, schedule_errc::empty_element, 12, "day of week"},
        rejected_case{"*/0 * * * *", {}, schedule_errc::zero_step, 2, "step 0"},
        rejected_case{"0 0-23/0 * * *", {}, schedule_errc::zero_step, 7, "step 0 in the hour"},
        rejected_case{"*/60 * * * *", {}, schedule_errc::out_of_range, 2, "step 60"},
        rejected_case{"*/ * * * *", {}, schedule_errc::syntax, 2, "missing step"},
        rejected_case{"5-1 * * * *", {}, schedule_errc::reversed_range, 0, "reversed range 5-1"},
        rejected_case{"0 0 * dec-jan *", {}, schedule_errc::reversed_range, 6, "reversed range"},
        rejected_case{"0 0 * * fri-mon", {}, schedule_errc::reversed_range, 8, "reversed"},
        rejected_case{"0 0 * * mon-sun", {}, schedule_errc::reversed_range, 8, "reversed"},
        rejected_case{"0 0 * foo *", {}, schedule_errc::syntax, 6, "unknown month name 'foo'"},
        rejected_case{"0 0 * * monday", {}, schedule_errc::syntax, 8, "unknown weekday name"},
        rejected_case{"0 x * * *", {}, schedule_errc::syntax, 2, "unexpected 'x' in the hour"},
        rejected_case{"0 1x * * *", {}, schedule_errc::syntax, 3, "unexpected 'x' in the hour"},
        rejected_case{"0 0 ? * *", {}, schedule_errc::syntax, 4, "unexpected '?'"},
        rejected_case{"0 0 L * *", {}, schedule_errc::syntax, 4, "monthly on last day"},
        rejected_case{"0 0 * * MON#1", {}, schedule_errc::syntax, 11, "first monday"},
        rejected_case{"0 0 * * 1#2", {}, schedule_errc::syntax, 9, "not standard cron"},
        rejected_case{"-1 * * * *", {}, schedule_errc::syntax, 0, "minute"},
        rejected_case{"1-2-3 * * * *", {}, schedule_errc::syntax, 3, "unexpected '-'"},
        rejected_case{"*/5/2 * * * *", {}, schedule_errc::syntax, 3, "unexpected '/'"},
        rejected_case{
            "0 9 * * * # comment", {}, schedule_errc::seconds_or_year_field, 10, "7 fields"},
        rejected_case{"0 9 1 * \xc3\xa9", {}, schedule_errc::syntax, 8, "non-ASCII"},
        rejected_case{"0 9 1 * *\n0 9 2 * *", {}, schedule_errc::syntax, 9, "control character"}));

INSTANTIATE_TEST_SUITE_P(
    macros_and_prefixes, rejected,
    ::testing::Values(
        rejected_case{"@reboot", {}, schedule_errc::unsupported_macro, 0, "@reboot"},
        rejected_case{"@every_second", {}, schedule_errc::unsupported_macro, 0, "unknown macro"},
        rejected_case{"@", {}, schedule_errc::unsupported_macro, 0, "unknown macro"},
        rejected_case{"@daily 09:00", {}, schedule_errc::syntax, 7, "unexpected '09:00'"},
        rejected_case{
            "TZ=Europe/Berlin 0 9 * * *", {}, schedule_errc::time_zone_prefix, 0, "timezone:"},
        rejected_case{
            "CRON_TZ=UTC 0 9 * * *", {}, schedule_errc::time_zone_prefix, 0, "time zone prefixes"},
        rejected_case{
            "cron_tz=UTC 0 9 * * *", {}, schedule_errc::time_zone_prefix, 0, "time zone prefixes"},
        rejected_case{
            "  TZ=UTC 0 9 * * *", {}, schedule_errc::time_zone_prefix, 2, "time zone prefixes"}));

INSTANTIATE_TEST_SUITE_P(
    friendly, rejected,
    ::testing::Values(
        rejected_case{
            "montly on day 1 at 09:00", {}, schedule_errc::syntax, 0, "unknown schedule 'montly'"},
        rejected_case{"daily", {}, schedule_errc::syntax, 5, "expected 'at'"},
        rejected_case{"daily at", {}, schedule_errc::syntax, 8, "HH:MM"},
        rejected_case{"daily 06:00", {}, schedule_errc::syntax, 6, "expected 'at', found '06:00'"},
        rejected_case{"daily at 6:00", {}, schedule_errc::syntax, 9, "HH:MM"},
        rejected_case{"daily at 06:00pm", {}, schedule_errc::syntax, 9, "HH:MM"},
        rejected_case{"daily at 24:00", {}, schedule_errc::out_of_range, 9, "hour 24"},
        rejected_case{"daily at 06:60", {}, schedule_errc::out_of_range, 12, "minute 60"},
        rejected_case{
            "daily at 06:00 and 18:00", {}, schedule_errc::syntax, 15, "unexpected 'and'"},
        rejected_case{"weekly at 09:00", {}, schedule_errc::syntax, 7, "expected 'on'"},
        rejected_case{
            "weekly on mon, thu at 17:30", {}, schedule_errc::empty_element, 14, "without spaces"},
        rejected_case{"weekly on mon,funday at 17:30",
                      {},
                      schedule_errc::syntax,
                      14,
                      "unknown weekday 'funday'"},
        rejected_case{"weekly on mon,mon at 17:30", {}, schedule_errc::syntax, 14, "listed twice"},
        rejected_case{"weekly on mon", {}, schedule_errc::syntax, 13, "expected 'at'"},
        rejected_case{
            "monthly on day 0 at 09:00", {}, schedule_errc::out_of_range, 15, "day of month 0"},
        rejected_case{
            "monthly on day 32 at 09:00", {}, schedule_errc::out_of_range, 15, "day of month 32"},
        rejected_case{
            "monthly on day x at 09:00", {}, schedule_errc::syntax, 15, "expected a number"},
        rejected_case{"monthly on day 1,1 at 09:00", {}, schedule_errc::syntax, 17, "listed twice"},
        rejected_case{
            "monthly on day 1, at 09:00", {}, schedule_errc::empty_element, 17, "day list"},
        rejected_case{
            "monthly on fifth monday at 09:00", {}, schedule_errc::syntax, 11, "first|second"},
        rejected_case{
            "monthly on first day at 09:00", {}, schedule_errc::syntax, 17, "expected a weekday"},
        rejected_case{"monthly on last at 09:00",
                      {},
                      schedule_errc::syntax,
                      16,
                      "expected a weekday or 'day'"},
        rejected_case{"monthly on first", {}, schedule_errc::syntax, 16, "after the ordinal"},
        rejected_case{"monthly on day 31 at 09:00",
                      {},
                      schedule_errc::short_month_required,
                      15,
                      "short_month: last_day"},
        rejected_case{"every", {}, schedule_errc::syntax, 5, "interval"},
        rejected_case{"every 7m", {}, schedule_errc::bad_interval, 6, "must divide an hour"},
        rejected_case{"every 45m", {}, schedule_errc::bad_interval, 6, "must divide an hour"},
        rejected_case{"every 90m", {}, schedule_errc::bad_interval, 6, "must divide an hour"},
        rejected_case{"every 5h", {}, schedule_errc::bad_interval, 6, "must divide a day"},
        rejected_case{"every 48h", {}, schedule_errc::bad_interval, 6, "must divide a day"},
        rejected_case{"every 0m", {}, schedule_errc::bad_interval, 6, "must divide"},
        rejected_case{"every 15", {}, schedule_errc::syntax, 6, "such as 15m"},
        rejected_case{"every 15s", {}, schedule_errc::syntax, 6, "such as 15m"},
        rejected_case{"every m", {}, schedule_errc::syntax, 6, "such as 15m"},
        rejected_case{"every 1.5h", {}, schedule_errc::syntax, 7, "unexpected '.'"},
        rejected_case{"every 15m please", {}, schedule_errc::syntax, 10, "after the end"}));

INSTANTIATE_TEST_SUITE_P(
    day_rules, rejected,
    ::testing::Values(
        rejected_case{"0 0 13 * fri",
                      {},
                      schedule_errc::day_match_required,
                      4,
                      "schedule '0 0 13 * FRI' restricts both"},
        rejected_case{"0 0 1-31 * mon", {}, schedule_errc::day_match_required, 4, "day_match: any"},
        rejected_case{"0 0 */2 * 1", {}, schedule_errc::day_match_required, 4, "day_match: all"},
        rejected_case{"0 0 1 * *",
                      {day_match_policy::any, no_short},
                      schedule_errc::day_match_not_applicable,
                      0,
                      "remove day_match"},
        rejected_case{"daily at 09:00",
                      {day_match_policy::all, no_short},
                      schedule_errc::day_match_not_applicable,
                      0,
                      "'0 9 * * *' does not"},
        rejected_case{"0 0 31 * *",
                      {},
                      schedule_errc::short_month_required,
                      4,
                      "schedule '0 0 31 * *' names a day of month"},
        rejected_case{
            "0 0 29 * *", {}, schedule_errc::short_month_required, 4, "short_month: skip"},
        rejected_case{"0 0 30 2 *", {}, schedule_errc::short_month_required, 4, "short_month"},
        rejected_case{"0 0 29 2 *", {}, schedule_errc::short_month_required, 4, "short_month"},
        rejected_case{"0 0 31 4 *", {}, schedule_errc::short_month_required, 4, "short_month"},
        rejected_case{"0 0 31 * fri",
                      {day_match_policy::all, no_short},
                      schedule_errc::short_month_required,
                      4,
                      "short_month"},
        rejected_case{"0 0 28 * *",
                      {no_match, short_month_policy::skip},
                      schedule_errc::short_month_not_applicable,
                      0,
                      "remove short_month"},
        rejected_case{"0 0 31 1 *",
                      {no_match, short_month_policy::skip},
                      schedule_errc::short_month_not_applicable,
                      0,
                      "remove short_month"},
        rejected_case{"monthly on last day at 09:00",
                      {no_match, short_month_policy::last_day},
                      schedule_errc::short_month_not_applicable,
                      0,
                      "remove short_month"},
        rejected_case{"0 0 30 2 *",
                      {no_match, short_month_policy::skip},
                      schedule_errc::never_fires,
                      4,
                      "never fires"},
        rejected_case{"0 0 31 4,6,9,11 *",
                      {no_match, short_month_policy::skip},
                      schedule_errc::never_fires,
                      4,
                      "'0 0 31 4,6,9,11 * short_month=skip' never"}));

TEST(parse_options, day_match_any_is_the_union_of_both_fields)
{
    const auto c = cal("0 0 1 * mon", {day_match_policy::any, no_short});
    EXPECT_TRUE(c.fires_on(date::year{2026} / 6 / 1));   // Monday the 1st
    EXPECT_TRUE(c.fires_on(date::year{2026} / 7 / 1));   // Wednesday the 1st
    EXPECT_TRUE(c.fires_on(date::year{2026} / 7 / 6));   // a Monday
    EXPECT_FALSE(c.fires_on(date::year{2026} / 7 / 7));  // neither
}

TEST(parse_options, day_match_all_is_the_intersection_of_both_fields)
{
    const auto c = cal("0 0 13 * fri", {day_match_policy::all, no_short});
    EXPECT_TRUE(c.fires_on(date::year{2026} / 2 / 13));   // Friday the 13th
    EXPECT_TRUE(c.fires_on(date::year{2026} / 3 / 13));   // Friday the 13th
    EXPECT_FALSE(c.fires_on(date::year{2026} / 4 / 13));  // a Monday
    EXPECT_FALSE(c.fires_on(date::year{2026} / 2 / 20));  // another Friday
}

TEST(parse_options, short_month_last_day_moves_to_the_last_day)
{
    const auto c = cal("0 9 31 * *", {no_match, short_month_policy::last_day});
    EXPECT_TRUE(c.fires_on(date::year{2026} / 1 / 31));
    EXPECT_TRUE(c.fires_on(date::year{2026} / 2 / 28));
    EXPECT_TRUE(c.fires_on(date::year{2028} / 2 / 29));
    EXPECT_FALSE(c.fires_on(date::year{2028} / 2 / 28));
    EXPECT_TRUE(c.fires_on(date::year{2026} / 4 / 30));
    EXPECT_FALSE(c.fires_on(date::year{2026} / 4 / 29));
}

TEST(parse_options, short_month_skip_leaves_short_months_out)
{
    const auto c = cal("0 9 31 * *", {no_match, short_month_policy::skip});
    EXPECT_TRUE(c.fires_on(date::year{2026} / 1 / 31));
    for (unsigned d = 1; d <= 28; ++d) EXPECT_FALSE(c.fires_on(date::year{2026} / 2 / d));
    EXPECT_EQ(c.day_mask(date::year{2026} / 4), 0U);
    EXPECT_EQ(c.day_mask(date::year{2026} / 3), 1U << 31);
}

TEST(parse_options, days_of_a_short_month_that_collapse_fire_once)
{
    const auto c = cal("0 9 29,30,31 * *", {no_match, short_month_policy::last_day});
    EXPECT_EQ(c.day_mask(date::year{2026} / 2), 1U << 28);
    EXPECT_EQ(c.day_mask(date::year{2026} / 4), (1U << 29) | (1U << 30));
}

TEST(parse_options, words_parse_exactly)
{
    EXPECT_EQ(day_match_words.parse("any"), day_match_policy::any);
    EXPECT_EQ(day_match_words.parse("all"), day_match_policy::all);
    EXPECT_EQ(day_match_words.parse("ALL"), std::nullopt);
    EXPECT_EQ(day_match_words.parse(""), std::nullopt);
    EXPECT_EQ(short_month_words.parse("last_day"), short_month_policy::last_day);
    EXPECT_EQ(short_month_words.parse("skip"), short_month_policy::skip);
    EXPECT_EQ(short_month_words.parse("last"), std::nullopt);
    EXPECT_EQ(to_string(day_match_policy::all), "all");
    EXPECT_EQ(to_string(short_month_policy::last_day), "last_day");
}

TEST(calendar_fields, times_of_day_are_the_sorted_product_of_hours_and_minutes)
{
    const auto c = cal("0,30 9,17 * * *");
    const std::vector<std::uint16_t> expected = {540, 570, 1020, 1050};
    EXPECT_EQ(std::vector<std::uint16_t>(c.times_of_day().begin(), c.times_of_day().end()),
              expected);
    EXPECT_EQ(cal("* * * * *").times_of_day().size(), 1440U);
}

TEST(calendar_fields, nth_weekday_masks_follow_the_month)
{
    // June 2026 starts on a Monday; March 2026 on a Sunday.
    EXPECT_EQ(cal("monthly on first monday at 09:00").day_mask(date::year{2026} / 6), 1U << 1);
    EXPECT_EQ(cal("monthly on first monday at 09:00").day_mask(date::year{2026} / 3), 1U << 2);
    EXPECT_EQ(cal("monthly on fourth monday at 09:00").day_mask(date::year{2026} / 6), 1U << 22);
    EXPECT_EQ(cal("monthly on last monday at 09:00").day_mask(date::year{2026} / 6), 1U << 29);
    EXPECT_EQ(cal("monthly on last monday at 09:00").day_mask(date::year{2026} / 3), 1U << 30);
    EXPECT_EQ(cal("monthly on last day at 09:00").day_mask(date::year{2028} / 2), 1U << 29);
    EXPECT_EQ(cal("monthly on last day at 09:00").day_mask(date::year{2026} / 2), 1U << 28);
}

TEST(calendar_fields, the_twenty_ninth_of_february_only_in_leap_years)
{
    const auto c = cal("0 12 29 2 *", {no_match, short_month_policy::skip});
    EXPECT_TRUE(c.fires_on(date::year{2028} / 2 / 29));
    EXPECT_TRUE(c.fires_on(date::year{2000} / 2 / 29));
    EXPECT_EQ(c.day_mask(date::year{2026} / 2), 0U);
    EXPECT_EQ(c.day_mask(date::year{2100} / 2), 0U);
}

}  // namespace
}  // namespace paymand::schedule
