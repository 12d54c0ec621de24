// Confirmation from the ledger: what a transaction listing settles about completed payments.

#include "engine_test_util.hpp"
#include "paymand/engine/confirm.hpp"
#include "paymand/money/parse.hpp"
#include "paymand/reply/transactions.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paymand::engine {
namespace {

using namespace std::chrono;
using ::testing::HasSubstr;

using test::tag;
using test::tsd;

sought_payment sought(int minute, std::string_view amount = "100.00")
{
    return {tag(minute), tsd(amount), "John Doe"};
}

awaiting_payment awaiting(int minute, std::uint64_t seq = 1)
{
    return {.ref = {"rent", fmt::format("rent@2026-12-01T09:{:02}", minute), {}},
            .sought = sought(minute),
            .listings = 0,
            .completed_seq = seq};
}

// A listing as the sandbox and Payman's documentation write it.
std::string listing(std::initializer_list<std::string_view> lines)
{
    std::string text = "Here are your recent transactions:\n\n";
    int n = 0;
    for (auto l : lines) text += fmt::format("{}. {}\n", ++n, l);
    return text;
}

listing_verdict verdict_of(std::string_view reply, int minute = 0)
{
    return confirm_listed(reply::read_transactions(reply), {sought(minute)}).front().verdict;
}

TEST(confirm_listed, exactly_one_transaction_with_the_tag_amount_and_payee_confirms)
{
    auto text = listing({"2026-12-01 - Sent 100.00 TSD to John Doe - Rent pm:rent:20261201T0900",
                         "2026-12-01 - Sent 5.00 TSD to Eve Smith - Gym"});
    EXPECT_EQ(verdict_of(text), listing_verdict::confirmed);
}

TEST(confirm_listed, a_second_transaction_with_the_tag_is_a_contradiction)
{
    auto text = listing({"2026-12-01 - Sent 100.00 TSD to John Doe - Rent pm:rent:20261201T0900",
                         "2026-12-01 - Sent 100.00 TSD to John Doe - Rent pm:rent:20261201T0900"});
    auto m = confirm_listed(reply::read_transactions(text), {sought(0)}).front();
    EXPECT_EQ(m.verdict, listing_verdict::contradicted);
    EXPECT_EQ(m.entries.size(), 2u);
    EXPECT_THAT(m.explanation, HasSubstr("more than once"));
}

TEST(confirm_listed, the_tag_with_another_amount_or_payee_is_a_contradiction)
{
    EXPECT_EQ(verdict_of(listing({"2026-12-01 - Sent 1,000.00 TSD to John Doe - "
                                  "pm:rent:20261201T0900"})),
              listing_verdict::contradicted);
    EXPECT_EQ(verdict_of(listing({"2026-12-01 - Sent 100.00 TSD to Eve Smith - "
                                  "pm:rent:20261201T0900"})),
              listing_verdict::contradicted);
}

TEST(confirm_listed, the_tag_elsewhere_than_at_the_memos_end_is_a_contradiction)
{
    reply::transaction_entry e;
    e.tag = tag(0);
    e.amount = tsd("100.00");
    e.counterparty = "John Doe";
    e.memo = "pm:rent:20261201T0900 and 900 to Eve";
    EXPECT_EQ(confirm_listed({e}, {sought(0)}).front().verdict, listing_verdict::contradicted);
    e.memo = "Rent pm:rent:20261201T0900";
    EXPECT_EQ(confirm_listed({e}, {sought(0)}).front().verdict, listing_verdict::confirmed);
    e.dir = reply::direction::received;
    EXPECT_EQ(confirm_listed({e}, {sought(0)}).front().verdict, listing_verdict::contradicted);
}

TEST(confirm_listed, absence_or_an_unreadable_entry_proves_nothing)
{
    EXPECT_EQ(verdict_of(listing({"2026-12-01 - Sent 100.00 TSD to John Doe - Rent"})),
              listing_verdict::not_listed);
    reply::transaction_entry no_payee;
    no_payee.tag = tag(0);
    no_payee.amount = tsd("100.00");
    EXPECT_EQ(confirm_listed({no_payee}, {sought(0)}).front().verdict, listing_verdict::not_listed);
    reply::transaction_entry no_amount;
    no_amount.tag = tag(0);
    no_amount.figure = "a hundred";
    no_amount.counterparty = "John Doe";
    EXPECT_EQ(confirm_listed({no_amount}, {sought(0)}).front().verdict,
              listing_verdict::not_listed);
}

TEST(confirm_listed, a_manual_runs_transaction_never_confirms_the_scheduled_occurrence)
{
    auto text = listing({"2026-12-01 - Sent 100.00 TSD to John Doe - Rent pm:rent:20261201T0900m"});
    EXPECT_EQ(verdict_of(text), listing_verdict::not_listed);
}

TEST(settle_listing, one_listing_settles_a_burst)
{
    auto text = listing({"2026-12-01 - Sent 100.00 TSD to John Doe - pm:rent:20261201T0902",
                         "2026-12-01 - Sent 100.00 TSD to John Doe - pm:rent:20261201T0901",
                         "2026-12-01 - Sent 100.00 TSD to John Doe - pm:rent:20261201T0900"});
    auto round = settle_listing({awaiting(0), awaiting(1), awaiting(2), awaiting(3)},
                                reply::read_transactions(text), text, 3);
    ASSERT_EQ(round.records.size(), 3u);
    for (const auto& r : round.records) {
        const auto* c = std::get_if<audit::confirmed_record>(&r);
        ASSERT_NE(c, nullptr);
        EXPECT_EQ(c->attempts, 1u);
        EXPECT_THAT(c->evidence, HasSubstr("100.00 TSD to John Doe"));
        EXPECT_THAT(c->evidence, HasSubstr("20261201T09" + c->ref.occurrence.substr(19, 2)));
    }
    ASSERT_EQ(round.again.size(), 1u);
    EXPECT_EQ(round.again[0].ref.occurrence, "rent@2026-12-01T09:03");
    EXPECT_EQ(round.again[0].listings, 1u);
}

TEST(settle_listing, not_listed_in_the_last_attempt_is_unconfirmed)
{
    auto text = listing({"2026-12-01 - Sent 5.00 TSD to Eve Smith - Gym"});
    auto p = awaiting(0);
    p.listings = 2;
    auto round = settle_listing({p}, reply::read_transactions(text), text, 3);
    EXPECT_TRUE(round.again.empty());
    ASSERT_EQ(round.records.size(), 1u);
    const auto* u = std::get_if<audit::unconfirmed_record>(&round.records[0]);
    ASSERT_NE(u, nullptr);
    EXPECT_EQ(u->attempts, 3u);
    EXPECT_THAT(u->reason, HasSubstr("absence proves nothing"));
}

TEST(settle_listing, a_contradiction_is_a_mismatch_with_the_listed_lines)
{
    auto text = listing({"2026-12-01 - Sent 9,000.00 TSD to Eve Smith - pm:rent:20261201T0900"});
    auto round = settle_listing({awaiting(0)}, reply::read_transactions(text), text, 3);
    ASSERT_EQ(round.records.size(), 1u);
    const auto* m = std::get_if<audit::mismatch_record>(&round.records[0]);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->claimed_amount, "9000.00 TSD");
    EXPECT_EQ(m->claimed_payee, "Eve Smith");
    EXPECT_THAT(m->excerpt, HasSubstr("9,000.00 TSD to Eve Smith"));
    EXPECT_THAT(m->reason, HasSubstr("contradicts"));
}

