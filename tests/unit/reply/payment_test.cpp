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
    {"payment_two_amounts.md", "completed", unclear, none, contradicts},
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
    {"payment_sandbox_insufficient_2.md", "completed", failed, insufficient_funds, not_stated},
    {"payment_sandbox_scope.md", "completed", failed, not_permitted, not_stated},
    {"payment_sandbox_scope_2.md", "completed", failed, not_permitted, not_stated},
    {"payment_sandbox_scope.md", "completed", failed, not_permitted, not_stated},
    {"payment_sandbox_scope_2.md", "completed", failed, not_permitted, not_stated},
};

INSTANTIATE_TEST_SUITE_P(replies, payment_fixture, testing::ValuesIn(payment_cases),
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

}  // namespace
}  // namespace paymand::reply
