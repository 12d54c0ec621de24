#include "paymand/schedule/identity.hpp"
#include "schedule_test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace paymand::schedule {
namespace {

using test::local;

TEST(occurrence_identity, text_form)
{
    EXPECT_EQ(to_string(occurrence_id{"rent-john", local(2026, 12, 1, 9, 0)}),
              "rent-john@2026-12-01T09:00");
    EXPECT_EQ(to_string(occurrence_id{"a", local(2026, 1, 2, 3, 4)}), "a@2026-01-02T03:04");
}

TEST(occurrence_identity, tag_form)
{
    EXPECT_EQ(occurrence_tag(local(2026, 12, 1, 9, 0)), "20261201T0900");
    EXPECT_EQ(occurrence_tag(local(2028, 2, 29, 23, 59)), "20280229T2359");
}

TEST(occurrence_identity, text_round_trips)
{
    for (const auto& id : {occurrence_id{"rent-john", local(2026, 12, 1, 9, 0)},
                           occurrence_id{"x.y_z-1", local(2028, 2, 29, 23, 59)},
                           occurrence_id{"0", local(1970, 1, 1, 0, 0)},
                           occurrence_id{std::string(64, 'a'), local(9999, 12, 31, 23, 59)}}) {
        auto parsed = parse_occurrence_id(to_string(id));
        ASSERT_TRUE(parsed) << to_string(id) << ": " << parsed.error().message;
        EXPECT_EQ(*parsed, id);
    }
}

TEST(occurrence_identity, tag_round_trips)
{
    for (auto t : {local(2026, 12, 1, 9, 0), local(2028, 2, 29, 0, 0), local(2000, 1, 1, 23, 59)}) {
        auto parsed = parse_occurrence_tag(occurrence_tag(t));
        ASSERT_TRUE(parsed) << parsed.error().message;
        EXPECT_EQ(*parsed, t);
    }
}

TEST(occurrence_identity, orders_by_rule_then_chronologically)
{
    std::vector<occurrence_id> ids = {{"rent", local(2026, 12, 1, 9, 0)},
                                      {"rent", local(2026, 2, 1, 9, 0)},
                                      {"bills", local(2027, 1, 1, 0, 0)},
                                      {"rent", local(2026, 2, 1, 8, 59)},
                                      {"rent", local(2026, 11, 30, 23, 59)}};
    std::sort(ids.begin(), ids.end());
    std::vector<std::string> texts;
    for (const auto& id : ids) texts.push_back(to_string(id));
    EXPECT_EQ(texts, (std::vector<std::string>{"bills@2027-01-01T00:00", "rent@2026-02-01T08:59",
                                               "rent@2026-02-01T09:00", "rent@2026-11-30T23:59",
                                               "rent@2026-12-01T09:00"}));
}

TEST(occurrence_identity, text_order_matches_chronological_order_within_a_rule)
{
    // Fixed-width fields: comparing texts of one rule is comparing times.
    const auto a = to_string(occurrence_id{"r", local(2026, 9, 30, 23, 0)});
    const auto b = to_string(occurrence_id{"r", local(2026, 10, 1, 0, 0)});
    EXPECT_LT(a, b);
}

struct bad_identity_case {
    const char* text;
    std::size_t offset;
};

class bad_identity : public ::testing::TestWithParam<bad_identity_case> {};

TEST_P(bad_identity, is_refused_at_the_first_bad_byte)
{
    auto r = parse_occurrence_id(GetParam().text);
    ASSERT_FALSE(r) << GetParam().text;
    EXPECT_EQ(r.error().code, make_error_code(schedule_errc::bad_identity));
    EXPECT_EQ(r.error().offset, GetParam().offset) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(texts, bad_identity,
                         ::testing::Values(bad_identity_case{"", 0}, bad_identity_case{"rent", 4},
                                           bad_identity_case{"@2026-12-01T09:00", 0},
                                           bad_identity_case{"Rent@2026-12-01T09:00", 0},
                                           bad_identity_case{"rent john@2026-12-01T09:00", 4},
                                           bad_identity_case{"-rent@2026-12-01T09:00", 0},
                                           bad_identity_case{"rent@2026-12-01", 15},
                                           bad_identity_case{"rent@2026-12-01 09:00", 15},
                                           bad_identity_case{"rent@2026-12-01T09:00Z", 21},
                                           bad_identity_case{"rent@2026-12-01T09:00:00", 21},
                                           bad_identity_case{"rent@2026-13-01T09:00", 5},
                                           bad_identity_case{"rent@2026-02-29T09:00", 5},
                                           bad_identity_case{"rent@2026-12-01T24:00", 16},
                                           bad_identity_case{"rent@2026-12-01T09:60", 19},
                                           bad_identity_case{"rent@2026-1-01T09:00", 12},
                                           bad_identity_case{"rent@20x6-12-01T09:00", 7},
                                           bad_identity_case{"rent@2026-12-01T09:00@x", 21}));

TEST(occurrence_identity, rule_ids_follow_the_rule_grammar)
{
    EXPECT_TRUE(is_valid_rule_id("rent-john"));
    EXPECT_TRUE(is_valid_rule_id("0"));
    EXPECT_TRUE(is_valid_rule_id("a.b_c-d9"));
    EXPECT_TRUE(is_valid_rule_id(std::string(64, 'x')));
    EXPECT_FALSE(is_valid_rule_id(std::string(65, 'x')));
    EXPECT_FALSE(is_valid_rule_id(""));
    EXPECT_FALSE(is_valid_rule_id(".rent"));
    EXPECT_FALSE(is_valid_rule_id("Rent"));
    EXPECT_FALSE(is_valid_rule_id("rent@x"));
    EXPECT_FALSE(is_valid_rule_id("rent john"));
}

TEST(occurrence_identity, bad_tags_are_refused)
{
    for (const char* text :
         {"", "20261201", "20261201T09", "20261201T0900Z", "20261301T0900", "20260229T0900",
          "20261201T2400", "2026-12-01T09:00", "20261201t0900"}) {
        auto r = parse_occurrence_tag(text);
        EXPECT_FALSE(r) << text;
        if (!r) {
            EXPECT_EQ(r.error().code, make_error_code(schedule_errc::bad_identity));
        }
    }
}

}  // namespace
}  // namespace paymand::schedule
