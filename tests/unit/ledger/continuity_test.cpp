#include "paymand/ledger/continuity.hpp"
#include "paymand/ledger/occurrence_state.hpp"

#include <gtest/gtest.h>

namespace paymand::ledger {
namespace {

TEST(judge_continuity, a_ledger_at_or_past_what_the_node_saw_is_intact)
{
    EXPECT_EQ(
        judge_continuity({.epoch = 4, .shipped_seq = 10}, {.highest_epoch = 4, .shipped_seq = 10}),
        continuity::intact);
    EXPECT_EQ(
        judge_continuity({.epoch = 9, .shipped_seq = 12}, {.highest_epoch = 4, .shipped_seq = 10}),
        continuity::intact);
    EXPECT_EQ(judge_continuity({}, {}), continuity::intact);  // a new ledger, a new node
}

TEST(judge_continuity, an_older_epoch_or_a_shorter_chain_refuses_to_lead)
{
    EXPECT_EQ(
        judge_continuity({.epoch = 3, .shipped_seq = 10}, {.highest_epoch = 4, .shipped_seq = 10}),
        continuity::epoch_went_backwards);
    EXPECT_EQ(
        judge_continuity({.epoch = 4, .shipped_seq = 9}, {.highest_epoch = 4, .shipped_seq = 10}),
        continuity::chain_shorter);
    EXPECT_EQ(
        judge_continuity({.epoch = 0, .shipped_seq = 0}, {.highest_epoch = 1, .shipped_seq = 1}),
        continuity::epoch_went_backwards);
}

TEST(occurrence_state, names_round_trip_and_the_writers_accept_their_states_only)
{
    for (auto s : {occurrence_state::claimed, occurrence_state::sending, occurrence_state::paid,
                   occurrence_state::failed, occurrence_state::skipped, occurrence_state::in_doubt,
                   occurrence_state::released})
        EXPECT_EQ(parse_occurrence_state(to_string(s)), s);
    EXPECT_FALSE(parse_occurrence_state("sent"));
    EXPECT_TRUE(is_send_result(occurrence_state::in_doubt));
    EXPECT_FALSE(is_send_result(occurrence_state::skipped));
    EXPECT_TRUE(is_unsent_end(occurrence_state::skipped));
    EXPECT_FALSE(is_unsent_end(occurrence_state::paid));
}

}  // namespace
}  // namespace paymand::ledger
