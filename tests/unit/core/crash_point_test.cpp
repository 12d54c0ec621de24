// PAYMAND_CRASH_AT and PAYMAND_PAUSE_AT share one parser: "name" or "name:n".

#include "paymand/core/crash_point.hpp"

#include <gtest/gtest.h>

namespace paymand::core {
namespace {

TEST(parse_armed_point, a_bare_name_is_its_first_hit)
{
    auto point = parse_armed_point("after_intent_durable");
    ASSERT_TRUE(point);
    EXPECT_EQ(point->name, "after_intent_durable");
    EXPECT_EQ(point->hit, 1u);
}

TEST(parse_armed_point, a_count_after_the_colon_names_the_nth_hit)
{
    auto point = parse_armed_point("request_written:12");
    ASSERT_TRUE(point);
    EXPECT_EQ(point->name, "request_written");
    EXPECT_EQ(point->hit, 12u);
}

TEST(parse_armed_point, refuses_what_would_never_fire_or_fire_at_the_wrong_hit)
{
    for (std::string_view bad :
         {"", ":2", "request_written:", "request_written:0", "request_written:x",
          "request_written:2x", "request_written:-1", "request_written: 2"})
        EXPECT_FALSE(parse_armed_point(bad)) << bad;
}

}  // namespace
}  // namespace paymand::core
