#include "paymand/payman/client.hpp"

#include "paymand/net/http_client.hpp"
#include "paymand/net/net_errc.hpp"
#include "paymand/net/tls_context.hpp"
#include "paymand/payman/ids.hpp"
#include "paymand/payman/protocol.hpp"
#include "paymand/version.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <array>

namespace paymand::payman {

namespace asio = boost::asio;

namespace {

client_error config_error(payman_errc code, std::string message)
{
    return core::extend({.code = code, .message = std::move(message)},
                        client_error{.kind = error_class::not_sent});
}

bool valid_client_id(std::string_view id)
{
    if (id.empty() || id.size() > 256) return false;
    return std::all_of(id.begin(), id.end(),
                       [](char c) { return c > 0x20 && c < 0x7f && c != ':'; });
}

}  // namespace

struct client::impl : std::enable_shared_from_this<impl> {
    impl(asio::any_io_executor ex, client_config cfg, net::endpoint target,
         std::shared_ptr<asio::ssl::context> tls, std::string id, secret key)
        : executor(ex), config(std::move(cfg)),
          clk(config.clock ? config.clock : core::system_clock()),
          http(ex, std::move(target), config.http, std::move(tls)), client_id(std::move(id)),
          client_secret(std::move(key)), book(config.token_refresh_margin), fetch_done(ex),
          user_agent(config.user_agent.empty() ? fmt::format("paymand/{}", version)
                                               : config.user_agent)
    {
    }

    asio::any_io_executor executor;
    client_config config;
    std::shared_ptr<const core::clock> clk;
    net::http_client http;
    std::string client_id;
    secret client_secret;
    token_book book;
    std::string session;

    // Single flight of token requests: the fetcher owns `fetching`; waiters wait on
    // `fetch_done` and take the fetch's error if it failed.
    bool fetching = false;
    std::uint64_t fetches_done = 0;
    std::optional<client_error> last_fetch_error;
    asio::steady_timer fetch_done;

    std::string user_agent;
    std::size_t token_requests = 0;
    std::string granted_scope;
    std::size_t asks_sent = 0;

    template <class MakeText>
    void log(log_level level, MakeText&& make_text) const
    {
        if (!config.logger || level < config.log_threshold) return;
        config.logger(level, make_text());
    }

    // Everything held that a server might echo, in every form it might echo it. Built again
    // only when the tokens changed: every reply is read against it.
    const redaction& secrets() const
    {
        const auto& refresh = book.refresh_token();
        const secret none;
        const secret& refresh_now = refresh ? *refresh : none;
        if (redaction_built && redaction_access == book.access_token() &&
            redaction_refresh == refresh_now)
            return redaction_cache;
        redaction r;
        r.add(client_secret.expose());
        r.add_basic(client_id, client_secret.expose());
        r.add(book.access_token().expose());
        if (refresh) r.add(refresh->expose());
        redaction_cache = std::move(r);
        redaction_access = book.access_token();
        redaction_refresh = refresh_now;
        redaction_built = true;
        return redaction_cache;
    }
    mutable redaction redaction_cache;
    mutable secret redaction_access, redaction_refresh;  // the tokens it was built with
    mutable bool redaction_built = false;

    // Guards the error's diagnostics against echoes of what we hold.
    void scrub(client_error& e) const
    {
        const std::array<const secret*, 2> held{&client_secret, &book.access_token()};
        redact(e.diagnostics, held);
    }

