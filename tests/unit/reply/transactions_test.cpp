#include "paymand/reply/transactions.hpp"
#include "sandbox/agent.hpp"
#include "unit/reply/fixture.hpp"

#include <gtest/gtest.h>

#include <set>

namespace paymand::reply {
namespace {

using namespace std::chrono;

TEST(transactions, one_per_line_with_memo_and_tag)
{
    const auto list = read_transactions(test::fixture("transactions_lines.md"));
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].date, year{2026} / December / 1);
    EXPECT_EQ(list[0].figure, "100.00");
    EXPECT_EQ(list[0].currency, "TSD");
    ASSERT_TRUE(list[0].amount);
    EXPECT_EQ(list[0].amount->minor_units(), 10000);
    EXPECT_EQ(list[0].counterparty, "John Doe");
    EXPECT_EQ(list[0].dir, direction::sent);
    ASSERT_TRUE(list[0].memo);
    EXPECT_EQ(*list[0].memo, "Rent December 2026 pm:rent-john:20261201T0900");
    ASSERT_TRUE(list[0].tag);
    EXPECT_EQ(list[0].tag->rule_id, "rent-john");
    EXPECT_EQ(list[0].tag->hour, 9);
    EXPECT_EQ(list[1].dir, direction::received);
    EXPECT_EQ(list[1].counterparty, "Acme Corp");
    EXPECT_EQ(list[1].memo, "Invoice 1043");
    EXPECT_FALSE(list[1].tag);
    EXPECT_EQ(list[2].counterparty, "Zoë Müller");
    EXPECT_EQ(list[2].amount->minor_units(), 1250);
}

TEST(transactions, pipe_table_rows)
{
    const auto list = read_transactions(test::fixture("transactions_table.md"));
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].date, year{2026} / December / 1);
    EXPECT_EQ(list[0].amount->minor_units(), 10000);
    EXPECT_EQ(list[0].counterparty, "John Doe");
    EXPECT_EQ(list[0].dir, direction::sent);
    ASSERT_TRUE(list[0].tag);
    EXPECT_EQ(list[0].tag->date, year{2026} / December / 1);
    EXPECT_EQ(list[1].dir, direction::received);
    EXPECT_EQ(list[1].amount->minor_units(), 100000);
    EXPECT_EQ(list[1].line, 4u);
}

TEST(transactions, numbered_blocks_with_labelled_lines)
{
    const auto list = read_transactions(test::fixture("transactions_blocks.md"));
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].date, year{2026} / December / 1);
    EXPECT_EQ(list[0].counterparty, "John Doe");
    EXPECT_EQ(list[0].memo, "Rent December 2026 pm:rent-john:20261201T0900");
    EXPECT_TRUE(list[0].tag);
    EXPECT_EQ(list[1].date, year{2026} / November / 15);
    EXPECT_EQ(list[1].counterparty, "O'Brien & Sons");
    EXPECT_EQ(list[1].amount->minor_units(), 240000);
    EXPECT_EQ(list[1].memo, "Office lease");
}

// The three shapes payman-sandbox answers in; the first entry always carries the memo tag.
TEST(transactions, sandbox_shapes_yield_tagged_entries)
{
    for (auto file : {"transactions_sandbox_lines.md", "transactions_sandbox_table.md",
                      "transactions_sandbox_bullets.md"}) {
        const auto list = read_transactions(test::fixture(file));
        ASSERT_EQ(list.size(), 2u) << file;
        EXPECT_EQ(list[0].date, year{2026} / December / 1) << file;
        ASSERT_TRUE(list[0].amount) << file;
        EXPECT_EQ(list[0].amount->minor_units(), 10000) << file;
        EXPECT_EQ(list[0].counterparty, "John Doe") << file;
        EXPECT_EQ(list[0].memo, "Rent December 2026 pm:rent-john:20261201T0900") << file;
        ASSERT_TRUE(list[0].tag) << file;
        EXPECT_EQ(list[0].tag->rule_id, "rent-john") << file;
        EXPECT_EQ(list[1].amount->minor_units(), 2550) << file;
        EXPECT_FALSE(list[1].tag) << file;
    }
}

// The payman-sandbox's exact listing, not a copy of it: payments made through the sandbox's
// agent with paymand's quoted prompts, then listed in every phrasing the agent has. Each shows
// date, amount, payee and memo as Payman's does ("2026-12-01 ... 100.00 TSD to John Doe -
// memo"), and the reader gets all of them back.
TEST(transactions, the_sandbox_listing_in_every_phrasing_reads_back_payee_and_memo)
{
    sandbox::client_config client;
    client.id = "pm-test-a";
    client.scopes.assign(std::begin(sandbox::all_scopes), std::end(sandbox::all_scopes));
    sandbox::ledger_state state;
    state.wallets.push_back({"Operations", "TSD", 100000, "operations-tsd"});
    state.payees.push_back({"John Doe", "", "TEST_RAILS"});
    state.payees.push_back({"Acme Landlord LLC", "", "TEST_RAILS"});
    sandbox::agent bot{11};
    const auto ask = [&](std::string_view text) {
        sandbox::agent_request r{text,           &client,
                                 &client.scopes, "tsk-1",
                                 std::nullopt,   sandbox::time_point{seconds(1'796'115'600)}};
        return bot.answer(state, r).text;
    };
    ask("send 25.50 TSD to \"Acme Landlord LLC\" from the \"Operations\" wallet");
    ask("send 100.00 TSD to \"John Doe\" from the \"Operations\" wallet with memo \"Rent "
        "December 2026 pm:rent-john:20261201T0900\"");
    std::set<std::string> shapes;
    for (int i = 0; i < 40 && shapes.size() < 3; ++i) {
        const std::string listing = ask("show my last 2 transactions");
        shapes.insert(listing.substr(0, 12));
        const auto list = read_transactions(listing);
        ASSERT_EQ(list.size(), 2u) << listing;
        ASSERT_TRUE(list[0].amount) << listing;
        EXPECT_EQ(list[0].amount->minor_units(), 10000) << listing;
        EXPECT_EQ(list[0].currency, "TSD") << listing;
        EXPECT_EQ(list[0].counterparty, "John Doe") << listing;
        EXPECT_EQ(list[0].memo, "Rent December 2026 pm:rent-john:20261201T0900") << listing;
        ASSERT_TRUE(list[0].tag) << listing;
        EXPECT_EQ(list[0].tag->rule_id, "rent-john") << listing;
        EXPECT_EQ(list[1].counterparty, "Acme Landlord LLC") << listing;
        ASSERT_TRUE(list[1].amount) << listing;
        EXPECT_EQ(list[1].amount->minor_units(), 2550) << listing;
        EXPECT_FALSE(list[1].memo && !list[1].memo->empty() && *list[1].memo != "-") << listing;
    }
    EXPECT_EQ(shapes.size(), 3u) << "the agent's three phrasings were not all seen";
}

TEST(transactions, reply_without_transactions_is_empty)
{
    EXPECT_TRUE(read_transactions(test::fixture("transactions_none.md")).empty());
}

TEST(transactions, unknown_currency_keeps_figure_without_amount)
{
    const auto list = read_transactions("1. 2026-12-01 - Sent 5.00 EUR to Eve");
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].currency, "EUR");
    EXPECT_FALSE(list[0].amount);
}

}  // namespace
}  // namespace paymand::reply
