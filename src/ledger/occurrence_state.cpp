#include "paymand/ledger/occurrence_state.hpp"

#include <array>
#include <utility>

namespace paymand::ledger {
namespace {

constexpr std::array<std::pair<occurrence_state, std::string_view>, 7> names{{
    {occurrence_state::claimed, "claimed"},
    {occurrence_state::sending, "sending"},
    {occurrence_state::paid, "paid"},
    {occurrence_state::failed, "failed"},
    {occurrence_state::skipped, "skipped"},
    {occurrence_state::in_doubt, "in_doubt"},
    {occurrence_state::released, "released"},
}};

}  // namespace

std::string_view to_string(occurrence_state s) noexcept
{
    for (const auto& [state, name] : names)
        if (state == s) return name;
    return "unknown";
}

std::optional<occurrence_state> parse_occurrence_state(std::string_view text) noexcept
{
    for (const auto& [state, name] : names)
        if (name == text) return state;
    return std::nullopt;
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