    asio::awaitable<boost::system::result<void, client_error>> fetch_token()
    {
        for (;;) {
            auto g = book.next_grant();
            if (!g) {
                co_return config_error(
                    payman_errc::token_expired,
                    "the access token has expired or was refused, and this client has no refresh "
                    "token or credentials to get a new one: supply a new token");
            }
            const grant_type used = g->type;
            log(log_level::debug,
                [&] { return fmt::format("requesting a token ({} grant)", to_string(used)); });
            auto req = build_token_request(http.target(), *g, client_id, client_secret, user_agent);
            g->value.clear();
            ++token_requests;
            auto res = co_await http.async_send(std::move(req));
            if (!res) {
                auto e = classify_transport(res.error(), true);
                log(log_level::warning, [&] { return "token request failed: " + e.what(); });
                co_return e;
            }
            auto parsed = parse_token_response(*res, clk->wall_now(), secrets());
            if (parsed) {
                book.accept(*parsed, used, clk->steady_now());
                granted_scope = parsed->scope;
                if (parsed->refresh_token && config.grant_events.on_refresh_token) {
                    // The new refresh token must be durable before its access token is used;
                    // held in memory meanwhile, it is what the next fetch sends.
                    auto stored = config.grant_events.on_refresh_token(*parsed, used);
                    if (!stored) {
                        book.invalidate(book.generation());
                        auto e =
                            config_error(payman_errc::token_not_stored,
                                         "a new refresh token arrived but could not be stored (" +
                                             stored.error() +
                                             "); its access token is not used and nothing "
                                             "was sent");
                        log(log_level::error, [&] { return e.what(); });
                        co_return e;
                    }
                }
                log(log_level::info, [&] {
                    return fmt::format("access token obtained ({} grant), valid for {} s{}",
                                       to_string(used), parsed->expires_in.count(),
                                       parsed->refresh_token ? ", refresh token held" : "");
                });
                co_return boost::system::result<void, client_error>{};
            }
            auto e = parsed.error();
            scrub(e);
            if (e.code == payman_errc::token_refused) {
                book.refused(used);
                if (used == grant_type::refresh_token && book.next_grant()) {
                    log(log_level::warning, [] {
                        return std::string("refresh token refused; asking for a new token with "
                                           "client credentials");
                    });
                    continue;
                }
            }
            e.message += fmt::format(" ({} grant)", to_string(used));
            log(log_level::warning, [&] { return "token request failed: " + e.what(); });
            // 400 (invalid_grant) refuses the grant itself; 401 refuses the client's own
            // credentials (a wrong secret), which a new consent would not cure.
            if (e.code == payman_errc::token_refused && e.http_status == 400 &&
                used == grant_type::refresh_token && config.grant_events.on_refused)
                config.grant_events.on_refused(e);
            co_return e;
        }
    }

    // Makes sure a usable token is held: reuses it, or fetches one (one fetch at a time; asks
    // that arrive meanwhile wait for it and share its outcome).
    asio::awaitable<boost::system::result<void, client_error>> ensure_token()
    {
        for (;;) {
            if (book.usable(clk->steady_now()))
                co_return boost::system::result<void, client_error>{};
            if (fetching) {
                const auto seen = fetches_done;
                (void)co_await fetch_done.async_wait(asio::as_tuple(asio::use_awaitable));
                if (fetches_done == seen) {
                    co_return config_error(payman_errc::token_request_failed,
                                           "cancelled while waiting for a token; nothing was sent");
                }
                if (fetches_done == seen + 1) {
                    if (last_fetch_error) co_return *last_fetch_error;
                    if (book.alive(clk->steady_now()))
                        co_return boost::system::result<void, client_error>{};
                }
                continue;
            }
            fetching = true;
            fetch_done.expires_at(asio::steady_timer::time_point::max());
            struct finish {
                impl& self;
                ~finish()
                {
                    self.fetching = false;
                    ++self.fetches_done;
                    self.fetch_done.cancel();
                }
            };
            boost::system::result<void, client_error> fetched;
            {
                finish wake_waiters{*this};
                fetched = co_await fetch_token();
                last_fetch_error =
                    fetched ? std::nullopt : std::optional<client_error>(fetched.error());
            }
            if (!fetched) co_return fetched.error();
            if (book.alive(clk->steady_now()))
                co_return boost::system::result<void, client_error>{};
        }
    }

