#pragma once

// Everything a client needs besides its credentials.

#include "paymand/core/clock.hpp"
#include "paymand/net/http_config.hpp"
#include "paymand/payman/client_error.hpp"
#include "paymand/payman/environment.hpp"
#include "paymand/payman/token.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::payman {

enum class log_level { debug, info, warning, error };

// Receives the client's log lines (never secrets or tokens). Called on the client's executor.
using logger = std::function<void(log_level, std::string_view)>;

// What the holder of a person's grant learns about its tokens, on the client's executor.
struct grant_observer {
    // A token answer carried a refresh token (the code's exchange, or a rotation). Called
    // before the new access token is used for anything: it must make the refresh token
    // durable. An error keeps the access token from use (the ask fails not_sent/
    // token_not_stored, nothing is sent) while the new refresh token stays held, so the next
    // ask tries again with it and the spent one is never sent again.
    std::function<boost::system::result<void, std::string>(const token_response&, grant_type)>
        on_refresh_token;
    // The server refused the held refresh token (HTTP 400: revoked, expired unused, spent):
    // the person must consent again. Not called for a 401, which refuses the client's own
    // credentials (a wrong secret) rather than the grant.
    std::function<void(const client_error&)> on_refused;
};

struct client_config {
    // test or live; unset: chosen from the client id (see select_base_url).
    std::optional<payman::environment> environment;
    // Overrides both environments, e.g. the sandbox's "http://127.0.0.1:PORT/api".
    std::optional<std::string> base_url;
    // Deadlines per phase, response size cap, pool size, CA file.
    net::http_config http;
    // A token is renewed this long before it expires (when it can be renewed).
    std::chrono::seconds token_refresh_margin{60};
    // Time source; null means the real clocks.
    std::shared_ptr<const core::clock> clock;
    payman::logger logger;
    log_level log_threshold = log_level::info;
    // Sent as User-Agent; empty means "paymand/<version>".
    std::string user_agent;
    // Set by whoever keeps a person's grant (payman.grant: authorization_code).
    grant_observer grant_events;
};

}  // namespace paymand::payman
