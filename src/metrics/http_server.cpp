#include "paymand/metrics/http_server.hpp"

#include "paymand/metrics/routes.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <exception>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

namespace paymand::metrics {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Bytes asked for per read while waiting for a request; the buffer itself is capped.
constexpr std::size_t read_chunk = 4096;
// After an answer that closes the connection, unread input is drained for this long (or up
// to this many bytes) so that closing does not reset the connection before the client has
// read the answer.
constexpr auto linger_timeout = std::chrono::seconds(2);
constexpr std::size_t linger_bytes = 64 * 1024;
// Pause before accepting again after a failed accept (e.g. out of file descriptors).
constexpr auto accept_retry_delay = std::chrono::milliseconds(100);

// What a connection is doing, for eviction: idle ones go first, then those still reading a
// header; one that is writing an answer is never evicted.
enum class activity { idle, reading, writing };

struct connection {
    connection(tcp::socket socket, asio::ip::address from)
        : stream(std::move(socket)), peer(std::move(from))
    {
    }
    beast::tcp_stream stream;
    asio::ip::address peer;
    activity doing = activity::idle;
    std::uint64_t since = 0;  // when `doing` began, in the server's tick order
};

}  // namespace

struct http_server::state {
    state(asio::any_io_executor ex, registry& r, health_fn h, server_params p)
        : executor(ex), acceptor(ex), retry_timer(ex), reg(r), health(std::move(h)), params(p)
    {
    }

    asio::any_io_executor executor;
    tcp::acceptor acceptor;
    asio::steady_timer retry_timer;
    registry& reg;
    health_fn health;
    server_params params;
    tcp::endpoint local;
    std::unordered_set<std::shared_ptr<connection>> connections;
    std::uint64_t ticks = 0;
    bool stopped = false;

    void set(connection& c, activity a)
    {
        c.doing = a;
        c.since = ++ticks;
    }

    // The connection to give up for a new one: the longest idle (of `peer` only, when
    // given), else the one that has been reading a header the longest; none when every
    // candidate is writing an answer.
    std::shared_ptr<connection> victim(const asio::ip::address* peer) const
    {
        std::shared_ptr<connection> best;
        for (const auto& c : connections) {
            if (c->doing == activity::writing || (peer != nullptr && c->peer != *peer)) continue;
            if (!best || c->doing < best->doing ||
                (c->doing == best->doing && c->since < best->since))
                best = c;
        }
        if (peer != nullptr && best && best->doing != activity::idle) return nullptr;
        return best;
    }

    std::size_t idle_of(const asio::ip::address& peer) const
    {
        std::size_t n = 0;
        for (const auto& c : connections) n += c->peer == peer && c->doing == activity::idle;
        return n;
    }

    // Closes `c` now and forgets it; its coroutine sees the error and ends.
    void evict(const std::shared_ptr<connection>& c)
    {
        boost::system::error_code ec;
        c->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
        c->stream.close();
        connections.erase(c);
    }

    void stop() noexcept
    {
        if (stopped) return;
        stopped = true;
        boost::system::error_code ec;
        acceptor.close(ec);
        retry_timer.cancel();
        // Closing cancels the connections' pending operations; their coroutines see
        // `stopped` when they resume and end. The copy keeps the iteration safe.
        const std::vector<std::shared_ptr<connection>> open(connections.begin(), connections.end());
        for (const auto& c : open) {
            c->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
            c->stream.close();
        }
    }
};

