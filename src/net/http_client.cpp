#include "paymand/net/http_client.hpp"

#include "paymand/net/net_errc.hpp"
#include "request_written.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace paymand::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Room for a typical reply in one read: Beast reads at most the buffer's free capacity (at
// least 512 bytes), so an empty buffer takes two or three reads per reply.
constexpr std::size_t read_reserve = 16 * 1024;

// The deadline of the connect, the TLS handshake, and each request's write and read on one
// connection, kept without a timer operation per read and write (Beast's per-operation
// timeouts cost two timer system calls per request and a layer around every operation).
// The watch is armed once and is moved only to an earlier deadline; when it fires it closes the
// connection if the deadline has passed, or waits again for the deadline set since. Its handler
// holds the watch weakly: a connection closed and destroyed meanwhile is not touched.
class deadline_watch : public std::enable_shared_from_this<deadline_watch> {
public:
    deadline_watch(const asio::any_io_executor& ex, tcp::socket& stream)
        : timer_(ex), stream_(stream)
    {
    }

    void expires_after(clock_type::duration d)
    {
        deadline_ = clock_type::now() + d;
        if (!armed_ || timer_.expiry() > deadline_) arm(deadline_);
    }
    // The request has ended. A waiting timer would keep the io_context running, so the watch
    // stops waiting once the handlers queued now have run without a request starting again on
    // this connection (one that starts at once, as the next of a series does, keeps the wait).
    void expires_never()
    {
        deadline_ = clock_type::time_point::max();
        if (!armed_ || idle_check_queued_) return;
        idle_check_queued_ = true;
        asio::post(timer_.get_executor(), [weak = weak_from_this()] {
            auto self = weak.lock();
            if (!self) return;
            self->idle_check_queued_ = false;
            if (self->armed_ && self->deadline_ == clock_type::time_point::max()) {
                self->armed_ = false;
                self->timer_.cancel();
            }
        });
    }
    // True once the watch has closed the connection for a passed deadline.
    bool expired() const { return expired_; }

private:
    void arm(clock_type::time_point at)
    {
        armed_ = true;
        timer_.expires_at(at);  // a wait still pending ends with operation_aborted
        timer_.async_wait([weak = weak_from_this(), generation = ++generation_](error_code ec) {
            auto self = weak.lock();
            if (!ec && self && self->generation_ == generation) self->fired();
        });
    }

    void fired()
    {
        armed_ = false;
        if (deadline_ == clock_type::time_point::max()) return;  // nothing in flight
        if (clock_type::now() < deadline_) {
            arm(deadline_);
            return;
        }
        expired_ = true;
        error_code ignored;
        stream_.close(ignored);  // the operation in flight ends with operation_aborted
    }

    asio::steady_timer timer_;
    tcp::socket& stream_;
    clock_type::time_point deadline_ = clock_type::time_point::max();
    bool armed_ = false;
    bool idle_check_queued_ = false;
    bool expired_ = false;
    std::uint64_t generation_ = 0;
};

struct connection {
    explicit connection(const asio::any_io_executor& ex)
        : plain(std::in_place, ex), watch(std::make_shared<deadline_watch>(ex, lowest()))
    {
        buffer.reserve(read_reserve);
    }
    connection(const asio::any_io_executor& ex, ssl::context& ctx)
        : tls(std::in_place, ex, ctx), watch(std::make_shared<deadline_watch>(ex, lowest()))
    {
        buffer.reserve(read_reserve);
    }

    tcp::socket& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

    template <class F>
    auto visit(F&& f)
    {
        if (tls) return f(*tls);
        return f(*plain);
    }

    std::optional<tcp::socket> plain;
    std::optional<beast::ssl_stream<tcp::socket>> tls;
    // After plain and tls, which it refers to.
    std::shared_ptr<deadline_watch> watch;
    beast::flat_buffer buffer;
    clock_type::time_point idle_since{};
};

// True when the peer has closed the connection or sent bytes nobody asked for: either way the
// connection cannot carry another request.
bool peer_closed_or_dirty(connection& c)
{
    auto& socket = c.lowest();
    if (!socket.is_open() || c.buffer.size() != 0) return true;
    pollfd p{socket.native_handle(), POLLIN | POLLRDHUP, 0};
    return ::poll(&p, 1, 0) != 0;
}

