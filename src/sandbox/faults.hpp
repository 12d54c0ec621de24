#pragma once

// Fault injection for tests: each fault matches the next `count` API requests of an endpoint
// (and, for tasks, a prompt family) and makes the sandbox misbehave in one precise way.
// Faults are added through the admin API as JSON and parsed strictly.

#include "paymand/core/error.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::sandbox {

enum class fault_action {
    status,             // answer with an HTTP status (optional Retry-After); nothing executed
    delay,              // execute, then answer after delay_ms
    reset_before_read,  // reset the connection without executing the request
    reset_after_read,   // execute the request, then reset the connection with no answer
    truncate,           // execute, send valid headers and only half of the body
    malformed_json,     // execute, answer 200 with a body that is not valid JSON
    huge_body,          // answer 200 with a JSON body of `size` bytes; nothing executed
    stall,              // read the request and never answer; nothing executed
    jsonrpc_error,      // answer a JSON-RPC error object with `code`; nothing executed
    expire_tokens,      // expire every access token, then handle the request normally
    revoke_tokens,      // revoke every access and refresh token, then handle normally
    // Hostile answers (docs/reliability.md, threat model): the request is executed, then its
    // answer is rewritten.
    forge_task_id,     // tasks: the result's task id becomes `size` bytes of 'T'
    error_and_result,  // tasks: the answer carries an error object besides its result
    forge_token,       // token: the access token answered is `text`, or `size` bytes of 'A'
    replace_reply,     // tasks only: execute, then answer with `text` as the agent's reply
};

std::string_view to_string(fault_action action);

struct fault {
    std::int64_t id = 0;
    std::string endpoint = "any";     // token | tasks | authorize | any
    std::string prompt_kind = "any";  // tasks only: balance | payment | payees | transactions |
                                      // wallets | unknown | any
    std::int64_t remaining = 1;
    fault_action action = fault_action::status;
    int status = 503;
    std::optional<std::int64_t> retry_after_s;
    std::optional<std::string> retry_after_text;  // sent verbatim (a hostile Retry-After)
    std::int64_t delay_ms = 0;
    std::int64_t size = 0;
    std::int64_t code = -32603;
    std::string text;  // replace_reply: the agent's reply instead; forge_token: the token

    boost::json::object to_json() const;
};

class fault_table {
public:
    // Parses a fault from the admin API's JSON and returns its id; an error names the field
    // and the rule.
    core::result<std::int64_t> add(const boost::json::value& spec);
    void clear() { faults_.clear(); }

    // The first fault matching this request, with its count consumed; nullopt if none.
    // `prompt_family` is empty for requests other than tasks.
    std::optional<fault> take(std::string_view endpoint, std::string_view prompt_family);

    // Whether any fault could match a tasks request (so the caller knows to classify it).
    bool empty() const { return faults_.empty(); }

    boost::json::array to_json() const;

private:
    std::vector<fault> faults_;
    std::int64_t next_id_ = 1;
};

}  // namespace paymand::sandbox
