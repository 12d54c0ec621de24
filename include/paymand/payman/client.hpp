#pragma once

// paymand's Payman client: ask the agent, with OAuth handled for you.
//
//   auto c = payman::client::with_credentials(ex, config, "pm-test-...", payman::secret(s));
//   auto reply = co_await c->async_ask("list all wallets and their balances");
//   if (reply) std::cout << reply->reply_text();
//   else if (reply.error().kind == payman::error_class::unknown_outcome) ...

#include "paymand/payman/ask.hpp"
#include "paymand/payman/client_config.hpp"
#include "paymand/payman/client_error.hpp"
#include "paymand/payman/secret.hpp"
#include "paymand/payman/token.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace paymand::payman {

struct client_stats {
    std::size_t token_requests = 0;  // token endpoint calls made
    std::size_t asks_sent = 0;       // tasks.send requests written (resends included)
    std::size_t connections_opened = 0;
    // The scopes granted with the last token, comma-separated as the server wrote them
    // (empty before the first token, or when the server did not say).
    std::string granted_scope;
};

// Thread model: all operations must be started from coroutines running on the executor given
// at construction (a strand if the io_context has several threads). Copies of a client share
// one session, token and connection pool; operations keep that state alive while they run.
//
// Construction validates the configuration (base URL, environment against the client id,
// plain http only to loopback, the CA file) and opens nothing; the first ask fetches a token.
class client {
public:
    // Client credentials grant (machine to machine).
    static boost::system::result<client, client_error>
    with_credentials(boost::asio::any_io_executor executor, client_config config,
                     std::string client_id, secret client_secret);

    // Authorization code grant: the code is exchanged on first use and its refresh token kept.
    // When the user's authorization can no longer be refreshed the client fails with
    // token_expired rather than fall back to client credentials, which would switch from the
    // user's account to the app's own.
    static boost::system::result<client, client_error>
    with_auth_code(boost::asio::any_io_executor executor, client_config config,
                   std::string client_id, secret client_secret, secret code);

    // The same with what the code's exchange must repeat of the authorization request: the
    // redirect URI and the PKCE verifier (sent when set).
    static boost::system::result<client, client_error>
    with_auth_code(boost::asio::any_io_executor executor, client_config config,
                   std::string client_id, secret client_secret, code_exchange exchange);

    // A person's stored grant: the first token comes from the refresh token, and every token
    // answer rotates it (config.grant_events hears of each before its access token is used).
    // A refused refresh token fails asks with token_refused; there is no fallback to client
    // credentials.
    static boost::system::result<client, client_error>
    with_refresh_token(boost::asio::any_io_executor executor, client_config config,
                       std::string client_id, secret client_secret, secret refresh_token);

    // An existing access token with its remaining lifetime and optionally a refresh token
    // (renewed with the refresh grant, using `client_secret` if given). A token without a
    // refresh token is used until it expires; then asks fail with token_expired.
    static boost::system::result<client, client_error>
    with_token(boost::asio::any_io_executor executor, client_config config, std::string client_id,
               token_info token, std::optional<secret> client_secret = std::nullopt);

    // Sends `text` to the agent (tasks.send) and returns its typed answer or a classified
    // error. Fetches or renews the token first if needed (one fetch at a time; concurrent asks
    // wait for it). A 401 leads to exactly one token renewal and one resend of the same ask.
    boost::asio::awaitable<boost::system::result<ask_result, client_error>>
    async_ask(std::string text, ask_options options = {});

    // The current access token and its remaining lifetime, fetching one if needed (as the
    // SDKs' getAccessToken). The token is a secret: do not print it.
    boost::asio::awaitable<boost::system::result<token_info, client_error>> async_access_token();

    // The session asks go to, and switching it (both also possible per ask via ask_options).
    std::string session_id() const;
    boost::system::result<void, client_error> new_session();
    boost::system::result<void, client_error> resume_session(std::string id);

    // The base URL in use, e.g. "https://agent.payman.dev/api".
    std::string base_url() const;
    client_stats stats() const;

    struct impl;

private:
    explicit client(std::shared_ptr<impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<impl> impl_;
};

}  // namespace paymand::payman
