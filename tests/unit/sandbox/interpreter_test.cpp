#include "sandbox/interpreter.hpp"

#include <gtest/gtest.h>

namespace paymand::sandbox {
namespace {

TEST(SandboxInterpreter, DocumentedBalancePhrasings)
{
    for (const char* p : {"list all wallets and their balances", "what's my wallet balance?",
                          "What is the balance of the Operations wallet?", "show my balances",
                          "How much is in my wallets?"}) {
        auto in = interpret(p);
        EXPECT_EQ(in.kind, intent_kind::balance) << p;
        EXPECT_TRUE(in.mentions_balance) << p;
    }
    auto list = interpret("list all wallets");
    EXPECT_EQ(list.kind, intent_kind::balance);
    EXPECT_FALSE(list.mentions_balance);
}

TEST(SandboxInterpreter, DocumentedPaymentPhrasing)
{
    auto in = interpret("send 100 TSD to John Doe");
    ASSERT_EQ(in.kind, intent_kind::payment);
    EXPECT_TRUE(in.problem.empty()) << in.problem;
    EXPECT_EQ(in.amount, 10000);
    EXPECT_EQ(in.currency, "TSD");
    EXPECT_EQ(in.payee, "John Doe");
    EXPECT_EQ(in.wallet, "");
    EXPECT_EQ(in.memo, "");
}

TEST(SandboxInterpreter, PaymentWithWalletAndQuotedMemo)
{
    auto in = interpret(
        R"(send 100.00 TSD to John Doe from the Operations wallet with memo "Rent \"December\" 2026")");
    ASSERT_EQ(in.kind, intent_kind::payment);
    EXPECT_TRUE(in.problem.empty()) << in.problem;
    EXPECT_EQ(in.amount, 10000);
    EXPECT_EQ(in.payee, "John Doe");
    EXPECT_EQ(in.wallet, "Operations");
    EXPECT_EQ(in.memo, "Rent \"December\" 2026");
}

TEST(SandboxInterpreter, PaymentVariants)
{
    auto a = interpret("Please pay $1,250.50 to Acme Landlord LLC from my Payroll wallet.");
    ASSERT_EQ(a.kind, intent_kind::payment);
    EXPECT_EQ(a.amount, 125050);
    EXPECT_EQ(a.currency, "");
    EXPECT_EQ(a.payee, "Acme Landlord LLC");
    EXPECT_EQ(a.wallet, "Payroll");

    auto b = interpret("pay John Doe 50 TSD with memo 'coffee'");
    ASSERT_EQ(b.kind, intent_kind::payment);
    EXPECT_EQ(b.amount, 5000);
    EXPECT_EQ(b.payee, "John Doe");
    EXPECT_EQ(b.memo, "coffee");

    auto c = interpret("transfer 5 tsd to Test User memo: lunch");
    ASSERT_EQ(c.kind, intent_kind::payment);
    EXPECT_EQ(c.currency, "TSD");
    EXPECT_EQ(c.payee, "Test User");
    EXPECT_EQ(c.memo, "lunch");
}

TEST(SandboxInterpreter, BadAmountIsAProblemNotAGuess)
{
    auto in = interpret("send 100.005 TSD to John Doe");
    ASSERT_EQ(in.kind, intent_kind::payment);
    EXPECT_FALSE(in.problem.empty());
    EXPECT_FALSE(in.amount);
}

TEST(SandboxInterpreter, UnbalancedMemoQuoteIsAProblem)
{
    auto in = interpret(R"(send 1 TSD to John Doe with memo "open)");
    ASSERT_EQ(in.kind, intent_kind::payment);
    EXPECT_FALSE(in.problem.empty());
}

TEST(SandboxInterpreter, Payees)
{
    EXPECT_EQ(interpret("list all payees").kind, intent_kind::list_payees);
    EXPECT_EQ(interpret("who are my payees?").kind, intent_kind::list_payees);
    auto in = interpret("create a new payee named John Doe with email john@example.com");
    ASSERT_EQ(in.kind, intent_kind::create_payee);
    EXPECT_EQ(in.payee, "John Doe");
    EXPECT_EQ(in.email, "john@example.com");
    EXPECT_TRUE(in.problem.empty());
    auto bad = interpret("create a new payee named Jane with email [email protected]");
    ASSERT_EQ(bad.kind, intent_kind::create_payee);
    EXPECT_FALSE(bad.problem.empty());
}

TEST(SandboxInterpreter, Transactions)
{
    auto in = interpret("show my last 5 transactions");
    ASSERT_EQ(in.kind, intent_kind::transactions);
    EXPECT_EQ(in.count, 5);
    EXPECT_EQ(interpret("show my last 10 transactions").count, 10);
    EXPECT_EQ(interpret("list 3 most recent transactions").count, 3);
    EXPECT_EQ(interpret("show my transaction history").count, 10);
    EXPECT_FALSE(interpret("show my last 500 transactions").problem.empty());
}

TEST(SandboxInterpreter, CreateWallet)
{
    auto in = interpret("create a new TSD wallet named Savings");
    ASSERT_EQ(in.kind, intent_kind::create_wallet);
    EXPECT_EQ(in.wallet, "Savings");
    EXPECT_EQ(in.currency, "TSD");
    auto unnamed = interpret("create a wallet");
    ASSERT_EQ(unnamed.kind, intent_kind::create_wallet);
    EXPECT_FALSE(unnamed.problem.empty());
}

TEST(SandboxInterpreter, UnknownRequests)
{
    for (const char* p :
         {"tell me a joke", "", "   ", "send", "delete all payees please now", "send money"})
        EXPECT_EQ(interpret(p).kind, intent_kind::unknown) << p;
    EXPECT_EQ(interpret(std::string(max_prompt_chars + 1, 'a')).kind, intent_kind::unknown);
}

TEST(SandboxInterpreter, FamiliesForFaults)
{
    EXPECT_EQ(prompt_family(interpret("send 1 TSD to X").kind), "payment");
    EXPECT_EQ(prompt_family(interpret("list all payees").kind), "payees");
    EXPECT_EQ(prompt_family(interpret("create a payee named X").kind), "payees");
    EXPECT_EQ(prompt_family(interpret("what's my wallet balance?").kind), "balance");
    EXPECT_EQ(prompt_family(interpret("show my last 5 transactions").kind), "transactions");
    EXPECT_EQ(prompt_family(interpret("hello").kind), "unknown");
}

}  // namespace
}  // namespace paymand::sandbox

