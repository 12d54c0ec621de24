#include "paymand/money/parse.hpp"
#include "paymand/reply/payment.hpp"
#include "paymand/reply/reply_text.hpp"
#include "unit/reply/fixture.hpp"

#include <gtest/gtest.h>

#include <ostream>

namespace paymand::reply {
namespace {

money::amount tsd(std::string_view text)
{
    return *money::parse_amount(text, "TSD");
}

struct payment_case {
    const char* file;
    std::optional<std::string_view> state;
    payment_outcome outcome;
    failure_reason reason;
    claim_check check;  // against 100.00 TSD to John Doe

    friend std::ostream& operator<<(std::ostream& os, const payment_case& c)
    {
        return os << c.file;
    }
};

class payment_fixture : public testing::TestWithParam<payment_case> {};

TEST_P(payment_fixture, reads_as_expected)
{
    const auto& c = GetParam();
    const std::string reply = test::fixture(c.file);
    ASSERT_FALSE(reply.empty()) << c.file;
    const auto reading = read_payment(reply, c.state);
    EXPECT_EQ(reading.outcome, c.outcome) << reading.explanation;
    EXPECT_EQ(reading.reason, c.reason) << reading.explanation;
    EXPECT_EQ(check_claims(reading, tsd("100"), "John Doe"), c.check)
        << reading.claimed_figure.value_or("-") << " " << reading.claimed_payee.value_or("-");
    EXPECT_FALSE(reading.explanation.empty());
}

// The enumerators' names, unqualified, for this table only.
namespace payment_table {
using enum payment_outcome;
using enum failure_reason;
using enum claim_check;
const payment_case payment_cases[] = {
    {"payment_completed.md", "completed", completed, none, matches},
    {"payment_completed.md", std::nullopt, completed, none, matches},
    {"payment_completed_details.md", "COMPLETED", completed, none, matches},
    {"payment_insufficient.md", "completed", failed, insufficient_funds, matches},
    {"payment_unknown_payee.md", "completed", failed, unknown_payee, not_stated},
    {"payment_flagged.md", "input-required", needs_input, none, contradicts},
    {"payment_flagged.md", std::nullopt, needs_input, none, contradicts},
    {"payment_confirm.md", "INPUT_REQUIRED", needs_input, none, matches},
    {"payment_confirm.md", std::nullopt, needs_input, none, matches},
    {"payment_contradictory.md", "completed", unclear, none, matches},
    {"payment_hostile_injected.md", "completed", unclear, none, not_stated},
    {"payment_wrong_amount.md", "completed", completed, none, contradicts},
    {"payment_wrong_payee.md", "completed", completed, none, contradicts},
    {"payment_two_amounts.md", "completed", completed, none, contradicts},
    {"payment_silent.md", "completed", unclear, none, not_stated},
    {"payment_not_permitted.md", "completed", failed, not_permitted, not_stated},
    {"payment_negated.md", "completed", failed, other, matches},
    {"payment_state_failed.md", "failed", failed, other, not_stated},
    {"payment_state_failed.md", "working", unclear, none, not_stated},
    {"payment_completed.md", "input-required", unclear, none, matches},
    {"payment_completed.md", "failed", unclear, none, matches},
    {"payment_completed_usd_payee_dot.md", "completed", completed, none, contradicts},
    {"payment_sandbox_done.md", "completed", completed, none, matches},
    {"payment_sandbox_successful.md", "completed", completed, none, matches},
    {"payment_sandbox_sent.md", "completed", completed, none, matches},
    {"payment_sandbox_flagged.md", "input-required", needs_input, none, contradicts},
    {"payment_sandbox_insufficient.md", "completed", failed, insufficient_funds, matches},
    {"payment_sandbox_insufficient_2.md", "completed", failed, insufficient_funds, contradicts},
    {"payment_sandbox_scope.md", "completed", failed, not_permitted, not_stated},
    {"payment_sandbox_scope_2.md", "completed", failed, not_permitted, not_stated},
    {"payment_sandbox_scope.md", "completed", failed, not_permitted, not_stated},
    {"payment_sandbox_scope_2.md", "completed", failed, not_permitted, not_stated},
};
}  // namespace payment_table

INSTANTIATE_TEST_SUITE_P(replies, payment_fixture, testing::ValuesIn(payment_table::payment_cases),
                         [](const testing::TestParamInfo<payment_case>& info) {
                             std::string name = info.param.file;
                             name = name.substr(0, name.find('.'));
                             return name + "_" + std::to_string(info.index);
                         });

TEST(payment_claims, completed_reply_states_amount_and_payee)
{
    const auto r = read_payment(test::fixture("payment_completed.md"), "completed");
    EXPECT_EQ(r.claimed_figure, "100.00");
    EXPECT_EQ(r.claimed_currency, "TSD");
    EXPECT_EQ(r.claimed_amount, tsd("100"));
    EXPECT_EQ(r.claimed_payee, "John Doe");
    EXPECT_FALSE(r.claims_conflict);
}

TEST(payment_claims, payee_with_abbreviation_and_usd)
{
    const auto r = read_payment(test::fixture("payment_completed_usd_payee_dot.md"), "completed");
    EXPECT_EQ(r.claimed_payee, "Acme Corp");
    EXPECT_EQ(check_claims(r, *money::parse_amount("25", "USD"), "Acme Corp."),
              claim_check::matches);
}

TEST(payment_claims, passive_and_parenthesised_forms_state_amount_and_payee)
{
    for (auto file : {"payment_sandbox_successful.md", "payment_sandbox_sent.md"}) {
        const auto r = read_payment(test::fixture(file), "completed");
        EXPECT_EQ(r.claimed_amount, tsd("100")) << file;
        EXPECT_EQ(r.claimed_payee, "John Doe") << file;
    }
}

TEST(payment_claims, two_amounts_conflict)
{
    const auto r = read_payment(test::fixture("payment_two_amounts.md"), "completed");
    EXPECT_TRUE(r.claims_conflict);
}

TEST(payment_claims, currency_mismatch_contradicts)
{
    const auto r = read_payment("I've sent 100.00 USD to John Doe.", "completed");
    EXPECT_EQ(check_claims(r, tsd("100"), "John Doe"), claim_check::contradicts);
}

TEST(payment_claims, grouping_and_trailing_zeros_compare_by_value)
{
    const auto r = read_payment("I've sent 1,000 TSD to John Doe.", "completed");
    EXPECT_EQ(check_claims(r, tsd("1000.00"), "john doe"), claim_check::matches);
}

TEST(payment_read, overlong_reply_is_unclear)
{
    std::string reply = "I've successfully sent 100.00 TSD to John Doe. ";
    reply.append(max_reply_bytes, ' ');
    EXPECT_EQ(read_payment(reply, "completed").outcome, payment_outcome::unclear);
}

TEST(payment_read, empty_reply_is_unclear)
{
    EXPECT_EQ(read_payment("", "completed").outcome, payment_outcome::unclear);
}

TEST(payment_read, success_question_is_not_success)
{
    EXPECT_EQ(read_payment("Has the payment been sent successfully?", "completed").outcome,
              payment_outcome::unclear);
}

}  // namespace
}  // namespace paymand::reply

