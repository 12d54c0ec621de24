#include "paymand/text/suggest.hpp"

#include <gtest/gtest.h>

namespace paymand::text {
namespace {

TEST(suggest, counts_swaps_and_ignores_ascii_case)
{
    EXPECT_EQ(edit_distance("rent", "rent"), 0u);
    EXPECT_EQ(edit_distance("rnet", "rent"), 1u);  // one swap
    EXPECT_EQ(edit_distance("chek", "check"), 1u);
    EXPECT_EQ(edit_distance("europe/berlin", "Europe/Berlin"), 0u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
}

TEST(suggest, nearest_first_and_only_near_ones)
{
    const std::vector<std::string> ids{"rent-john", "rent-maria", "cleaning", "balance-daily"};
    EXPECT_EQ(nearest("rent-jhon", ids), (std::vector<std::string>{"rent-john"}));
    EXPECT_EQ(nearest("rent", ids), (std::vector<std::string>{"rent-john", "rent-maria"}));
    EXPECT_TRUE(nearest("payroll", ids).empty());
    EXPECT_EQ(nearest("europe/berlin", {"Europe/Dublin", "Europe/Berlin", "Europe/Jersey"}),
              (std::vector<std::string>{"Europe/Berlin"}));
    // Short words: one edit at most ("zz" is not "a").
    EXPECT_TRUE(nearest("zz", {"a", "b"}).empty());
    EXPECT_EQ(nearest("ab", {"abc", "xy"}), (std::vector<std::string>{"abc"}));
}

TEST(suggest, did_you_mean_lists_them)
{
    EXPECT_EQ(did_you_mean({}), "");
    EXPECT_EQ(did_you_mean({"a"}), "did you mean 'a'?");
    EXPECT_EQ(did_you_mean({"a", "b", "c"}, "\""), "did you mean \"a\", \"b\" or \"c\"?");
}

}  // namespace
}  // namespace paymand::text
