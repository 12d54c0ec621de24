// `paymand auth login`: a person's consent turned into a stored grant, as a native app does it
// (RFC 8252): a one-shot listener on the loopback interface, the consent page in a browser,
// the code exchanged once with the client secret, the refresh token stored durably.

#include "app/auth_grant.hpp"
#include "app/command.hpp"
#include "paymand/audit/time_format.hpp"
#include "paymand/config/secret_source.hpp"
#include "paymand/core/clock.hpp"
#include "paymand/grant/authorization.hpp"
#include "paymand/grant/stored_grant.hpp"
#include "paymand/payman/client.hpp"
#include "paymand/payman/environment.hpp"
#include "paymand/text/display.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>

extern char** environ;

namespace paymand::app {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr std::string_view prefix = "paymand auth login";
constexpr auto request_timeout = std::chrono::seconds(10);

// The page the browser shows when it comes back: what happened, and that it may be closed.
http::response<http::string_body> page(http::status status, std::string_view title,
                                       std::string_view text)
{
    http::response<http::string_body> res{status, 11};
    res.set(http::field::content_type, "text/html; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    res.set(http::field::connection, "close");
    res.body() = fmt::format(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>paymand: {0}</title>\n"
        "<style>body{{font-family:sans-serif;max-width:36em;margin:4em auto;color:#222}}"
        "h1{{font-size:1.4em}}</style></head>\n<body>\n<h1>{0}</h1>\n<p>{1}</p>\n"
        "<p>You can close this window and return to the terminal.</p>\n</body></html>\n",
        text::html_escape(title), text::html_escape(text));
    res.prepare_payload();
    return res;
}

// The other callback_errc values (malformed, wrong_path, missing_code) are plain failures.
int exit_of(const boost::system::error_code& code)
{
    using grant::callback_errc;
    if (code == callback_errc::access_denied) return exit_consent_denied;
    if (code == callback_errc::state_mismatch) return exit_state_mismatch;
    if (code == callback_errc::invalid_scope || code == callback_errc::server_error)
        return exit_consent_refused;
    return exit_failure;
}

// Opens `url` in the desktop's browser when there is a desktop; never waits for it.
void open_browser(const std::string& url)
{
    if (std::getenv("DISPLAY") == nullptr && std::getenv("WAYLAND_DISPLAY") == nullptr) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::string program = "xdg-open";
    std::string arg = url;
    char* argv[] = {program.data(), arg.data(), nullptr};
    pid_t pid = 0;
    if (posix_spawnp(&pid, "xdg-open", &actions, nullptr, argv, environ) == 0)
        std::cout << "(opened with xdg-open)\n";
    posix_spawn_file_actions_destroy(&actions);
}

struct login_state {
    const daemon::loaded& loaded;
    audit::file_audit_store& store;
    std::vector<std::string> scopes;
    std::string redirect_uri;
    std::string path;
    std::string state;
    std::optional<std::string> verifier;
    payman::secret client_secret;
    int exit = exit_software;
};

// One browser request on the loopback listener.
struct browser_request {
    std::unique_ptr<beast::tcp_stream> stream;  // not move-assignable itself
    std::string target;
};

// Accepts connections until one asks for the redirect path (others get 404: a browser also
// asks for /favicon.ico); nothing when the listener is closed (the deadline).
asio::awaitable<browser_request> wait_for_redirect(tcp::acceptor& acceptor, std::string path)
{
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return browser_request{};
        beast::tcp_stream stream(std::move(socket));
        stream.expires_after(request_timeout);
        beast::flat_buffer buffer;
        http::request<http::string_body> req;
        auto [read_ec, n] =
            co_await http::async_read(stream, buffer, req, asio::as_tuple(asio::use_awaitable));
        (void)n;
        if (read_ec) continue;
        std::string target(req.target());
        if (target.substr(0, target.find('?')) != path) {
            auto res = page(http::status::not_found, "Not found", "This is not the login page.");
            (void)co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
            continue;
        }
        co_return browser_request{std::make_unique<beast::tcp_stream>(std::move(stream)),
                                  std::move(target)};
    }
}

// Exchanges the code once; stores the grant when its refresh token arrives (before anything
// uses the access token). The title and text for the browser.
asio::awaitable<std::pair<std::string, std::string>> exchange(login_state& s, payman::secret code)
{
    const auto& cfg = s.loaded.config;
    std::optional<grant::stored_grant> made;
    auto client_config = cfg.client;
    client_config.grant_events.on_refresh_token =
        [&](const payman::token_response& answer,
            payman::grant_type) -> boost::system::result<void, std::string> {
        const auto now = core::now_seconds();
        grant::stored_grant g{.client_id = cfg.client_id, .scopes = s.scopes, .granted_at = now};
        g = grant::rotated(std::move(g), *answer.refresh_token, answer.scope, answer.expires_in,
                           now);
        if (auto saved = grant::save_grant(cfg.grant_path(), g); !saved)
            return saved.error().message;
        made = std::move(g);
        return {};
    };
    std::optional<payman::secret> verifier;
    if (s.verifier) verifier.emplace(*s.verifier);
    // Named, not braced inside the co_await's full expression (the GCC 12 coroutine bug).
    auto executor = co_await asio::this_coro::executor;
    payman::code_exchange with_code{std::move(code), s.redirect_uri, std::move(verifier)};
    auto client = payman::client::with_auth_code(executor, client_config, cfg.client_id,
                                                 std::move(s.client_secret), std::move(with_code));
    if (!client) {
        std::cerr << prefix << ": error: " << client.error().what() << "\n";
        s.exit = exit_failure;
        co_return std::pair{std::string("Login failed"), client.error().message};
    }
    auto token = co_await client->async_access_token();
    if (!token) {
        const auto& e = token.error();
        std::cerr << prefix << ": error: the code could not be exchanged: " << e.what() << "\n";
        s.exit = e.code == payman::payman_errc::token_refused ? exit_failure : exit_unavailable;
        co_return std::pair{std::string("Login failed"),
                            std::string("The authorization code could not be exchanged for a "
                                        "token; the terminal says why. Nothing was stored.")};
    }
    if (!made) {
        std::cerr << prefix
                  << ": error: the server issued no refresh token, so the daemon "
                     "could not renew access when this token expires; nothing was "
                     "stored\n";
        s.exit = exit_failure;
        co_return std::pair{std::string("Login failed"),
                            std::string("The server issued no refresh token. Nothing was "
                                        "stored.")};
    }
    if (!append_record(s.store,
                       audit::grant_record{.event = audit::grant_event::made,
                                           .client_id = made->client_id,
                                           .scopes = grant::join_scopes(made->scopes),
                                           .access_expires = made->access_expires,
                                           .rotation = 0,
                                           .reason = std::nullopt},
                       prefix)) {
        // The grant is stored and usable; only its record is missing, which the operator must
        // know about (the audit log is the account of what paymand did).
        s.exit = exit_cant_create;
    } else {
        s.exit = exit_ok;
    }
    fmt::print("grant stored in {} (mode 0600; the refresh token is never shown)\n",
               cfg.grant_path().string());
    fmt::print("  client {}, scopes granted: {}\n", made->client_id,
               grant::join_scopes(made->scopes));
    fmt::print("  access token valid until {}\n", audit::format_utc(*made->access_expires));
    for (const auto& want : s.scopes)
        if (std::find(made->scopes.begin(), made->scopes.end(), want) == made->scopes.end())
            fmt::print("  WARNING: scope {} was asked for but not granted\n", want);
    fmt::print("start the daemon (systemctl start paymand); `paymand auth status` shows the "
               "grant\n");
    co_return std::pair{std::string("paymand may now act for you"),
                        fmt::format("Access granted to {} for: {}. paymand stored the grant.",
                                    made->client_id, grant::join_scopes(made->scopes))};
}

asio::awaitable<void> login_flow(login_state& s, tcp::acceptor* acceptor,
                                 std::optional<std::string> pasted, bool& timed_out)
{
    browser_request from_browser;
    std::string target;
    if (pasted) {
        target = *pasted;
    } else {
        from_browser = co_await wait_for_redirect(*acceptor, s.path);
        acceptor->close();
        if (!from_browser.stream) {
            timed_out = true;
            co_return;
        }
        target = std::move(from_browser.target);
    }
    auto code = grant::parse_callback(target, s.path, s.state);
    std::pair<std::string, std::string> outcome;
    if (!code) {
        std::cerr << prefix << ": error: " << code.error().message << "\n";
        s.exit = exit_of(code.error().code);
        outcome = {"Login failed", code.error().message};
    } else {
        outcome = co_await exchange(s, std::move(*code));
    }
    if (from_browser.stream) {
        auto res = page(s.exit == exit_ok ? http::status::ok : http::status::bad_request,
                        outcome.first, outcome.second);
        from_browser.stream->expires_after(request_timeout);
        (void)co_await http::async_write(*from_browser.stream, res,
                                         asio::as_tuple(asio::use_awaitable));
        beast::error_code ignored;
        from_browser.stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
}

// Listens on the redirect URI's loopback address and port (port 0: any); false, with the
// reason on stderr, when it cannot.
bool listen_for_redirect(tcp::acceptor& acceptor, const grant::loopback_uri& where)
{
    const auto address = asio::ip::make_address(where.host == "[::1]" ? "::1" : "127.0.0.1");
    boost::system::error_code ec;
    acceptor.open(address.is_v6() ? tcp::v6() : tcp::v4(), ec);
    if (!ec) acceptor.bind({address, where.port}, ec);
    if (!ec) acceptor.listen(1, ec);
    if (ec) {
        std::cerr << prefix << ": error: cannot listen on " << address.to_string() << ":"
                  << where.port << " for the browser's return: " << ec.message()
                  << " (another program uses the port? change payman.redirect_uri and register "
                     "it, or use --no-listen)\n";
        return false;
    }
    return true;
}

// The consent URL the person opens: the authorize endpoint with the client, the redirect,
// the scopes, `state` and, with PKCE, the code challenge.
std::string consent_url_for(const config::daemon_config& cfg, const login_state& login)
{
    auto base = payman::select_base_url(cfg.client.environment, cfg.client.base_url, cfg.client_id);
    grant::authorization_request request{
        .authorize_url = cfg.grant.authorize_url.value_or(*base + "/oauth/authorize"),
        .client_id = cfg.client_id,
        .redirect_uri = login.redirect_uri,
        .scopes = login.scopes,
        .state = login.state,
        .code_challenge = login.verifier
                              ? std::optional(grant::code_challenge_s256(*login.verifier))
                              : std::nullopt};
    return grant::consent_url(request);
}

// --no-listen: the redirected address as the person pastes it, trimmed; nullopt at the end of
// the input.
std::optional<std::string> read_pasted_redirect(const std::string& redirect_uri)
{
    fmt::print("After approving, the browser goes to {} and shows an error (nothing listens "
               "there): copy the whole address from its address bar and paste it here:\n",
               redirect_uri);
    std::fflush(stdout);
    std::string line;
    if (!std::getline(std::cin, line)) return std::nullopt;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    while (!line.empty() && line.front() == ' ') line.erase(0, 1);
    return line;
}

// Runs the login flow until it ends or the timeout closes the listener; the exit code.
int wait_for_consent(asio::io_context& io, tcp::acceptor& acceptor, login_state& login,
                     const login_args& a, std::optional<std::string> pasted)
{
    bool timed_out = false;
    asio::steady_timer deadline(io);
    deadline.expires_after(std::chrono::seconds(a.timeout_s));
    deadline.async_wait([&](boost::system::error_code e) {
        if (!e) acceptor.close();
    });
    std::exception_ptr failure;
    asio::co_spawn(io, login_flow(login, a.no_listen ? nullptr : &acceptor, pasted, timed_out),
                   [&](std::exception_ptr e) {
                       failure = e;
                       deadline.cancel();
                   });
    io.run();
    if (failure) std::rethrow_exception(failure);
    if (timed_out) {
        std::cerr << prefix << ": error: no browser came back to " << login.redirect_uri
                  << " within " << a.timeout_s
                  << " s; nothing was stored (run it again; on a server without a browser use "
                     "SSH port forwarding or --no-listen)\n";
        return exit_consent_timeout;
    }
    return login.exit;
}

// The configuration checks before anything is opened: the grant mode and the scopes to ask
// for (empty, with the reason on stderr, when the login cannot go on).
std::vector<std::string> checked_login_scopes(const daemon::loaded& loaded, const login_args& a)
{
    if (loaded.config.grant.mode != config::grant_mode::authorization_code) {
        std::cerr << prefix << ": error: " << a.config
                  << ": payman.grant is client_credentials (the app's own wallets); to pay from "
                     "a person's wallet set payman.grant: authorization_code\n";
        return {};
    }
    auto scopes = scopes_to_ask(loaded, a.scopes);
    if (scopes.empty()) {
        std::cerr << prefix
                  << ": error: the rules need no Payman scope; name the scopes to ask "
                     "for with --scopes\n";
    }
    return scopes;
}

}  // namespace

int run_auth_login(const login_args& a)
{
    auto loaded = load_for_auth(a.config);
    if (!loaded) return exit_failure;
    const auto& cfg = loaded->config;
    auto scopes = checked_login_scopes(*loaded, a);
    if (scopes.empty()) return exit_failure;
    config::protect_process();
    int locked_exit = exit_failure;
    auto store = lock_state(cfg, prefix, locked_exit);
    if (!store) return locked_exit;
    auto secret = config::load_secret(cfg.client_secret, daemon::process_environment());
    config::forget_secret_environment(cfg.client_secret);
    if (!secret) {
        std::cerr << prefix << ": error: " << secret.error().message << "\n";
        return exit_unavailable;
    }

    auto where =
        grant::parse_loopback_uri(cfg.grant.redirect_uri.value_or("http://127.0.0.1/callback"));
    if (!where) {  // the configuration was checked when it loaded
        std::cerr << prefix << ": error: payman.redirect_uri: " << where.error().message << "\n";
        return exit_failure;
    }
    asio::io_context io;
    tcp::acceptor acceptor(io);
    if (!listen_for_redirect(acceptor, *where)) return exit_unavailable;
    const auto port = acceptor.local_endpoint().port();
    if (a.no_listen) acceptor.close();

    auto state = grant::random_token();
    auto verifier = cfg.grant.pkce ? grant::random_token() : boost::system::result<std::string>("");
    if (!state || !verifier) {
        std::cerr << prefix << ": error: the system gave no randomness\n";
        return exit_software;
    }
    login_state login{.loaded = *loaded,
                      .store = *store,
                      .scopes = scopes,
                      .redirect_uri = fmt::format("http://{}:{}{}", where->host, port, where->path),
                      .path = where->path,
                      .state = *state,
                      .verifier = cfg.grant.pkce ? std::optional(*verifier) : std::nullopt,
                      .client_secret = std::move(*secret)};
    const auto url = consent_url_for(cfg, login);
    fmt::print("Open this URL in a browser where the wallets' owner can sign in to Payman, and "
               "approve:\n\n  {}\n\n",
               url);
    std::optional<std::string> pasted;
    if (a.no_listen) {
        pasted = read_pasted_redirect(login.redirect_uri);
        if (!pasted) {
            std::cerr << prefix << ": error: no redirected URL was pasted; nothing was stored\n";
            return exit_failure;
        }
    } else {
        fmt::print("Waiting up to {} s for the browser to come back to {} ...\n", a.timeout_s,
                   login.redirect_uri);
        std::fflush(stdout);
        if (!a.no_browser) open_browser(url);
    }
    return wait_for_consent(io, acceptor, login, a, std::move(pasted));
}

}  // namespace paymand::app
