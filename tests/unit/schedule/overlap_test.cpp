#include "paymand/schedule/overlap.hpp"
#include "paymand/schedule/schedule_errc.hpp"

#include <gtest/gtest.h>

namespace paymand::schedule {
namespace {

TEST(overlap_words, parse_and_print)
{
    EXPECT_EQ(overlap_words.parse("queue"), overlap_policy::queue);
    EXPECT_EQ(overlap_words.parse("skip"), overlap_policy::skip);
    EXPECT_EQ(overlap_words.parse("cancel"), std::nullopt);
    EXPECT_EQ(overlap_words.parse("Queue"), std::nullopt);
    EXPECT_EQ(to_string(overlap_policy::skip), "skip");
    EXPECT_EQ(default_overlap, overlap_policy::queue);
}

TEST(schedule_errors, have_their_own_category_and_messages)
{
    const boost::system::error_code ec = schedule_errc::zero_step;
    EXPECT_EQ(ec.category(), schedule_category());
    EXPECT_STREQ(ec.category().name(), "paymand.schedule");
    EXPECT_EQ(ec.message(), "schedule step of 0");
    EXPECT_NE(make_error_code(schedule_errc::empty), make_error_code(schedule_errc::syntax));
}

}  // namespace
}  // namespace paymand::schedule