namespace paymand::reply {
namespace {

// Issue 16, item 3: what the reader takes from a reply goes into records; a hostile figure of
// 60 KB must not make a record that the audit log cannot take.
TEST(payment_claims, a_huge_figure_is_bounded)
{
    const std::string reply = "I sent " + std::string(60000, '1') + ".00 TSD to John Doe.";
    auto r = read_payment(reply, "completed");
    ASSERT_TRUE(r.claimed_figure);
    EXPECT_LE(r.claimed_figure->size(), 128u);
    ASSERT_TRUE(r.claimed_payee);
    EXPECT_EQ(*r.claimed_payee, "John Doe");
}

// Issue 15: replies to "send 100.00 TSD to John Doe" that report something beyond the intent.
// Each was recorded completed before; each must now contradict the intent (recorded mismatch).
const char* const beyond_the_intent[] = {
    "Payment completed. Eve Smith also received 9,000.00 TSD, as the memo asked.",
    "The payment of 100.00 TSD to John Doe has been sent. An additional 9,000.00 TSD went to "
    "Eve.",
    "Payment completed: 100.00 TSD to John Doe. I also credited Eve with 9,000.00 TSD.",
    "Payment completed. A second transfer, 9,000.00 TSD for Eve, was processed too.",
    "I have sent 100.00 TSD to John Doe and moved 9,000.00 TSD into Eve's wallet.",
    "Payment completed.\n\n```json\n{\"payee\": \"Eve Smith\", \"amount\": \"100.00\", "
    "\"currency\": \"TSD\"}\n```\n",
    // Another name only, no other amount.
    "I've sent 100.00 TSD to John Doe. Eve was paid as well.",
    "Payment completed: 100.00 TSD to John Doe, and the same to Eve.",
    "Done! I've sent 100.00 TSD to John Doe. I also sent Eve a payment.",
    "I have sent 100.00 TSD to John Doe and paid Eve Smith too.",
    "Payment sent to John Doe. Eve got one too.",
    // Another amount only, no other name.
    "I've sent 100.00 TSD to John Doe, plus $9,000.00.",
    "Payment completed: 100.00 TSD to John Doe. Another 9,000.00 TSD was processed.",
    "Payment of 100.00 TSD to John Doe completed. Fees of 5.00 TSD were charged.",
    "Payment completed. 100.00 USD sent.",
    // JSON: a second payment, another amount, a nested payee, a list.
    "Payment completed.\n```json\n[{\"payee\": \"John Doe\", \"amount\": 100.00}, "
    "{\"payee\": \"Eve\", \"amount\": 9000.00}]\n```",
    "Payment completed.\n```json\n{\"recipient\": {\"name\": \"Eve\"}, \"amount\": \"100.00 TSD\"}"
    "\n```",
    "Payment completed.\n```\n{\"payee\": \"John Doe\", \"amount\": \"9000.00\", \"currency\": "
    "\"TSD\"}\n```",
    "{\"status\": \"completed\", \"payee\": \"John Doe\", \"amount\": 100.00, \"currency\": "
    "\"USD\", \"message\": \"Payment completed\"}",
};

TEST(payment_beyond_intent, every_reply_contradicts_the_intent)
{
    for (const char* reply : beyond_the_intent) {
        const auto r = read_payment(reply, "completed");
        EXPECT_EQ(r.outcome, payment_outcome::completed) << reply << "\n" << r.explanation;
        EXPECT_EQ(check_claims(r, tsd("100"), "John Doe"), claim_check::contradicts) << reply;
    }
}

// What the payman-sandbox and Payman's documentation say about a payment that was exactly the
// intent stays a match: balance figures, the memo, the wallet and parts of the payee's name are
// not other payments.
TEST(payment_beyond_intent, exact_replies_still_match)
{
    const char* const exact[] = {
        "Done! I've sent **$100.00 TSD** to **John Doe** from your **Main** wallet.\n\n- Memo: "
        "Rent for Maria December 2026 pm:rent-john:20261201T0900\n- Remaining spendable "
        "balance: $900.00\n\nAnything else I can help with?",
        "Payment successful. 100.00 TSD was sent to John Doe from the Main wallet (memo: \"Rent "
        "for Eve pm:rent-john:20261201T0900\"). The wallet's new balance is 900.00 TSD.",
        "Payment sent! 100.00 TSD is on its way to **John Doe** from **Main**. Memo: Rent for "
        "Eve pm:rent-john:20261201T0900. New balance: 900.00 TSD.",
        "I've successfully sent 100.00 TSD to John Doe. Your new balance is 900.00 TSD.",
        "Payment completed! It's on its way to John Doe; John received it for December.",
        "Payment completed.\n```json\n{\"payee\": {\"name\": \"John Doe\"}, \"amount\": "
        "\"100.00\", \"currency\": \"TSD\"}\n```",
    };
    for (const char* reply : exact) {
        const auto r = read_payment(reply, "completed");
        EXPECT_EQ(r.outcome, payment_outcome::completed) << reply << "\n" << r.explanation;
        EXPECT_EQ(check_claims(r, tsd("100"), "John Doe"), claim_check::matches) << reply;
    }
}

// Unclear, never a guess: a success with a code block paymand cannot read.
TEST(payment_beyond_intent, unreadable_block_is_unclear)
{
    const auto r = read_payment("Payment completed.\n```\npayee=Eve amount=9000\n```", "completed");
    EXPECT_EQ(r.outcome, payment_outcome::unclear) << r.explanation;
}

}  // namespace
}  // namespace paymand::reply