// Writes what a plain connection's socket takes now, without waiting (a request fits in an
// idle connection's send buffer as a rule): the read then starts at once instead of after a
// turn through the io_context's queue, a good part of an ask's latency on a busy daemon. The
// socket is non-blocking for synchronous calls (open_connection); errors are the write's own,
// as the asynchronous write would have reported them.
std::size_t write_now(connection& c, std::string_view bytes, error_code& ec)
{
    // TLS writes go through the stream; a socket not made non-blocking is never written here.
    if (!c.plain || !c.plain->non_blocking()) return 0;
    const std::size_t n = c.plain->write_some(asio::buffer(bytes), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) ec = {};
    return ec ? 0 : n;
}

// A write or read that failed because the connection's deadline passed fails with Beast's
// timeout, as it would under Beast's own per-operation deadline.
error_code timed_out(const connection& c, error_code ec)
{
    return ec && c.watch->expired() ? error_code(beast::error::timeout) : ec;
}

// One request waiting for a pool slot; it leaves the queue however its wait ends.
struct waiter {
    waiter(const asio::any_io_executor& ex, clock_type::time_point deadline,
           std::deque<waiter*>& queue)
        : timer(ex, deadline), queue_(queue)
    {
        queue_.push_back(this);
    }
    ~waiter()
    {
        if (auto it = std::find(queue_.begin(), queue_.end(), this); it != queue_.end())
            queue_.erase(it);
    }
    waiter(const waiter&) = delete;
    waiter& operator=(const waiter&) = delete;

    asio::steady_timer timer;
    bool notified = false;

private:
    std::deque<waiter*>& queue_;
};

// Requests carry credentials (Authorization, tokens in headers or the target): every
// header value, the target and the body are wiped, and their memory given back, as soon
// as the request is written whole (while the server works on it, not between its answer
// and the caller's next request), or when send ends without that.
struct request_wipe {
    request& r;
    std::optional<std::string>& bytes;
    bool done = false;
    void now()
    {
        if (std::exchange(done, true)) return;
        for (const auto& field : r)
            OPENSSL_cleanse(const_cast<char*>(field.value().data()), field.value().size());
        OPENSSL_cleanse(const_cast<char*>(r.target().data()), r.target().size());
        OPENSSL_cleanse(r.body().data(), r.body().size());
        if (bytes) OPENSSL_cleanse(bytes->data(), bytes->size());
        r = request{};
        bytes.reset();
    }
    ~request_wipe() { now(); }
};

}  // namespace

