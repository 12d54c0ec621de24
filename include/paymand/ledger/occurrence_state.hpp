#pragma once

// The states of an occurrence's row in the shared ledger (docs/ha.md) and which move is allowed
// by which statement. Pure: no I/O.

#include <optional>
#include <string_view>

namespace paymand::ledger {

enum class occurrence_state {
    claimed,   // a leader owns it; nothing has been sent
    sending,   // the fenced gate passed: the request may be on the wire from now on
    paid,      // the send's result: Payman completed it
    failed,    // the send's result: definitely not paid (refused, or nothing reached Payman)
    skipped,   // ended without a send (condition not met, limit, missed)
    in_doubt,  // the outcome of a send is unknown: never sent again
    released,  // claimed by a leader that lost its lease before the gate: to run again
};

std::string_view to_string(occurrence_state s) noexcept;
std::optional<occurrence_state> parse_occurrence_state(std::string_view text) noexcept;

// What may be recorded as the result of a send (record_result): paid, failed or in_doubt.
bool is_send_result(occurrence_state s) noexcept;
// What may end a claim without a send (settle_unsent): skipped or failed.
bool is_unsent_end(occurrence_state s) noexcept;

}  // namespace paymand::ledger
