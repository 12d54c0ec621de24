#include "sandbox/agent.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace paymand::sandbox {
namespace {

using ::testing::HasSubstr;

class SandboxAgent : public ::testing::Test {
protected:
    SandboxAgent()
    {
        client.id = "pm-test-a";
        client.secret = "s";
        client.scopes.assign(std::begin(all_scopes), std::end(all_scopes));
        state.wallets.push_back({"Operations", "TSD", 100000, "operations-tsd"});
        state.payees.push_back({"John Doe", "john@example.com", "TEST_RAILS"});
    }

    agent_answer ask(std::string_view text, std::optional<std::string> key = std::nullopt,
                     const std::vector<std::string>* scopes = nullptr)
    {
        agent_request r{
            text,    &client,        scopes ? scopes : &client.scopes,
            "tsk-1", std::move(key), time_point{std::chrono::milliseconds(1'795'000'000'000)}};
        return bot.answer(state, r);
    }

    client_config client;
    ledger_state state;
    agent bot{7};
};

TEST_F(SandboxAgent, PaymentMovesMoneyAndRecordsATransaction)
{
    auto a = ask("send 100 TSD to John Doe with memo \"rent\"");
    EXPECT_EQ(a.state, "completed");
    EXPECT_TRUE(a.changed);
    EXPECT_EQ(state.wallets[0].balance, 90000);
    ASSERT_EQ(state.transactions.size(), 1u);
    const auto& t = state.transactions[0];
    EXPECT_EQ(t.seq, 1);
    EXPECT_EQ(t.amount, 10000);
    EXPECT_EQ(t.payee, "John Doe");
    EXPECT_EQ(t.wallet, "Operations");
    EXPECT_EQ(t.memo, "rent");
    EXPECT_EQ(t.task_id, "tsk-1");
    EXPECT_THAT(a.text, HasSubstr("John Doe"));
}

TEST_F(SandboxAgent, InsufficientFundsMovesNothing)
{
    auto a = ask("send 1000.01 TSD to John Doe");
    EXPECT_EQ(a.state, "completed");
    EXPECT_THAT(a.text, HasSubstr("insufficient funds"));
    EXPECT_EQ(state.wallets[0].balance, 100000);
    EXPECT_TRUE(state.transactions.empty());
}

TEST_F(SandboxAgent, AboveTheLimitIsFlaggedForApproval)
{
    client.per_transaction_limit = 50000;
    auto a = ask("send 500.01 TSD to John Doe");
    EXPECT_EQ(a.state, "input-required");
    EXPECT_THAT(a.text, HasSubstr("flagged for approval"));
    EXPECT_TRUE(state.transactions.empty());
    EXPECT_EQ(ask("send 500.00 TSD to John Doe").state, "completed");
    EXPECT_EQ(state.transactions.size(), 1u);
}

TEST_F(SandboxAgent, IdempotencyKeyReplaysTheFirstAnswer)
{
    auto first = ask("send 100 TSD to John Doe", "key-1");
    auto second = ask("send 100 TSD to John Doe", "key-1");
    EXPECT_TRUE(second.replayed);
    EXPECT_EQ(second.text, first.text);
    EXPECT_EQ(second.state, first.state);
    EXPECT_EQ(state.transactions.size(), 1u);
    EXPECT_EQ(state.transactions[0].idempotency_key, "key-1");
    EXPECT_EQ(state.wallets[0].balance, 90000);
    ask("send 100 TSD to John Doe", "key-2");
    EXPECT_EQ(state.transactions.size(), 2u);
}

TEST_F(SandboxAgent, MissingScopeIsRefusedInProse)
{
    std::vector<std::string> read_only{"read_balance"};
    auto a = ask("send 1 TSD to John Doe", std::nullopt, &read_only);
    EXPECT_EQ(a.missing_scope, "write_send_payment");
    EXPECT_THAT(a.text, HasSubstr("write_send_payment"));
    EXPECT_TRUE(state.transactions.empty());
    EXPECT_TRUE(
        ask("list all wallets and their balances", std::nullopt, &read_only).missing_scope.empty());
}

TEST_F(SandboxAgent, UnknownPayeeAsksInsteadOfPaying)
{
    auto a = ask("send 1 TSD to Nobody");
    EXPECT_EQ(a.state, "input-required");
    EXPECT_TRUE(state.transactions.empty());
}

TEST_F(SandboxAgent, CurrencyMismatchIsRefused)
{
    auto a = ask("send 1 USD to John Doe from the Operations wallet");
    EXPECT_THAT(a.text, HasSubstr("No payment was made"));
    EXPECT_TRUE(state.transactions.empty());
}

TEST_F(SandboxAgent, SeveralWalletsNeedAChoice)
{
    state.wallets.push_back({"Payroll", "TSD", 500000, "payroll-tsd"});
    EXPECT_EQ(ask("send 1 TSD to John Doe").state, "input-required");
    EXPECT_EQ(ask("send 1 TSD to John Doe from the Payroll wallet").state, "completed");
    EXPECT_EQ(state.wallets[1].balance, 499900);
}

TEST_F(SandboxAgent, CreatePayeeThenPayIt)
{
    EXPECT_TRUE(ask("create a new payee named Jane Smith with email jane@example.com").changed);
    ASSERT_EQ(state.payees.size(), 2u);
    EXPECT_EQ(state.payees[1].email, "jane@example.com");
    EXPECT_FALSE(ask("create a payee named jane smith").changed);  // duplicate
    EXPECT_EQ(ask("send 100 TSD to Jane Smith").state, "completed");
    EXPECT_EQ(state.transactions.back().payee, "Jane Smith");
}

TEST_F(SandboxAgent, CreateWallet)
{
    EXPECT_TRUE(ask("create a new TSD wallet named Savings").changed);
    ASSERT_EQ(state.wallets.size(), 2u);
    EXPECT_EQ(state.wallets[1].balance, 0);
    EXPECT_EQ(state.wallets[1].paytag, "savings-tsd");
}

TEST_F(SandboxAgent, BalanceRepliesCarryTheFigures)
{
    for (int i = 0; i < 6; ++i) {
        auto a = ask("list all wallets and their balances");
        EXPECT_THAT(a.text, HasSubstr("Operations"));
        EXPECT_THAT(a.text, HasSubstr("1,000.00"));
    }
}

TEST_F(SandboxAgent, TransactionsListTheNewestFirst)
{
    ask("send 1 TSD to John Doe with memo \"first\"");
    ask("send 2 TSD to John Doe with memo \"second\"");
    auto a = ask("show my last 1 transactions");
    EXPECT_THAT(a.text, HasSubstr("second"));
    EXPECT_THAT(a.text, ::testing::Not(HasSubstr("first")));
}

TEST_F(SandboxAgent, PhrasingVariesWithTheSeed)
{
    std::set<std::string> texts;
    for (int i = 0; i < 20; ++i) texts.insert(ask("list all payees").text);
    EXPECT_GE(texts.size(), 3u);
}

TEST_F(SandboxAgent, SameSeedSameReplies)
{
    agent a(42), b(42);
    ledger_state s1 = state, s2 = state;
    for (const char* p : {"list all payees", "what's my wallet balance?", "tell me a joke"}) {
        agent_request r{p, &client, &client.scopes, "t", std::nullopt, time_point{}};
        EXPECT_EQ(a.answer(s1, r).text, b.answer(s2, r).text);
    }
}

TEST_F(SandboxAgent, UnknownRequestIsDeclinedPolitely)
{
    auto a = ask("what is the meaning of life");
    EXPECT_EQ(a.state, "completed");
    EXPECT_FALSE(a.changed);
    EXPECT_THAT(a.text,
                ::testing::AnyOf(HasSubstr("sorry"), HasSubstr("Sorry"), HasSubstr("not able")));
}

}  // namespace
}  // namespace paymand::sandbox

namespace paymand::sandbox {
namespace {

TEST(SandboxAgentDefaults, DefaultWalletPaysWhenNoneIsNamed)
{
    client_config client{"c", "s", {"write_send_payment"}};
    ledger_state state;
    state.wallets.push_back({"Operations", "TSD", 100000, "operations-tsd"});
    state.wallets.push_back({"Payroll", "TSD", 100000, "payroll-tsd"});
    state.payees.push_back({"John Doe", "", "TEST_RAILS"});
    state.default_wallet = "Payroll";
    agent bot(1);
    agent_request r{
        "send 100 TSD to John Doe", &client, &client.scopes, "t", std::nullopt, time_point{}};
    EXPECT_EQ(bot.answer(state, r).state, "completed");
    EXPECT_EQ(state.wallets[1].balance, 90000);
    EXPECT_EQ(state.wallets[0].balance, 100000);
}

}  // namespace
}  // namespace paymand::sandbox
