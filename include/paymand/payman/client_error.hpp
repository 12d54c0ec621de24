#pragma once

// The typed failure of every client operation.

#include "paymand/core/error.hpp"
#include "paymand/payman/payman_errc.hpp"
#include "paymand/payman/secret.hpp"

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>

#include <bitset>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// A core::error (`code`: a payman_errc; `message`: our own words, what happened and what to do,
// never server text or secrets; offset, line and column stay 0) plus the facts that decide
// whether the ask may have been carried out.
struct client_error : core::error {
    error_class kind = error_class::not_sent;
    boost::system::error_code cause;  // the underlying Asio/SSL/Beast/net error, if any
    int http_status = 0;              // 0 when no HTTP status was received
    std::optional<std::chrono::seconds> retry_after;  // from 429/503 Retry-After
    std::optional<std::int64_t> rpc_code;             // JSON-RPC error code
    // What the server said (error message, code, trace id), untrusted: control characters
    // replaced, known secrets redacted, at most max_diagnostics_size bytes.
    std::string diagnostics;

    // One line for logs and people: "unknown outcome: ... [server said: ...]".
    std::string what() const;
};

inline constexpr std::size_t max_diagnostics_size = 512;

// What must never appear in diagnostics: each credential as it is held, its base64 forms
// (standard and URL-safe, with or without padding) and the value of the Basic authorization
// header (base64 of "client_id:secret"). The needles are held as secrets (wiped when done).
class redaction {
public:
    redaction() = default;
    // The value and its base64 forms.
    void add(std::string_view value);
    // base64("client_id:secret"), as the token request's Authorization header carries it.
    void add_basic(std::string_view client_id, std::string_view client_secret);
    const std::vector<secret>& needles() const noexcept { return needles_; }
    // Whether a needle may start at a byte (ASCII case ignored): most bytes of a text start
    // none, and are passed over without trying each needle.
    bool may_start(char c) const noexcept { return starts_[fold(c)]; }

private:
    static unsigned char fold(char c) noexcept
    {
        return static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    void keep(std::string_view needle);

    std::vector<secret> needles_;
    std::bitset<256> starts_;
};

// Cleans untrusted server text for diagnostics: control and non-printable ASCII become
// spaces, runs of spaces collapse, every needle of `secrets` is replaced by "[redacted]"
// (matched ignoring ASCII case and the spaces a server may slip in, and also when the text ends
// in the middle of one, from 8 bytes on), and only then is the result cut at
// max_diagnostics_size bytes (on a UTF-8 boundary) with "..." appended when cut: a cut never
// leaves half a secret behind.
std::string sanitize_diagnostics(std::string_view untrusted, const redaction& secrets = {});

// Found by ADL: result<T, client_error>::value() throws std::runtime_error(what()).
[[noreturn]] void throw_exception_from_error(const client_error& e,
                                             const boost::source_location& loc);

}  // namespace paymand::payman