    // `owner` (this impl) is held by the coroutine's frame: the client outlives the ask.
    asio::awaitable<boost::system::result<ask_result, client_error>>
    ask([[maybe_unused]] std::shared_ptr<impl> owner, std::string text, ask_options options)
    {
        if (auto valid = validate_ask(text, options); !valid) co_return valid.error();
        if (options.session_id)
            session = *options.session_id;
        else if (options.new_session) {
            auto id = make_id("ses");
            if (!id) co_return id.error();
            session = std::move(*id);
        }
        auto fresh = make_ids({"req", "tsk"});
        if (!fresh) co_return fresh.error();
        const ask_ids ids{std::move((*fresh)[0]), std::move((*fresh)[1]), session};
        // The body is written for each attempt from the same ids and time: the same bytes.
        const auto sent_at = clk->wall_now();

        for (int attempt = 0;; ++attempt) {
            // A token in hand is used without a coroutine of its own to check it.
            if (!book.usable(clk->steady_now())) {
                auto token = co_await ensure_token();
                if (!token) {
                    auto e = token.error();
                    if (attempt > 0) e.message = "after HTTP 401 on the ask: " + e.message;
                    co_return e;
                }
            }
            const auto generation = book.generation();
            auto req =
                build_ask_request(http.target(), build_ask_body_text(text, ids, options, sent_at),
                                  book.access_token(), user_agent);
            ++asks_sent;
            log(log_level::debug, [&] {
                return fmt::format("ask {} sent (session {})", ids.task_id, ids.session_id);
            });
            auto res = co_await http.async_send(std::move(req));
            if (!res) {
                auto e = classify_transport(res.error(), false);
                log(log_level::warning,
                    [&] { return fmt::format("ask {} failed: {}", ids.task_id, e.what()); });
                co_return e;
            }
            if (res->result_int() == 401 && attempt == 0) {
                // A 401 proves the ask was not carried out: renew the token and send it once more.
                log(log_level::info, [&] {
                    return fmt::format(
                        "ask {} got HTTP 401; renewing the token and sending it again",
                        ids.task_id);
                });
                book.invalidate(generation);
                continue;
            }
            auto parsed =
                parse_ask_response(std::move(*res), ids.request_id, clk->wall_now(), secrets());
            if (!parsed) {
                auto e = parsed.error();
                scrub(e);
                log(log_level::warning,
                    [&] { return fmt::format("ask {} failed: {}", ids.task_id, e.what()); });
                co_return e;
            }
            // Debug, as "sent" is: the daemon's own lines say what each answer meant (paid,
            // refused, in doubt), one per occurrence, and failures are warnings above.
            log(log_level::debug, [&] {
                return fmt::format("ask {} answered: {}", ids.task_id, to_string(parsed->state));
            });
            co_return parsed;
        }
    }
};

namespace {

boost::system::result<std::shared_ptr<client::impl>, client_error>
make_impl(asio::any_io_executor executor, client_config config, std::string client_id,
          secret client_secret, bool secret_required)
{
    if (!valid_client_id(client_id))
        return config_error(
            payman_errc::missing_client_id,
            "the client id must be 1-256 printable characters without spaces or ':'");
    if (secret_required && client_secret.empty())
        return config_error(payman_errc::missing_client_secret, "the client secret is empty");

    auto url = select_base_url(config.environment, config.base_url, client_id);
    if (!url) return url.error();
    auto target = net::parse_endpoint(*url);
    if (!target) {
        if (target.error() == net::net_errc::plain_http_not_loopback)
            return config_error(
                payman_errc::plain_http_refused,
                fmt::format("base URL {}: plain http is only allowed to a loopback host "
                            "(127.0.0.1, ::1, localhost); use https",
                            *url));
        return config_error(
            payman_errc::invalid_base_url,
            fmt::format("base URL {}: {}; expected e.g. https://agent.payman.ai/api", *url,
                        target.error().message()));
    }
    std::shared_ptr<asio::ssl::context> tls;
    if (target->tls) {
        auto ctx = net::make_tls_context(config.http.ca_file);
        if (!ctx) {
            return config_error(
                payman_errc::invalid_ca_file,
                config.http.ca_file
                    ? fmt::format("CA file {}: could not be loaded as PEM certificates",
                                  config.http.ca_file->string())
                    : "the system CA store could not be loaded");
        }
        tls = std::move(*ctx);
    }
    auto session = make_id("ses");
    if (!session) return session.error();
    auto p = std::make_shared<client::impl>(std::move(executor), std::move(config),
                                            std::move(*target), std::move(tls),
                                            std::move(client_id), std::move(client_secret));
    p->session = std::move(*session);
    return p;
}

}  // namespace

boost::system::result<client, client_error> client::with_credentials(asio::any_io_executor executor,
                                                                     client_config config,
                                                                     std::string client_id,
                                                                     secret client_secret)
{
    auto p = make_impl(std::move(executor), std::move(config), std::move(client_id),
                       std::move(client_secret), true);
    if (!p) return p.error();
    (*p)->book.allow_client_credentials(true);
    return client(std::move(*p));
}

boost::system::result<client, client_error>
client::with_auth_code(asio::any_io_executor executor, client_config config, std::string client_id,
                       secret client_secret, secret code)
{
    if (code.empty())
        return config_error(payman_errc::invalid_ask, "the authorization code is empty");
    auto p = make_impl(std::move(executor), std::move(config), std::move(client_id),
                       std::move(client_secret), true);
    if (!p) return p.error();
    (*p)->book.set_authorization_code(std::move(code));
    return client(std::move(*p));
}

boost::system::result<client, client_error>
client::with_auth_code(asio::any_io_executor executor, client_config config, std::string client_id,
                       secret client_secret, code_exchange exchange)
{
    if (exchange.code.empty())
        return config_error(payman_errc::invalid_ask, "the authorization code is empty");
    auto p = make_impl(std::move(executor), std::move(config), std::move(client_id),
                       std::move(client_secret), true);
    if (!p) return p.error();
    (*p)->book.set_authorization_code(std::move(exchange));
    return client(std::move(*p));
}

boost::system::result<client, client_error>
client::with_refresh_token(asio::any_io_executor executor, client_config config,
                           std::string client_id, secret client_secret, secret refresh_token)
{
    if (refresh_token.empty() || refresh_token.size() > max_token_size ||
        !is_token68(refresh_token.expose()))
        return config_error(payman_errc::token_response_invalid,
                            fmt::format("the stored refresh token must be RFC 6750 token68 of 1 "
                                        "to {} bytes (value not shown)",
                                        max_token_size));
    auto p = make_impl(std::move(executor), std::move(config), std::move(client_id),
                       std::move(client_secret), true);
    if (!p) return p.error();
    (*p)->book.set_refresh_token(std::move(refresh_token));
    return client(std::move(*p));
}

boost::system::result<client, client_error>
client::with_token(asio::any_io_executor executor, client_config config, std::string client_id,
                   token_info token, std::optional<secret> client_secret)
{
    if (token.access_token.empty())
        return config_error(payman_errc::token_expired, "the access token is empty");
    if (token.access_token.size() > max_token_size || !is_token68(token.access_token.expose()))
        return config_error(payman_errc::token_response_invalid,
                            fmt::format("the access token must be RFC 6750 token68 of at most {} "
                                        "bytes (value not shown)",
                                        max_token_size));
    if (token.expires_in.count() <= 0)
        return config_error(payman_errc::token_expired,
                            "the access token's lifetime must be positive");
    auto p = make_impl(std::move(executor), std::move(config), std::move(client_id),
                       client_secret ? std::move(*client_secret) : secret(), false);
    if (!p) return p.error();
    (*p)->book.set_token(std::move(token), (*p)->clk->steady_now());
    return client(std::move(*p));
}

asio::awaitable<boost::system::result<ask_result, client_error>>
client::async_ask(std::string text, ask_options options)
{
    return impl_->ask(impl_, std::move(text), std::move(options));
}

asio::awaitable<boost::system::result<token_info, client_error>> client::async_access_token()
{
    auto self = impl_;
    auto ok = co_await self->ensure_token();
    if (!ok) co_return ok.error();
    co_return token_info{.access_token = self->book.access_token(),
                         .expires_in = self->book.remaining(self->clk->steady_now())};
}

std::string client::session_id() const
{
    return impl_->session;
}

boost::system::result<void, client_error> client::new_session()
{
    auto id = make_id("ses");
    if (!id) return id.error();
    impl_->session = std::move(*id);
    return {};
}

boost::system::result<void, client_error> client::resume_session(std::string id)
{
    if (!is_valid_session_id(id))
        return config_error(payman_errc::invalid_session_id,
                            "session id must be 1-128 characters of letters, digits and . _ : -");
    impl_->session = std::move(id);
    return {};
}

std::string client::base_url() const
{
    return impl_->http.target().url();
}

client_stats client::stats() const
{
    return {.token_requests = impl_->token_requests,
            .asks_sent = impl_->asks_sent,
            .connections_opened = impl_->http.stats().connections_opened,
            .granted_scope = impl_->granted_scope};
}

}  // namespace paymand::payman
