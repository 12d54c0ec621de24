// Reconciliation's matching: which listed transaction shows an in-doubt payment made.

#include "engine_test_util.hpp"
#include "paymand/engine/reconcile.hpp"
#include "paymand/money/parse.hpp"

#include <gtest/gtest.h>

namespace paymand::engine {
namespace {

using namespace std::chrono;

using test::tag;
using test::tsd;

reply::transaction_entry listed(prompt::memo_tag t, std::string_view amount,
                                std::optional<std::string> payee = "John Doe")
{
    reply::transaction_entry e;
    e.tag = std::move(t);
    e.amount = tsd(amount);
    e.counterparty = std::move(payee);
    return e;
}

TEST(reconcile_match, a_transaction_with_the_tag_amount_and_payee_settles_the_payment)
{
    auto matches = match_listed({listed(tag(1), "10.00"), listed(tag(0), "10.00")},
                                {{tag(0), tsd("10.00"), "John Doe"}});
    ASSERT_EQ(matches.size(), 1u);
    EXPECT_EQ(matches[0], 1u);
}

TEST(reconcile_match, another_amount_or_payee_settles_nothing)
{
    auto matches = match_listed({listed(tag(0), "10.01"), listed(tag(0), "10.00", "Eve Smith")},
                                {{tag(0), tsd("10.00"), "John Doe"}});
    EXPECT_FALSE(matches[0]);
}

TEST(reconcile_match, a_listing_without_the_payee_is_no_match)
{
    auto matches =
        match_listed({listed(tag(0), "10.00", std::nullopt)}, {{tag(0), tsd("10.00"), "John Doe"}});
    EXPECT_FALSE(matches[0]);
}

TEST(reconcile_match, only_the_tag_at_the_end_of_the_memo_is_paymands_own)
{
    auto forged = listed(tag(0), "10.00");
    forged.memo = "Rent pm:rent:20261201T0900 thanks";
    auto own = listed(tag(0), "10.00");
    own.memo = "Rent December pm:rent:20261201T0900";
    EXPECT_FALSE(match_listed({forged}, {{tag(0), tsd("10.00"), "John Doe"}})[0]);
    EXPECT_EQ(match_listed({forged, own}, {{tag(0), tsd("10.00"), "John Doe"}})[0], 1u);
}

TEST(reconcile_match, a_manual_run_never_settles_the_scheduled_occurrence_of_its_minute)
{
    auto matches =
        match_listed({listed(tag(0, true), "10.00")}, {{tag(0), tsd("10.00"), "John Doe"},
                                                       {tag(0, true), tsd("10.00"), "John Doe"}});
    EXPECT_FALSE(matches[0]);
    EXPECT_EQ(matches[1], 0u);
}

TEST(reconcile_match, one_transaction_settles_at_most_one_occurrence)
{
    const std::vector<sought_payment> twice = {{tag(0), tsd("10.00"), "John Doe"},
                                               {tag(0), tsd("10.00"), "John Doe"}};
    auto one = match_listed({listed(tag(0), "10.00")}, twice);
    EXPECT_EQ(one[0], 0u);
    EXPECT_FALSE(one[1]);
    auto two = match_listed({listed(tag(0), "10.00"), listed(tag(0), "10.00")}, twice);
    EXPECT_EQ(two[0], 0u);
    EXPECT_EQ(two[1], 1u);
}

}  // namespace
}  // namespace paymand::engine
