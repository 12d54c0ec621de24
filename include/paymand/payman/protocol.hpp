#pragma once

// Payman's wire protocol without I/O: building the token and tasks.send requests, reading their
// responses, and classifying every failure (docs/client.md, payman-protocol.md).

#include "paymand/net/endpoint.hpp"
#include "paymand/net/http_client.hpp"
#include "paymand/net/transport_error.hpp"
#include "paymand/payman/ask.hpp"
#include "paymand/payman/client_error.hpp"
#include "paymand/payman/secret.hpp"
#include "paymand/payman/token.hpp"

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace paymand::payman {

inline constexpr std::size_t max_ask_text_size = 16 * 1024;

// Bounds on what a server hands us, checked when it arrives: a longer or stranger value is a
// malformed answer, never something to record, log or send on.
inline constexpr std::size_t max_token_size = 8 * 1024;  // an access or refresh token
inline constexpr std::size_t max_task_id_size = 256;     // a task or session id
inline constexpr std::size_t max_status_message_size = 16 * 1024;
// A Retry-After beyond this (e.g. 99999999999999999999) is this: far past any deadline.
inline constexpr std::chrono::seconds max_retry_after{366LL * 24 * 3600};

// RFC 6750 b64token (token68): 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
// What a token must be to travel in a header: no CR, LF, space or other byte that could end
// or split it.
bool is_token68(std::string_view value) noexcept;

// POST {prefix}/oauth2/token?grant_type=...[&code=..|&refresh_token=..] with Basic
// base64(client_id:client_secret) and an empty body, as the SDKs send it.
net::request build_token_request(const net::endpoint& target, const grant& g,
                                 std::string_view client_id, const secret& client_secret,
                                 std::string_view user_agent);

// The JSON-RPC body of one ask (method "tasks.send", message with one text part, metadata with
// the timestamp, occurrenceId and idempotencyKey when given).
struct ask_ids {
    std::string request_id;
    std::string task_id;
    std::string session_id;
};
boost::json::object build_ask_body(std::string_view text, const ask_ids& ids,
                                   const ask_options& options,
                                   std::chrono::system_clock::time_point now);

// The same body as json::serialize(build_ask_body(...)), byte for byte, written directly
// without building the tree first (a seventh of an ask's CPU in the client).
std::string build_ask_body_text(std::string_view text, const ask_ids& ids,
                                const ask_options& options,
                                std::chrono::system_clock::time_point now);

// POST {prefix}/a2a/tasks/send with the token in x-payman-access-token.
net::request build_ask_request(const net::endpoint& target, const boost::json::object& body,
                               const secret& access_token, std::string_view user_agent);
// The same with the body's JSON text (build_ask_body_text).
net::request build_ask_request(const net::endpoint& target, std::string body_text,
                               const secret& access_token, std::string_view user_agent);

// Checks what a caller gave before anything is built: non-empty text without NUL within
// max_ask_text_size, a valid session id, printable metadata ids. Error class not_sent.
boost::system::result<void, client_error> validate_ask(std::string_view text,
                                                       const ask_options& options);

// Reads a token endpoint response. 2xx needs accessToken/access_token (a non-empty string) and
// expiresIn/expires_in (a positive integer, also as a digit string); refresh token, token type
// and scope are optional. Non-2xx: not_sent/token_refused with the server's errorCode and
// errorMessage as diagnostics (never the body as such: it might echo a secret); anything
// unreadable: not_sent/token_response_invalid.
// Access and refresh tokens must be token68 of at most max_token_size bytes
// (token_response_invalid otherwise, before anything uses them). `secrets` are redacted from
// diagnostics before they are cut. `now` reads a Retry-After given as an HTTP date (429, 503).
boost::system::result<token_response, client_error>
parse_token_response(const net::response& res, std::chrono::system_clock::time_point now,
                     const redaction& secrets = {});

// Reads a tasks.send response (status, Retry-After and body; the body moves into the result's
// raw). 2xx with a result: the typed ask_result; 2xx with a JSON-RPC error:
// rejected/jsonrpc_error; other statuses as classify_status; a body that is not the expected JSON
// (or answers another request id): unknown_outcome/malformed_response. So is an answer with both an
// error and a result, an error without an integer code, and a task or session id that is not
// 1-max_task_id_size printable ASCII bytes: what the server did is unknown.
boost::system::result<ask_result, client_error>
parse_ask_response(net::response res, std::string_view request_id,
                   std::chrono::system_clock::time_point now, const redaction& secrets = {});

// The error for a non-2xx answer to an ask: 401 unauthorized, 403 forbidden, 429 rate_limited
// (all rejected), other 4xx rejected/http_rejected, 503 service_unavailable and other 5xx
// server_error (unknown outcome), 1xx/3xx unexpected_status (unknown outcome). 429 and 503 carry
// Retry-After when present. Diagnostics: errorCode/errorMessage/traceId of a JSON body, else
// the start of the body, sanitized.
client_error classify_status(const net::response& res, std::chrono::system_clock::time_point now,
                             const redaction& secrets = {});

// The error for a transport failure. Before the request was written whole: not_sent
// (resolve_failed, connect_failed, tls_failed, send_failed, connection_wait_timeout). After:
// unknown_outcome (response_timeout, response_too_large, truncated_response, connection_lost);
// for a token request (`token_request`) every such failure is not_sent/token_request_failed,
// since no ask was involved.
client_error classify_transport(const net::transport_error& e, bool token_request);

// Retry-After as delta-seconds or an HTTP-date (relative to `now`), saturated at
// max_retry_after; nullopt when absent or bad.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

// Replaces every occurrence of each non-empty secret in `text` with "[redacted]".
void redact(std::string& text, std::span<const secret* const> secrets);

}  // namespace paymand::payman
