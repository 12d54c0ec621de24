#include "paymand/payman/payman_errc.hpp"

#include <string>

namespace paymand::payman {
namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "paymand.payman"; }

    std::string message(int ev) const override
    {
        using e = payman_errc;
        switch (static_cast<payman_errc>(ev)) {
        case e::invalid_base_url:
            return "invalid base URL";
        case e::plain_http_refused:
            return "plain http refused for a host that is not loopback";
        case e::test_credentials_on_live:
            return "test credentials used with the live environment";
        case e::unknown_environment:
            return "unknown environment";
        case e::missing_client_id:
            return "missing client id";
        case e::missing_client_secret:
            return "missing client secret";
        case e::invalid_ca_file:
            return "CA file could not be loaded";
        case e::invalid_ask:
            return "invalid ask";
        case e::invalid_session_id:
            return "invalid session id";
        case e::invalid_config:
            return "invalid configuration file";
        case e::internal:
            return "internal error";
        case e::resolve_failed:
            return "host name resolution failed";
        case e::connect_failed:
            return "connection failed";
        case e::tls_failed:
            return "TLS handshake failed";
        case e::send_failed:
            return "request could not be sent";
        case e::connection_wait_timeout:
            return "no free connection in time";
        case e::token_request_failed:
            return "token request failed";
        case e::token_refused:
            return "token request refused";
        case e::token_response_invalid:
            return "token response invalid";
        case e::token_expired:
            return "access token expired and cannot be renewed";
        case e::unauthorized:
            return "unauthorized";
        case e::forbidden:
            return "forbidden";
        case e::rate_limited:
            return "rate limited";
        case e::http_rejected:
            return "request rejected";
        case e::jsonrpc_error:
            return "JSON-RPC error";
        case e::response_timeout:
            return "timed out waiting for the response";
        case e::connection_lost:
            return "connection lost after the request was sent";
        case e::truncated_response:
            return "response truncated";
        case e::response_too_large:
            return "response larger than the size cap";
        case e::malformed_response:
            return "malformed response";
        case e::server_error:
            return "server error";
        case e::service_unavailable:
            return "service unavailable";
        case e::unexpected_status:
            return "unexpected HTTP status";
        case e::token_not_stored:
            return "the new refresh token could not be stored";
        case e::grant_refused:
            return "the user's grant is no longer valid";
        }
        return "unknown paymand.payman error";
    }
};

}  // namespace

const boost::system::error_category& payman_category() noexcept
{
    static const category instance;
    return instance;
}

}  // namespace paymand::payman
