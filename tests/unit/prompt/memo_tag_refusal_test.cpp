// A rule's memo may not carry a reconciliation tag: paymand appends the occurrence's own, and
// reconciliation reads the first tag of a listed memo.

#include "paymand/prompt/memo.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paymand::prompt {
namespace {

TEST(check_memo, refuses_a_memo_carrying_a_reconciliation_tag)
{
    auto refused = check_memo("Rent pm:other-rule:20261201T0900", "rent");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().offset, 5u);
    EXPECT_THAT(refused.error().message, testing::HasSubstr("reconciliation tag"));
    // Text that only looks alike is fine.
    EXPECT_TRUE(check_memo("Rent pm: December", "rent"));
    EXPECT_TRUE(check_memo("Rent {{month}} {{year}}", "rent"));
}

}  // namespace
}  // namespace paymand::prompt
