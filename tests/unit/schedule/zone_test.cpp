#include "paymand/schedule/zone.hpp"
#include "schedule_test_util.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace paymand::schedule {
namespace {

using test::local;
using test::show;
using test::tz;
using test::utc;

TEST(find_zone, finds_iana_names)
{
    for (const char* name : {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                             "Asia/Tokyo", "UTC", "Etc/GMT+5"}) {
        auto z = find_zone(name);
        ASSERT_TRUE(z) << name << ": " << z.error().message;
        EXPECT_EQ(z->name(), name);
    }
}

TEST(find_zone, refuses_unknown_names_with_a_clear_message)
{
    auto z = find_zone("Europe/Atlantis");
    ASSERT_FALSE(z);
    EXPECT_EQ(z.error().code, make_error_code(schedule_errc::unknown_time_zone));
    EXPECT_NE(z.error().message.find("unknown time zone 'Europe/Atlantis'"), std::string::npos);
    EXPECT_NE(z.error().message.find("IANA"), std::string::npos);
}

TEST(find_zone, names_are_case_sensitive)
{
    EXPECT_FALSE(find_zone("europe/berlin"));
}

TEST(find_zone, refuses_the_hosts_zone)
{
    auto z = find_zone("localtime");
    ASSERT_FALSE(z);
    EXPECT_EQ(z.error().code, make_error_code(schedule_errc::host_time_zone));
}

TEST(find_zone, refuses_empty_and_path_like_names_before_looking_them_up)
{
    for (const char* name : {"", "/etc/localtime", "../../etc/passwd", "Europe//Berlin",
                             "Europe/Berlin/", "Europe/Berlin ", "UTC\n"}) {
        auto z = find_zone(name);
        ASSERT_FALSE(z) << name;
        EXPECT_EQ(z.error().code, make_error_code(schedule_errc::unknown_time_zone)) << name;
    }
    EXPECT_EQ(find_zone("Europe/Berlin ").error().offset, 13U);
}

// A copy of Europe/Berlin's TZif file, changed by `edit`, in a directory of its own; the zone
// found there with find_zone_in.
core::result<zone> berlin_edited(std::string_view case_name, void (*edit)(std::string&))
{
    std::ifstream in("/usr/share/zoneinfo/Europe/Berlin", std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    edit(bytes);
    const auto dir = std::filesystem::temp_directory_path() /
                     ("paymand-zone-test-" + std::to_string(::getpid())) / std::string(case_name);
    std::filesystem::create_directories(dir / "Europe");
    std::ofstream(dir / "Europe" / "Berlin", std::ios::binary) << bytes;
    auto z = find_zone_in("Europe/Berlin", dir.string());
    std::filesystem::remove_all(dir.parent_path());
    return z;
}

TEST(find_zone, refuses_zone_data_that_cannot_answer_every_instant)
{
    const auto refused = [](std::string_view case_name, void (*edit)(std::string&),
                            std::string_view why) {
        auto z = berlin_edited(case_name, edit);
        ASSERT_FALSE(z) << case_name;
        EXPECT_EQ(z.error().code, make_error_code(schedule_errc::bad_zone_data)) << case_name;
        EXPECT_NE(z.error().message.find(why), std::string::npos) << z.error().message;
    };
    // No footer rule: local time after 2037 would be a guess.
    refused(
        "empty-footer",
        [](std::string& b) { b = b.substr(0, b.rfind('\n', b.size() - 2)) + "\n\n"; },
        "footer has no TZ rule");
    refused(
        "dst-without-dates",
        [](std::string& b) { b = b.substr(0, b.rfind('\n', b.size() - 2)) + "\nCET-1CEST\n"; },
        "without ',start,end' rules");
    refused(
        "version-1", [](std::string& b) { b[4] = '\0'; }, "version 1");
    refused(
        "truncated", [](std::string& b) { b.resize(200); }, "truncated");
    refused(
        "not-tzif", [](std::string& b) { b = "hello"; }, "not a TZif file");
    // The same file unchanged is read, and agrees with the system's copy.
    auto same = berlin_edited("unchanged", [](std::string&) {});
    ASSERT_TRUE(same) << same.error().message;
    EXPECT_EQ(same->resolve(local(2040, 3, 25, 2, 30)), utc(2040, 3, 25, 1, 30));
}

TEST(find_zone, equal_names_give_equal_zones)
{
    EXPECT_EQ(tz("Europe/Berlin"), tz("Europe/Berlin"));
    EXPECT_FALSE(tz("Europe/Berlin") == tz("UTC"));
}

struct resolve_case {
    const char* zone;
    local_minutes local;
    std::chrono::sys_seconds expected;
    const char* why;
};

void PrintTo(const resolve_case& c, std::ostream* os)
{
    *os << c.zone << " " << c.why;
}

class resolve : public ::testing::TestWithParam<resolve_case> {};

TEST_P(resolve, applies_the_dst_rules)
{
    const auto& c = GetParam();
    EXPECT_EQ(show(tz(c.zone).resolve(c.local)), show(c.expected)) << c.why;
}

INSTANTIATE_TEST_SUITE_P(
    zones, resolve,
    ::testing::Values(
        // Europe/Berlin: gap 02:00-03:00 on 2026-03-29, fold 02:00-03:00 on 2026-10-25.
        resolve_case{"Europe/Berlin", local(2026, 3, 29, 1, 59), utc(2026, 3, 29, 0, 59),
                     "before gap"},
        resolve_case{"Europe/Berlin", local(2026, 3, 29, 2, 0), utc(2026, 3, 29, 1, 0),
                     "gap start"},
        resolve_case{"Europe/Berlin", local(2026, 3, 29, 2, 30), utc(2026, 3, 29, 1, 30), "in gap"},
        resolve_case{"Europe/Berlin", local(2026, 3, 29, 3, 0), utc(2026, 3, 29, 1, 0),
                     "after gap"},
        resolve_case{"Europe/Berlin", local(2026, 3, 29, 3, 30), utc(2026, 3, 29, 1, 30),
                     "after gap"},
        resolve_case{"Europe/Berlin", local(2026, 10, 25, 1, 59), utc(2026, 10, 24, 23, 59),
                     "before fold"},
        resolve_case{"Europe/Berlin", local(2026, 10, 25, 2, 0), utc(2026, 10, 25, 0, 0),
                     "fold start"},
        resolve_case{"Europe/Berlin", local(2026, 10, 25, 2, 30), utc(2026, 10, 25, 0, 30),
                     "fold: earlier"},
        resolve_case{"Europe/Berlin", local(2026, 10, 25, 3, 0), utc(2026, 10, 25, 2, 0),
                     "after fold"},
        // America/New_York: gap 02:00-03:00 on 2026-03-08, fold 01:00-02:00 on 2026-11-01.
        resolve_case{"America/New_York", local(2026, 3, 8, 2, 30), utc(2026, 3, 8, 7, 30),
                     "in gap"},
        resolve_case{"America/New_York", local(2026, 3, 8, 3, 30), utc(2026, 3, 8, 7, 30),
                     "after gap"},
        resolve_case{"America/New_York", local(2026, 3, 8, 1, 30), utc(2026, 3, 8, 6, 30),
                     "before gap"},
        resolve_case{"America/New_York", local(2026, 11, 1, 1, 30), utc(2026, 11, 1, 5, 30),
                     "fold: earlier"},
        resolve_case{"America/New_York", local(2026, 11, 1, 2, 0), utc(2026, 11, 1, 7, 0),
                     "after fold"},
        // Australia/Lord_Howe: 30-minute shifts. Gap 02:00-02:30 on 2026-10-04 (+10:30 -> +11),
        // fold 01:30-02:00 on 2026-04-05 (+11 -> +10:30).
        resolve_case{"Australia/Lord_Howe", local(2026, 10, 4, 2, 0), utc(2026, 10, 3, 15, 30),
                     "gap start"},
        resolve_case{"Australia/Lord_Howe", local(2026, 10, 4, 2, 15), utc(2026, 10, 3, 15, 45),
                     "in gap"},
        resolve_case{"Australia/Lord_Howe", local(2026, 10, 4, 2, 30), utc(2026, 10, 3, 15, 30),
                     "after gap"},
        resolve_case{"Australia/Lord_Howe", local(2026, 10, 4, 1, 59), utc(2026, 10, 3, 15, 29),
                     "before gap"},
        resolve_case{"Australia/Lord_Howe", local(2026, 4, 5, 1, 30), utc(2026, 4, 4, 14, 30),
                     "fold start"},
        resolve_case{"Australia/Lord_Howe", local(2026, 4, 5, 1, 45), utc(2026, 4, 4, 14, 45),
                     "fold: earlier"},
        resolve_case{"Australia/Lord_Howe", local(2026, 4, 5, 2, 0), utc(2026, 4, 4, 15, 30),
                     "after fold"},
        // No DST at all.
        resolve_case{"Asia/Tokyo", local(2026, 3, 29, 2, 30), utc(2026, 3, 28, 17, 30), "spring"},
        resolve_case{"Asia/Tokyo", local(2026, 10, 25, 2, 30), utc(2026, 10, 24, 17, 30), "autumn"},
        resolve_case{"UTC", local(2026, 3, 29, 2, 30), utc(2026, 3, 29, 2, 30), "spring"},
        resolve_case{"UTC", local(2026, 10, 25, 2, 30), utc(2026, 10, 25, 2, 30), "autumn"}));

// The TZif files list transitions up to 2037; zone continues them with the footer rule.
// Expected values from Python's zoneinfo, which reads the footer too.
INSTANTIATE_TEST_SUITE_P(
    after_2037, resolve,
    ::testing::Values(
        resolve_case{"Europe/Berlin", local(2038, 7, 1, 12, 0), utc(2038, 7, 1, 10, 0), "summer"},
        resolve_case{"Europe/Berlin", local(2040, 3, 25, 2, 30), utc(2040, 3, 25, 1, 30), "gap"},
        resolve_case{"Europe/Berlin", local(2040, 10, 28, 2, 30), utc(2040, 10, 28, 0, 30), "fold"},
        resolve_case{"Europe/Berlin", local(2099, 3, 29, 2, 30), utc(2099, 3, 29, 1, 30), "gap"},
        resolve_case{"America/New_York", local(2050, 3, 13, 2, 30), utc(2050, 3, 13, 7, 30), "gap"},
        resolve_case{"America/New_York", local(2050, 11, 6, 1, 30), utc(2050, 11, 6, 5, 30),
                     "fold"},
        resolve_case{"Australia/Lord_Howe", local(2045, 10, 1, 2, 15), utc(2045, 9, 30, 15, 45),
                     "gap"},
        resolve_case{"Australia/Lord_Howe", local(2045, 4, 2, 1, 45), utc(2045, 4, 1, 14, 45),
                     "fold"},
        resolve_case{"Asia/Tokyo", local(2050, 6, 1, 9, 0), utc(2050, 6, 1, 0, 0), "no DST"},
        resolve_case{"America/Sao_Paulo", local(2040, 1, 1, 12, 0), utc(2040, 1, 1, 15, 0),
                     "DST abolished in 2019"}));

TEST(zone_after_2037, sys_info_continues_the_rule)
{
    const auto berlin = tz("Europe/Berlin");
    const auto summer = berlin.sys_info_at(utc(2040, 7, 1));
    EXPECT_EQ(summer.offset, std::chrono::hours{2});
    EXPECT_EQ(show(summer.begin), "2040-03-25 01:00:00 UTC");
    EXPECT_EQ(show(summer.end), "2040-10-28 01:00:00 UTC");
    // Late 2037 ends in March 2038, not at the end of time.
    EXPECT_EQ(show(berlin.sys_info_at(utc(2037, 12, 1)).end), "2038-03-28 01:00:00 UTC");
}

TEST(zone_to_local, reads_both_instants_of_a_fold_as_the_same_wall_time)
{
    const auto berlin = tz("Europe/Berlin");
    EXPECT_EQ(berlin.to_local(utc(2026, 10, 25, 0, 30)), local(2026, 10, 25, 2, 30));
    EXPECT_EQ(berlin.to_local(utc(2026, 10, 25, 1, 30)), local(2026, 10, 25, 2, 30));
}

TEST(zone_to_local, truncates_to_the_minute)
{
    EXPECT_EQ(tz("UTC").to_local(utc(2026, 1, 1, 9, 0, 59)), local(2026, 1, 1, 9, 0));
    EXPECT_EQ(tz("Asia/Tokyo").to_local(utc(2026, 1, 1, 0, 0, 30)), local(2026, 1, 1, 9, 0));
}

}  // namespace
}  // namespace paymand::schedule
