#pragma once

// The authorization-code flow of a native app (RFC 8252) without I/O: the consent URL, the
// `state` and PKCE (RFC 7636, S256) values, and reading what the browser brings back to the
// loopback redirect URI (or what an operator pastes back). `paymand auth login` drives it.

#include "paymand/core/error.hpp"
#include "paymand/payman/secret.hpp"

#include <boost/system/error_code.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::grant {

// Why the browser's return does not yield a code. Each has its own message and exit code.
enum class callback_errc {
    malformed = 1,   // not a URL or request target we can read
    wrong_path,      // another path than the redirect URI's (e.g. /favicon.ico)
    state_mismatch,  // missing or other `state`: not the answer to our request (forged)
    access_denied,   // the person pressed Deny
    invalid_scope,   // the server refused the scopes asked for
    server_error,    // any other `error=` from the server
    missing_code,    // neither code nor error
};

const boost::system::error_category& callback_category() noexcept;
boost::system::error_code make_error_code(callback_errc e) noexcept;

// A refusal is a core::error with a callback_errc; its message is for the terminal and the
// browser page: the server's own text (error_description) is included only sanitised, as
// untrusted.

struct authorization_request {
    std::string authorize_url;  // the server's consent page
    std::string client_id;
    std::string redirect_uri;  // the loopback URI the browser returns to
    std::vector<std::string> scopes;
    std::string state;
    std::optional<std::string> code_challenge;  // S256, when PKCE is used
};

// The URL a person opens: authorize_url?response_type=code&client_id=..&redirect_uri=..
// &scope=a,b&state=..[&code_challenge=..&code_challenge_method=S256], each value escaped.
std::string consent_url(const authorization_request& request);

// 32 random bytes, base64url without padding (43 characters): a `state` or a PKCE verifier.
// Fails only when the system cannot give randomness.
boost::system::result<std::string> random_token();

// BASE64URL(SHA256(verifier)) without padding (RFC 7636 4.2).
std::string code_challenge_s256(std::string_view verifier);

// Reads the redirect: `target` is the request target the listener received
// ("/callback?code=..&state=..") or the whole URL an operator pasted back
// ("http://127.0.0.1:8080/callback?code=..&state=.."). The path must be `expected_path`; the
// state is compared (in constant time) before anything else is believed, so a forged or
// replayed redirect can never deliver a code or an error of its own.
core::result<payman::secret> parse_callback(std::string_view target, std::string_view expected_path,
                                            std::string_view expected_state);

// A loopback redirect URI: http, host 127.0.0.1, [::1] or localhost, a port (0 or absent: any
// free one), a path. Otherwise invalid_argument and why.
struct loopback_uri {
    std::string host;
    unsigned short port = 0;
    std::string path;
};
core::result<loopback_uri> parse_loopback_uri(std::string_view uri);

}  // namespace paymand::grant

template <>
struct boost::system::is_error_code_enum<paymand::grant::callback_errc> : std::true_type {
};
