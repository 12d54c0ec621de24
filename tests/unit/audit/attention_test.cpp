#include "paymand/audit/attention.hpp"

#include <gtest/gtest.h>

namespace paymand::audit {
namespace {

TEST(attention, every_state_an_operator_must_resolve_is_an_error)
{
    for (auto s : {occurrence_state::in_doubt, occurrence_state::mismatch}) {
        ASSERT_TRUE(needs_operator(s));
        EXPECT_EQ(attention_of(s), attention::error) << to_string(s);
    }
}

TEST(attention, not_paid_when_due_is_an_error_and_skipped_a_warning)
{
    EXPECT_EQ(attention_of(occurrence_state::failed), attention::error);
    EXPECT_EQ(attention_of(occurrence_state::denied), attention::error);
    EXPECT_EQ(attention_of(occurrence_state::missed), attention::error);
    EXPECT_EQ(attention_of(occurrence_state::skipped), attention::warning);
}

TEST(attention, clean_outcomes_need_none)
{
    for (auto s : {occurrence_state::completed, occurrence_state::reconciled_paid,
                   occurrence_state::resolved_paid, occurrence_state::resolved_not_paid,
                   occurrence_state::reported, occurrence_state::in_flight})
        EXPECT_EQ(attention_of(s), attention::none) << to_string(s);
}

}  // namespace
}  // namespace paymand::audit