namespace {

using state_ptr = std::shared_ptr<http_server::state>;

// Tells the client we are done, drains what it still sends for a bounded time, then closes.
asio::awaitable<void> linger_close(state_ptr self, connection& c)
{
    boost::system::error_code ec;
    c.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    c.stream.expires_after(linger_timeout);
    std::array<char, 4096> sink;
    std::size_t drained = 0;
    while (!ec && !self->stopped && drained < linger_bytes) {
        auto [read_ec, n] = co_await c.stream.async_read_some(asio::buffer(sink), use_tuple);
        ec = read_ec;
        drained += n;
    }
    c.stream.close();
}

// A header Beast could not parse, as opposed to a connection that ended or timed out.
bool is_malformed(const boost::system::error_code& ec)
{
    static const auto& http_category = http::make_error_code(http::error::bad_method).category();
    return ec && ec.category() == http_category && ec != http::error::end_of_stream &&
           ec != http::error::partial_message;
}

http::response<http::string_body> make_response(http_answer a, unsigned version, bool head,
                                                bool keep_alive)
{
    http::response<http::string_body> res{a.status, version};
    res.set(http::field::content_type, a.content_type);
    res.set(http::field::cache_control, "no-store");
    if (!a.allow.empty()) res.set(http::field::allow, a.allow);
    res.body() = std::move(a.body);
    res.prepare_payload();
    res.keep_alive(keep_alive);
    // HEAD: the same header, Content-Length included, and no body.
    if (head) res.body().clear();
    return res;
}

// Answers a request that could not be read (oversized or malformed header) and closes.
asio::awaitable<void> refuse(state_ptr self, connection& c, http::status status, std::string body)
{
    http::response<http::string_body> res{status, 11};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = std::move(body);
    res.prepare_payload();
    res.keep_alive(false);
    c.stream.expires_after(self->params.write_timeout);
    auto [ec, n] = co_await http::async_write(c.stream, res, use_tuple);
    if (!ec && !self->stopped) co_await linger_close(self, c);
}

asio::awaitable<void> serve(state_ptr self, std::shared_ptr<connection> conn)
{
    auto& c = *conn;
    // The buffer holds at most one header (plus what a pipelining client sent after it).
    beast::flat_buffer buffer(self->params.header_limit + read_chunk);
    for (;;) {
        if (buffer.size() == 0) {
            self->set(c, activity::idle);
            c.stream.expires_after(self->params.idle_timeout);
            auto [ec, n] = co_await c.stream.async_read_some(buffer.prepare(read_chunk), use_tuple);
            if (ec || self->stopped) co_return;
            buffer.commit(n);
        }
        self->set(c, activity::reading);
        http::request_parser<http::empty_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(self->params.header_limit));
        c.stream.expires_after(self->params.request_timeout);
        auto [ec, n] = co_await http::async_read_header(c.stream, buffer, parser, use_tuple);
        if (self->stopped) co_return;
        if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
            co_await refuse(
                self, c, http::status::request_header_fields_too_large,
                fmt::format("request header larger than {} bytes\n", self->params.header_limit));
            co_return;
        }
        if (is_malformed(ec)) {
            co_await refuse(self, c, http::status::bad_request, "malformed request\n");
            co_return;
        }
        if (ec) co_return;  // timeout, reset, or the client went away mid-header

        const auto& req = parser.get();
        const bool has_body = !parser.is_done();
        if (self->params.refresh) self->params.refresh();
        auto answer = route(req.method(), req.target(), has_body, self->reg, self->health);
        const bool keep_alive = req.keep_alive() && !answer.close;
        auto res = make_response(std::move(answer), req.version(), req.method() == http::verb::head,
                                 keep_alive);
        self->set(c, activity::writing);
        c.stream.expires_after(self->params.write_timeout);
        auto [write_ec, written] = co_await http::async_write(c.stream, res, use_tuple);
        if (write_ec || self->stopped) co_return;
        if (!keep_alive) {
            co_await linger_close(self, c);
            co_return;
        }
    }
}

asio::awaitable<void> serve_guarded(state_ptr self, std::shared_ptr<connection> conn)
{
    try {
        co_await serve(self, conn);
    } catch (const std::exception&) {
        // Out of memory while rendering, at worst: this connection ends, the server goes on.
    }
    boost::system::error_code ec;
    conn->stream.socket().close(ec);
    self->connections.erase(conn);
}

