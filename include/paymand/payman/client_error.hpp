#pragma once

// The typed failure of every client operation.

#include "paymand/payman/payman_errc.hpp"

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::payman {

// What a failure means for the caller.
enum class error_class {
    // Nothing reached Payman's agent (DNS, connect, TLS, token fetch, bad input): safe to retry.
    not_sent,
    // HTTP 4xx or a JSON-RPC error: the server refused; the ask was not carried out. Not retried.
    rejected,
    // The ask may have reached Payman (timeout while waiting, connection lost after the request
    // was written, 5xx, truncated or unparseable body): never retry blindly.
    unknown_outcome,
};

std::string_view to_string(error_class c) noexcept;

struct client_error {
    error_class kind = error_class::not_sent;
    boost::system::error_code code;   // a payman_errc
    boost::system::error_code cause;  // the underlying Asio/SSL/Beast/net error, if any
    int http_status = 0;              // 0 when no HTTP status was received
    std::optional<std::chrono::seconds> retry_after;  // from 429/503 Retry-After
    std::optional<std::int64_t> rpc_code;             // JSON-RPC error code
    // Our own words: what happened and what to do. Never holds server text or secrets.
    std::string message;
    // What the server said (error message, code, trace id), untrusted: control characters
    // replaced, known secrets redacted, at most max_diagnostics_size bytes.
    std::string diagnostics;

    // One line for logs and people: "unknown outcome: ... [server said: ...]".
    std::string what() const;
};

inline constexpr std::size_t max_diagnostics_size = 512;

// Cleans untrusted server text for diagnostics: control and non-printable ASCII become
// spaces, runs of spaces collapse, the result is cut at max_diagnostics_size bytes (on a
// UTF-8 boundary) with "..." appended when cut.
std::string sanitize_diagnostics(std::string_view untrusted);

// Found by ADL: result<T, client_error>::value() throws std::runtime_error(what()).
[[noreturn]] void throw_exception_from_error(const client_error& e,
                                             const boost::source_location& loc);

}  // namespace paymand::payman