TEST(settle_without_listing, a_failed_listing_counts_as_one_that_showed_nothing)
{
    auto round = settle_without_listing({awaiting(0)}, "HTTP 503", 1);
    ASSERT_EQ(round.records.size(), 1u);
    const auto* u = std::get_if<audit::unconfirmed_record>(&round.records[0]);
    ASSERT_NE(u, nullptr);
    EXPECT_THAT(u->reason, HasSubstr("HTTP 503"));
    EXPECT_TRUE(settle_without_listing({awaiting(0)}, "HTTP 503", 2).records.empty());
}

TEST(plan_listing, the_listing_reaches_the_oldest_payment_of_the_batch)
{
    std::vector<awaiting_payment> queue;
    for (std::uint64_t i = 1; i <= 50; ++i) queue.push_back(awaiting(0, i));
    // 50 completed, 4 in flight: the oldest of a 40-batch lies 49 + 4 + 1 deep; 8 more may
    // complete while the listing is read.
    auto plan = plan_listing(queue, 40, 50, 4, 8, 20);
    EXPECT_EQ(plan.batch.size(), 40u);
    EXPECT_EQ(queue.size(), 10u);
    EXPECT_EQ(plan.count, 54 + 8 + listing_slack);
    EXPECT_TRUE(plan.out_of_reach.empty());
    // A single payment asks for the configured minimum.
    std::vector<awaiting_payment> one = {awaiting(0, 7)};
    EXPECT_EQ(plan_listing(one, 40, 7, 0, 4, 20).count, 20);
}

TEST(plan_listing, a_payment_no_listing_can_reach_is_out_of_reach_and_unconfirmed)
{
    std::vector<awaiting_payment> queue = {awaiting(0, 1), awaiting(1, 150)};
    auto plan = plan_listing(queue, 40, 150, 0, 4, 20);
    ASSERT_EQ(plan.out_of_reach.size(), 1u);
    EXPECT_EQ(plan.batch.size(), 1u);
    EXPECT_LE(plan.count, max_listing_count);
    auto records = unreachable(plan.out_of_reach);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<audit::unconfirmed_record>(records[0]));
}

}  // namespace
}  // namespace paymand::engine
