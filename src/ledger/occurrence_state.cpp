#include "paymand/ledger/occurrence_state.hpp"

#include "paymand/text/word_table.hpp"

namespace paymand::ledger {
namespace {

constexpr auto state_words = text::make_word_table<occurrence_state>({
    {occurrence_state::claimed, "claimed"},
    {occurrence_state::sending, "sending"},
    {occurrence_state::paid, "paid"},
    {occurrence_state::failed, "failed"},
    {occurrence_state::skipped, "skipped"},
    {occurrence_state::in_doubt, "in_doubt"},
    {occurrence_state::released, "released"},
});

}  // namespace

std::string_view to_string(occurrence_state s) noexcept
{
    return state_words.word(s, "unknown");
}

std::optional<occurrence_state> parse_occurrence_state(std::string_view text) noexcept
{
    return state_words.parse(text);
}

bool is_send_result(occurrence_state s) noexcept
{
    return s == occurrence_state::paid || s == occurrence_state::failed ||
           s == occurrence_state::in_doubt;
}

bool is_unsent_end(occurrence_state s) noexcept
{
    return s == occurrence_state::skipped || s == occurrence_state::failed;
}

}  // namespace paymand::ledger