asio::awaitable<void> accept_loop(state_ptr self)
{
    while (!self->stopped) {
        auto [ec, socket] = co_await self->acceptor.async_accept(use_tuple);
        if (self->stopped) co_return;
        if (ec) {
            if (ec == asio::error::operation_aborted) co_return;
            // Out of descriptors or an aborted handshake: pause so a lasting error cannot spin.
            self->retry_timer.expires_after(accept_retry_delay);
            co_await self->retry_timer.async_wait(use_tuple);
            continue;
        }
        // Idle connections cannot keep a new one (a health probe) out: past the per-peer or
        // the total bound, the oldest idle one makes room.
        boost::system::error_code peer_ec;
        auto peer = socket.remote_endpoint(peer_ec).address();
        if (peer_ec) continue;  // gone already
        if (self->idle_of(peer) >= self->params.max_idle_per_peer)
            if (auto old = self->victim(&peer)) self->evict(old);
        if (self->connections.size() >= self->params.max_connections) {
            if (auto old = self->victim(nullptr)) {
                self->evict(old);
            } else {
                boost::system::error_code close_ec;
                socket.close(close_ec);
                continue;
            }
        }
        auto conn = std::make_shared<connection>(std::move(socket), peer);
        self->set(*conn, activity::idle);
        self->connections.insert(conn);
        asio::co_spawn(self->executor, serve_guarded(self, std::move(conn)),
                       [](std::exception_ptr) {});
    }
}

std::optional<core::error> check(const server_params& p)
{
    auto invalid = [](std::string what) {
        return core::error{.code = metrics_errc::invalid_params,
                           .message = "metrics server: " + std::move(what)};
    };
    if (p.max_connections < 1) return invalid("max_connections must be at least 1");
    if (p.max_idle_per_peer < 1) return invalid("max_idle_per_peer must be at least 1");
    if (p.header_limit < 1024 || p.header_limit > 64 * 1024)
        return invalid(
            fmt::format("header_limit must be 1024 to 65536 bytes, not {}", p.header_limit));
    if (p.request_timeout.count() <= 0 || p.idle_timeout.count() <= 0 ||
        p.write_timeout.count() <= 0)
        return invalid("request_timeout, idle_timeout and write_timeout must be positive");
    return std::nullopt;
}

core::error listen_error(const tcp::endpoint& where, std::string_view step,
                         boost::system::error_code ec)
{
    return {.code = ec,
            .message = fmt::format("metrics.listen: cannot {} {}:{}: {}", step,
                                   where.address().to_string(), where.port(), ec.message())};
}

}  // namespace

core::result<http_server> http_server::start(asio::any_io_executor executor,
                                             const tcp::endpoint& where, registry& reg,
                                             health_fn health, server_params params)
{
    if (auto invalid = check(params)) return *invalid;
    auto s = std::make_shared<state>(executor, reg, std::move(health), params);
    boost::system::error_code ec;
    s->acceptor.open(where.protocol(), ec);
    if (ec) return listen_error(where, "open a socket for", ec);
    s->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) return listen_error(where, "set SO_REUSEADDR for", ec);
    s->acceptor.bind(where, ec);
    if (ec) return listen_error(where, "bind to", ec);
    s->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return listen_error(where, "listen on", ec);
    s->local = s->acceptor.local_endpoint(ec);
    if (ec) return listen_error(where, "read the address bound for", ec);
    asio::co_spawn(executor, accept_loop(s), [](std::exception_ptr) {});
    return http_server(std::move(s));
}

http_server& http_server::operator=(http_server&& other) noexcept
{
    if (this != &other) {
        stop();
        state_ = std::move(other.state_);
    }
    return *this;
}

http_server::~http_server()
{
    stop();
}

tcp::endpoint http_server::local_endpoint() const
{
    return state_ ? state_->local : tcp::endpoint{};
}

std::size_t http_server::connections() const noexcept
{
    return state_ ? state_->connections.size() : 0;
}

void http_server::stop() noexcept
{
    if (state_) state_->stop();
}

}  // namespace paymand::metrics
