// The projection's transitions, row by row: what each record does to an occurrence in each
// state it may find it in.

#include "paymand/audit/projection.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace paymand::audit {
namespace {

using s = occurrence_state;
constexpr auto unknown = std::nullopt;

struct case_ {
    const char* name;
    record_type type;
    std::optional<s> before;
    bool paid;
    std::optional<s> after;  // nothing: unchanged
    bool expected;
    std::optional<outcome> result = std::nullopt;
    std::optional<resolution> verdict = std::nullopt;
    std::optional<reconcile_outcome> listed = std::nullopt;
};

void PrintTo(const case_& c, std::ostream* os)
{
    *os << c.name;
}

class transitions : public testing::TestWithParam<case_> {};

TEST_P(transitions, lead_where_the_table_says)
{
    const auto& c = GetParam();
    record_summary r;
    r.type = c.type;
    r.outcome = c.result;
    r.resolution = c.verdict;
    r.reconciled = c.listed;
    r.reason = "from the record";
    const auto t = next_state(c.before, c.paid, r);
    EXPECT_EQ(t.next, c.after);
    EXPECT_EQ(t.expected, c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    audit, transitions,
    testing::Values(
        case_{"first_intent", record_type::intent, unknown, false, s::in_flight, true},
        case_{"second_intent_is_kept", record_type::intent, s::in_flight, true, std::nullopt,
              false},
        case_{"intent_after_a_skip", record_type::intent, s::skipped, false, s::in_flight, false},
        case_{"completed", record_type::result, s::in_flight, true, s::completed, true,
              outcome::completed},
        case_{"failed_result", record_type::result, s::in_flight, true, s::failed, true,
              outcome::failed},
        case_{"dry_run", record_type::result, s::in_flight, true, s::dry_run, true,
              outcome::dry_run},
        case_{"needs_input_is_in_doubt", record_type::result, s::in_flight, true, s::in_doubt, true,
              outcome::needs_input},
        case_{"unclear_is_in_doubt", record_type::result, s::in_flight, true, s::in_doubt, true,
              outcome::unclear},
        case_{"result_without_intent", record_type::result, unknown, false, s::completed, false,
              outcome::completed},
        case_{"skipped", record_type::skipped, unknown, false, s::skipped, true},
        case_{"denied", record_type::denied, unknown, false, s::denied, true},
        case_{"missed", record_type::missed, unknown, false, s::missed, true},
        case_{"skipped_after_an_intent_is_kept", record_type::skipped, s::in_flight, true,
              std::nullopt, false},
        case_{"failed_record", record_type::failed, unknown, false, s::failed, true},
        case_{"in_doubt", record_type::in_doubt, s::in_flight, true, s::in_doubt, true},
        case_{"mismatch", record_type::mismatch, s::in_flight, true, s::mismatch, true},
        case_{"confirmed", record_type::confirmed, s::completed, true, s::confirmed, true},
        case_{"confirmed_after_unconfirmed", record_type::confirmed, s::unconfirmed, true,
              s::confirmed, true},
        case_{"confirmed_in_doubt_is_kept", record_type::confirmed, s::in_doubt, true, std::nullopt,
              false},
        case_{"confirmed_unknown_is_in_doubt", record_type::confirmed, unknown, false, s::in_doubt,
              false},
        case_{"unconfirmed", record_type::unconfirmed, s::completed, true, s::unconfirmed, true},
        case_{"unconfirmed_twice_is_kept", record_type::unconfirmed, s::unconfirmed, true,
              std::nullopt, false},
        case_{"resolved_paid", record_type::resolved, s::in_doubt, true, s::resolved_paid, true,
              std::nullopt, resolution::paid},
        case_{"resolved_not_paid", record_type::resolved, s::mismatch, true, s::resolved_not_paid,
              true, std::nullopt, resolution::not_paid},
        case_{"resolved_unconfirmed", record_type::resolved, s::unconfirmed, true, s::resolved_paid,
              true, std::nullopt, resolution::paid},
        case_{"resolution_of_a_completed_payment_warns", record_type::resolved, s::completed, true,
              s::resolved_not_paid, false, std::nullopt, resolution::not_paid},
        case_{"reconciled_paid", record_type::reconciled, s::in_doubt, true, s::reconciled_paid,
              true, std::nullopt, std::nullopt, reconcile_outcome::paid},
        case_{"reconciled_not_found_stays", record_type::reconciled, s::in_doubt, true,
              std::nullopt, true, std::nullopt, std::nullopt, reconcile_outcome::not_found},
        case_{"reconciled_not_found_unknown_is_in_doubt", record_type::reconciled, unknown, false,
              s::in_doubt, false, std::nullopt, std::nullopt, reconcile_outcome::not_found},
        case_{"reopened_after_a_refused_gate", record_type::reopened, s::failed, true, s::reopened,
              true},
        case_{"reopened_after_a_skip", record_type::reopened, s::skipped, false, s::reopened, true},
        case_{"reopened_after_a_denial", record_type::reopened, s::denied, false, s::reopened,
              true},
        case_{"reopened_after_missed", record_type::reopened, s::missed, false, s::reopened, true},
        case_{"reopened_in_doubt_is_kept", record_type::reopened, s::in_doubt, true, std::nullopt,
              false},
        case_{"reopened_completed_is_kept", record_type::reopened, s::completed, true, std::nullopt,
              false},
        case_{"reopened_unknown_is_kept", record_type::reopened, unknown, false, std::nullopt,
              false},
        case_{"reopened_twice_is_kept", record_type::reopened, s::reopened, false, std::nullopt,
              false},
        case_{"intent_after_reopened", record_type::intent, s::reopened, false, s::in_flight, true},
        case_{"report", record_type::report, unknown, false, s::reported, true},
        case_{"started_changes_nothing", record_type::started, unknown, false, std::nullopt, true}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(transitions, carry_the_reason_an_operator_reads)
{
    record_summary r;
    r.type = record_type::result;
    r.outcome = outcome::needs_input;
    EXPECT_EQ(next_state(s::in_flight, true, r).reason,
              "the agent asked for input (e.g. an approval) instead of paying");
    r.outcome = outcome::unclear;
    EXPECT_EQ(next_state(s::in_flight, true, r).reason, "the agent's reply was unclear");
    r.reason = "no figure in the reply";
    EXPECT_EQ(next_state(s::in_flight, true, r).reason, "no figure in the reply");
    r.type = record_type::confirmed;
    EXPECT_EQ(next_state(s::completed, true, r).reason, "");
    EXPECT_EQ(next_state(std::nullopt, false, r).reason, "confirmed without a recorded payment");
}

}  // namespace
}  // namespace paymand::audit