std::optional<std::string> wire_bytes(const request& req)
{
    if (req.chunked() || (req.version() != 10 && req.version() != 11)) return std::nullopt;
    const std::string_view method = req.method_string();
    const std::string_view target = req.target();
    // " HTTP/1.1\r\n" and the empty line are 13 bytes; each field adds ": " and "\r\n".
    std::size_t size = method.size() + target.size() + 13 + req.body().size();
    for (const auto& field : req) size += field.name_string().size() + field.value().size() + 4;
    std::string out;
    out.reserve(size);
    out.append(method).append(1, ' ').append(target);
    out.append(req.version() == 11 ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
    for (const auto& field : req)
        out.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
    out.append("\r\n").append(req.body());
    return out;
}

struct http_client::impl : std::enable_shared_from_this<impl> {
    impl(asio::any_io_executor ex, endpoint e, http_config c, std::shared_ptr<ssl::context> t)
        : executor(std::move(ex)), target(std::move(e)), host_header(target.host_header()),
          config(std::move(c)), tls(std::move(t))
    {
    }

    asio::any_io_executor executor;
    endpoint target;
    std::string host_header;  // formatted once, sent with every request
    http_config config;
    std::shared_ptr<ssl::context> tls;

    std::vector<std::unique_ptr<connection>> idle;
    std::size_t open = 0;  // connections in use or idle, plus slots being opened
    std::deque<waiter*> waiters;
    std::size_t connections_opened = 0;
    std::size_t requests_sent = 0;

    // A pool slot: owns the connection while a request uses it and gives the slot back on every
    // path out of async_send, including an exception or a destroyed coroutine frame.
    class slot {
    public:
        explicit slot(impl& owner) : owner_(&owner) {}
        slot(slot&& other) noexcept
            : owner_(std::exchange(other.owner_, nullptr)), conn(std::move(other.conn))
        {
        }
        slot& operator=(slot&&) = delete;
        ~slot()
        {
            if (owner_) owner_->give_back(std::move(conn), false);
        }
        void keep_alive()
        {
            owner_->give_back(std::move(conn), true);
            owner_ = nullptr;
        }

    private:
        impl* owner_;

    public:
        std::unique_ptr<connection> conn;  // null until opened
        bool reused = false;
    };

    // A kept connection is checked for a peer close when it is taken again (`usable`), not
    // here: one poll per request, where it matters (a payment must not go out on a connection
    // the server has closed).
    void give_back(std::unique_ptr<connection> c, bool reusable)
    {
        if (c && reusable && c->lowest().is_open() && c->buffer.size() == 0) {
            c->watch->expires_never();
            c->idle_since = clock_type::now();
            idle.push_back(std::move(c));
        } else {
            if (c) close(*c);
            --open;
        }
        notify_one();
    }

    static void close(connection& c)
    {
        error_code ignored;
        c.lowest().shutdown(tcp::socket::shutdown_both, ignored);
        c.lowest().close(ignored);
    }

    void notify_one()
    {
        if (waiters.empty()) return;
        waiter* w = waiters.front();
        waiters.pop_front();
        w->notified = true;
        w->timer.cancel();
    }

    bool usable(connection& c) const
    {
        return clock_type::now() - c.idle_since < config.idle_timeout && !peer_closed_or_dirty(c);
    }

    // A slot with an idle connection (reused) or an empty one the caller must open, when one
    // is free now.
    std::optional<slot> try_acquire(bool allow_reuse)
    {
        while (!idle.empty()) {
            auto c = std::move(idle.back());
            idle.pop_back();
            if (allow_reuse && usable(*c)) {
                slot s(*this);
                s.conn = std::move(c);
                s.reused = true;
                return s;
            }
            close(*c);
            --open;
        }
        if (open < std::max<std::size_t>(config.max_connections, 1)) {
            ++open;
            return slot(*this);
        }
        return std::nullopt;
    }

    // A slot as try_acquire gives it, once one is free (given back or closed), or the error of
    // a wait that ends first.
    asio::awaitable<boost::system::result<slot, transport_error>> acquire(bool allow_reuse)
    {
        const auto deadline = clock_type::now() + config.connection_wait;
        for (;;) {
            if (auto s = try_acquire(allow_reuse)) co_return std::move(*s);
            waiter w(executor, deadline, waiters);
            auto [ec] = co_await w.timer.async_wait(use_tuple);
            if (!w.notified) {
                co_return core::extend({.code = ec == asio::error::operation_aborted
                                                    ? error_code(ec)
                                                    : net_errc::connection_wait_timeout},
                                       transport_error{.phase = phase::pool_wait});
            }
        }
    }

    asio::awaitable<boost::system::result<tcp::resolver::results_type, transport_error>> resolve()
    {
        struct state {
            explicit state(const asio::any_io_executor& ex) : resolver(ex), timer(ex) {}
            tcp::resolver resolver;
            asio::steady_timer timer;
            bool timed_out = false;
        };
        auto st = std::make_shared<state>(executor);
        st->timer.expires_after(config.timeouts.resolve);
        st->timer.async_wait([st](error_code ec) {
            if (ec) return;
            st->timed_out = true;
            st->resolver.cancel();
        });
        auto [ec, results] = co_await st->resolver.async_resolve(
            target.host, std::to_string(target.port), tcp::resolver::numeric_service, use_tuple);
        st->timer.cancel();
        if (st->timed_out)
            co_return core::extend({.code = net_errc::resolve_timeout},
                                   transport_error{.phase = phase::resolve});
        if (ec) co_return core::extend({.code = ec}, transport_error{.phase = phase::resolve});
        if (results.empty())
            co_return core::extend({.code = net_errc::no_address},
                                   transport_error{.phase = phase::resolve});
        co_return results;
    }

    // Connects (and for https shakes hands with SNI and host-name verification) into s.conn.
    asio::awaitable<boost::system::result<void, transport_error>> open_connection(slot& s)
    {
        auto addresses = co_await resolve();
        if (!addresses) co_return addresses.error();

        if (target.tls)
            s.conn = std::make_unique<connection>(executor, *tls);
        else
            s.conn = std::make_unique<connection>(executor);
        auto& c = *s.conn;

        c.watch->expires_after(config.timeouts.connect);
        auto [connect_ec, ep] = co_await asio::async_connect(c.lowest(), *addresses, use_tuple);
        if (const error_code cec = timed_out(c, connect_ec))
            co_return core::extend({.code = cec}, transport_error{.phase = phase::connect});
        ++connections_opened;
        error_code ignored;
        c.lowest().set_option(tcp::no_delay(true), ignored);
        // Synchronous writes (write_now) must never block the io_context's thread.
        if (c.plain) c.plain->non_blocking(true, ignored);

        if (!target.tls) co_return boost::system::result<void, transport_error>{};

        SSL* native = c.tls->native_handle();
        error_code not_ip;
        asio::ip::make_address(target.host, not_ip);
        bool configured = true;
        if (not_ip) {
            // A name: send it as SNI and require it in the certificate.
            configured =
                SSL_set_tlsext_host_name(native, const_cast<char*>(target.host.c_str())) == 1 &&
                SSL_set1_host(native, target.host.c_str()) == 1;
        } else {
            configured =
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(native), target.host.c_str()) == 1;
        }
        // A name is matched against the subjectAltName only, as browsers do (RFC 6125): a
        // certificate with a CN and no SAN is refused, never matched on its CN.
        SSL_set_hostflags(native, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS |
                                      X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
        if (!configured)
            co_return core::extend({.code = net_errc::tls_setup_failed},
                                   transport_error{.phase = phase::tls_handshake});

        c.watch->expires_after(config.timeouts.tls_handshake);
        auto [handshake_ec] = co_await c.tls->async_handshake(ssl::stream_base::client, use_tuple);
        if (const error_code hec = timed_out(c, handshake_ec)) {
            auto e = core::extend({.code = hec}, transport_error{.phase = phase::tls_handshake});
            const long verify = SSL_get_verify_result(native);
            if (verify != X509_V_OK) e.message = X509_verify_cert_error_string(verify);
            co_return e;
        }
        co_return boost::system::result<void, transport_error>{};
    }

    // `owner` (this impl) is held by the coroutine's frame: the pool outlives the operation.
    asio::awaitable<boost::system::result<response, transport_error>>
    send([[maybe_unused]] std::shared_ptr<impl> owner, request req)
    {
        std::optional<std::string> wire;
        request_wipe wipe{req, wire};
        req.set(http::field::host, host_header);
        // HTTP/1.1 keeps the connection unless told otherwise: only another version or a
        // Connection field needs rewriting.
        if (req.version() != 11 || req.find(http::field::connection) != req.end())
            req.keep_alive(true);
        req.prepare_payload();
        // Serialised once, written as one buffer (Beast's serializer costs a fifth of an ask).
        wire = wire_bytes(req);

        for (int attempt = 0;; ++attempt) {
            // The wait for a slot is a coroutine of its own only when there is one to wait for.
            std::optional<slot> free = try_acquire(attempt == 0);
            if (!free) {
                auto acquired = co_await acquire(attempt == 0);
                if (!acquired) co_return acquired.error();
                free.emplace(std::move(*acquired));
            }
            slot s = std::move(*free);
            if (!s.conn) {
                auto opened = co_await open_connection(s);
                if (!opened) co_return opened.error();
            }
            auto& c = *s.conn;

            c.watch->expires_after(config.timeouts.write);
            error_code written_ec;
            std::string_view unwritten;  // of the pre-built bytes, after what went at once
            if (wire) unwritten = std::string_view(*wire).substr(write_now(c, *wire, written_ec));
            if (!written_ec && (!wire || !unwritten.empty())) {
                auto [ec, written] = co_await c.visit([&](auto& stream) {
                    return wire ? asio::async_write(stream, asio::buffer(unwritten), use_tuple)
                                : http::async_write(stream, req, use_tuple);
                });
                written_ec = ec;
            }
            const error_code wec = timed_out(c, written_ec);
            if (wec) {
                // The request did not get through whole, so the server cannot have acted on it.
                // A kept-alive connection the server had already dropped is replaced once.
                if (s.reused && attempt == 0) continue;
                co_return core::extend({.code = wec}, transport_error{.phase = phase::write});
            }
            ++requests_sent;
            detail::request_written();
            wipe.now();  // written whole: never sent again

            http::response_parser<http::string_body> parser;
            const auto cap = config.max_response_bytes;
            parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(cap, 64 * 1024)));
            parser.body_limit(cap);
            c.watch->expires_after(config.timeouts.read);
            auto [read_ec, read] = co_await c.visit([&](auto& stream) {
                return http::async_read(stream, c.buffer, parser, use_tuple);
            });
            const error_code rec = timed_out(c, read_ec);
            if (rec)
                co_return core::extend(
                    {.code = rec}, transport_error{.phase = phase::read, .request_written = true});

            response res = parser.release();
            if (res.keep_alive()) s.keep_alive();
            co_return res;
        }
    }
};

http_client::http_client(asio::any_io_executor executor, endpoint target, http_config config,
                         std::shared_ptr<ssl::context> tls)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(target), std::move(config),
                                   std::move(tls)))
{
}

asio::awaitable<boost::system::result<response, transport_error>>
http_client::async_send(request req)
{
    return impl_->send(impl_, std::move(req));
}

http_client_stats http_client::stats() const
{
    return {.connections_opened = impl_->connections_opened,
            .requests_sent = impl_->requests_sent,
            .idle_connections = impl_->idle.size()};
}

const endpoint& http_client::target() const
{
    return impl_->target;
}

}  // namespace paymand::net
