#pragma once

// What went wrong talking to Payman, precise enough to log and test; error_class says what the
// caller may do about it.

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace paymand::payman {

enum class payman_errc {
    // Configuration and input: found before anything is sent.
    invalid_base_url = 1,
    plain_http_refused,
    test_credentials_on_live,
    unknown_environment,
    missing_client_id,
    missing_client_secret,
    invalid_ca_file,
    invalid_ask,
    invalid_session_id,
    invalid_config,  // the configuration file the credentials come from does not load
    internal,

    // Not sent: nothing reached Payman's agent; safe to retry.
    resolve_failed,
    connect_failed,
    tls_failed,
    send_failed,
    connection_wait_timeout,
    token_request_failed,
    token_refused,
    token_response_invalid,
    token_expired,

    // Rejected: the server refused the ask; it was not carried out.
    unauthorized,
    forbidden,
    rate_limited,
    http_rejected,
    jsonrpc_error,

    // Unknown outcome: the ask may have reached Payman and been carried out.
    response_timeout,
    connection_lost,
    truncated_response,
    response_too_large,
    malformed_response,
    server_error,
    service_unavailable,
    unexpected_status,

    // Not sent, a person's grant (payman.grant: authorization_code).
    token_not_stored,  // a rotated refresh token could not be made durable: not used yet
    grant_refused,     // the grant is no longer valid; a person must consent again
};

const boost::system::error_category& payman_category() noexcept;

inline boost::system::error_code make_error_code(payman_errc e) noexcept
{
    return {static_cast<int>(e), payman_category()};
}

}  // namespace paymand::payman

template <>
struct boost::system::is_error_code_enum<paymand::payman::payman_errc> : std::true_type {
};
