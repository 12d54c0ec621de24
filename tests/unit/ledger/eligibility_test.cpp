#include "paymand/ledger/ledger_errc.hpp"
#include "paymand/ledger/node_table.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paymand::ledger {
namespace eligibility_tests {

using namespace std::chrono_literals;
using std::chrono::system_clock;
using testing::HasSubstr;

// A reading sent at t = 1000 s, answered 40 ms later, the database saying `database_ms`.
clock_reading reading(std::int64_t database_ms)
{
    const auto sent = system_clock::time_point(1000s);
    return {
        .sent = sent, .answered = sent + 40ms, .database = std::chrono::milliseconds(database_ms)};
}

eligibility_facts eligible()
{
    return {.clock = reading(1'000'020), .max_clock_skew = 1000ms};
}

TEST(clock_skew, is_the_database_minus_the_midpoint_of_the_round_trip)
{
    EXPECT_EQ(clock_skew(reading(1'000'020)), 0ms);
    EXPECT_EQ(clock_skew(reading(1'002'020)), 2000ms);  // the node is behind
    EXPECT_EQ(clock_skew(reading(997'020)), -3000ms);   // the node is ahead
}

TEST(clock_skew, the_round_trip_is_not_counted_against_the_node)
{
    EXPECT_TRUE(skew_within(reading(999'000), 1000ms));  // sent - bound
    EXPECT_FALSE(skew_within(reading(998'999), 1000ms));
    EXPECT_TRUE(skew_within(reading(1'001'040), 1000ms));  // answered + bound
    EXPECT_FALSE(skew_within(reading(1'001'041), 1000ms));
}

TEST(judge_eligibility, a_current_intact_synchronised_uniform_node_may_campaign)
{
    EXPECT_EQ(judge_eligibility(eligible()), std::nullopt);
}

TEST(judge_eligibility, each_reason_is_named)
{
    auto schema = eligible();
    schema.schema = ledger_errc::schema_outdated;
    EXPECT_THAT(judge_eligibility(schema).value_or(""), HasSubstr("schema"));
    auto restored = eligible();
    restored.history = continuity::chain_shorter;
    EXPECT_THAT(judge_eligibility(restored).value_or(""), HasSubstr("restored backup"));
    auto skewed = eligible();
    skewed.clock = reading(1'005'020);
    EXPECT_THAT(judge_eligibility(skewed).value_or(""),
                HasSubstr("this node's clock is 5000 ms behind the database's, more than the "
                          "1000 ms allowed"));
    auto unread = eligible();
    unread.clock.reset();
    EXPECT_TRUE(judge_eligibility(unread));
    auto other = eligible();
    other.differing = {"node-b", "node-c"};
    EXPECT_THAT(judge_eligibility(other).value_or(""),
                HasSubstr("live node(s) node-b, node-c run another rule set or policy"));
}

}  // namespace eligibility_tests
}  // namespace paymand::ledger