namespace paymand::sandbox {
namespace {

// The exact texts paymand's default prompt templates render (include/paymand/prompt/).
TEST(SandboxInterpreter, PaymandDefaultTemplates)
{
    auto pay = interpret("send 100.00 TSD to John Doe from the Operations wallet with memo "
                         "\"Rent December 2026 pm:rent-john:20261201T0900\"");
    ASSERT_EQ(pay.kind, intent_kind::payment);
    EXPECT_TRUE(pay.problem.empty()) << pay.problem;
    EXPECT_EQ(pay.amount, 10000);
    EXPECT_EQ(pay.currency, "TSD");
    EXPECT_EQ(pay.payee, "John Doe");
    EXPECT_EQ(pay.wallet, "Operations");
    EXPECT_EQ(pay.memo, "Rent December 2026 pm:rent-john:20261201T0900");

    auto bare = interpret("send 0.50 TSD to Acme Landlord LLC with memo \"transfer from savings\"");
    ASSERT_EQ(bare.kind, intent_kind::payment);
    EXPECT_EQ(bare.payee, "Acme Landlord LLC");
    EXPECT_EQ(bare.wallet, "");
    EXPECT_EQ(bare.memo, "transfer from savings");

    EXPECT_EQ(interpret("what's my wallet balance?").kind, intent_kind::balance);
    EXPECT_EQ(interpret("what is the balance of the Operations wallet?").kind,
              intent_kind::balance);
    EXPECT_EQ(interpret("list all payees").kind, intent_kind::list_payees);
    auto tx = interpret("show my last 20 transactions");
    EXPECT_EQ(tx.kind, intent_kind::transactions);
    EXPECT_EQ(tx.count, 20);
}

// Since issue 15 paymand quotes every interpolated name; the unquoted SDK phrasings above
// still work.
TEST(SandboxInterpreter, PaymandQuotedTemplates)
{
    auto pay = interpret("send 100.00 TSD to \"John Doe\" from the \"Operations\" wallet with "
                         "memo \"Rent December 2026 pm:rent-john:20261201T0900\"");
    ASSERT_EQ(pay.kind, intent_kind::payment);
    EXPECT_TRUE(pay.problem.empty()) << pay.problem;
    EXPECT_EQ(pay.amount, 10000);
    EXPECT_EQ(pay.payee, "John Doe");
    EXPECT_EQ(pay.wallet, "Operations");
    EXPECT_EQ(pay.memo, "Rent December 2026 pm:rent-john:20261201T0900");

    // A quoted name is one name, whatever words it holds.
    auto odd = interpret("send 5.00 TSD to \"Jane from Memo Corp\" from the \"Cash from Sales\" "
                         "wallet");
    ASSERT_EQ(odd.kind, intent_kind::payment);
    EXPECT_TRUE(odd.problem.empty()) << odd.problem;
    EXPECT_EQ(odd.payee, "Jane from Memo Corp");
    EXPECT_EQ(odd.wallet, "Cash from Sales");
    EXPECT_EQ(odd.memo, "");

    auto bare = interpret("send 0.50 TSD to \"Acme Landlord LLC\" with memo \"rent\"");
    ASSERT_EQ(bare.kind, intent_kind::payment);
    EXPECT_EQ(bare.payee, "Acme Landlord LLC");
    EXPECT_EQ(bare.wallet, "");
    EXPECT_EQ(bare.memo, "rent");

    auto unclosed = interpret("send 5.00 TSD to \"John Doe");
    ASSERT_EQ(unclosed.kind, intent_kind::payment);
    EXPECT_EQ(unclosed.payee, "\"John Doe");

    EXPECT_EQ(interpret("what is the balance of the \"Operations\" wallet?").kind,
              intent_kind::balance);
}

TEST(SandboxInterpreter, MemoWordsDoNotChangeTheIntent)
{
    auto in = interpret("send 5 TSD to John Doe with memo \"cancel and delete the update\"");
    ASSERT_EQ(in.kind, intent_kind::payment);
    EXPECT_EQ(in.memo, "cancel and delete the update");
}

}  // namespace
}  // namespace paymand::sandbox
