#pragma once

// An ask and its answer: the options a caller gives and the typed result of tasks.send.

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::payman {

struct ask_options {
    // Start a new session for this ask and keep it for later asks of this client.
    bool new_session = false;
    // Resume this session (and keep it for later asks); 1-128 of [A-Za-z0-9._:-].
    std::optional<std::string> session_id;
    // paymand's occurrence identity, sent as params.metadata.occurrenceId.
    std::optional<std::string> occurrence_id;
    // Sent as params.metadata.idempotencyKey: a repeat must not move money twice.
    std::optional<std::string> idempotency_key;
    // Further free-form entries for params.metadata (the keys above and "timestamp" win).
    boost::json::object metadata;
    // A read that cannot move money (a balance, a listing). Not sent: it tells the caller's
    // layers (metrics) what the ask is, now that reads carry idempotency keys too.
    bool read_only = false;
};

enum class task_state { submitted, working, input_required, completed, canceled, failed, unknown };

std::string_view to_string(task_state s) noexcept;
// Case-insensitive; '_' and '-' alike; "cancelled" accepted; anything else is unknown.
task_state parse_task_state(std::string_view text) noexcept;

struct artifact {
    std::string name;
    std::string description;
    // The text parts joined with "\n", as the SDKs' formatters do.
    std::string text;
};

struct ask_result {
    std::string request_id;
    std::string task_id;
    std::string session_id;
    task_state state = task_state::unknown;
    std::string state_text;      // as the server spelled it
    std::string status_message;  // status.message text, empty when null
    std::string status_timestamp;
    std::vector<artifact> artifacts;
    std::string raw;  // the whole JSON-RPC response body as received, for --json

    // The agent's reply: every artifact's text joined with "\n" (untrusted prose).
    std::string reply_text() const;
};

}  // namespace paymand::payman
