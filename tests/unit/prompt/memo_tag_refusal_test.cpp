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
    EXPECT_TRUE(check_memo("Rent {{month}} {{year}}", "rent"));
    EXPECT_TRUE(check_memo("Rent 12:30 {{date}}", "rent"));
}

// Issue 15: the memo is checked as expanded, for every date it can take; a tag assembled from
// placeholders is refused like a written one, and so is any other 'pm:' starting a word.
TEST(check_memo, refuses_tags_that_only_the_expansion_shows)
{
    for (auto memo : {"Rent pm:gym:{{year}}1201T0900", "Rent pm:{{rule}}:{{year}}0101T0000",
                      "Rent PM:gym:{{year}}1201T0900", "Rent pm: December", "Rent pm:{{month}}",
                      "{{rule}}:{{year}}0101T0000"}) {
        auto refused = check_memo(memo, "pm");
        ASSERT_FALSE(refused) << memo;
        EXPECT_THAT(refused.error().message, testing::AnyOf(testing::HasSubstr("tag-shaped"),
                                                            testing::HasSubstr("speaker label")))
            << memo << ": " << refused.error().message;
    }
}

// And at render time: expand_memo refuses a tag in the expansion whatever the loader saw.
TEST(check_memo, expansion_refuses_a_tag_at_render)
{
    auto t = prompt_template::parse(template_kind::memo, "Rent {{rule}}");
    ASSERT_TRUE(t);
    auto r = expand_memo(*t, {std::chrono::year{2026} / 12 / 1, "pm:gym:20261201T0900"});
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, testing::HasSubstr("tag-shaped"));
}

}  // namespace
}  // namespace paymand::prompt
