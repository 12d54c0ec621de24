#include "sandbox/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <iostream>
#include <list>
#include <sstream>

namespace paymand::sandbox {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using boost::system::error_code;

struct server::impl {
    asio::io_context& io;
    service& svc;
    std::optional<asio::ssl::context> tls;
    tcp::acceptor api_acceptor;
    std::optional<tcp::acceptor> admin_acceptor;
    // Every open connection's socket, so stop() can close them all (stalled ones included).
    // Shared with the connections' frames, which the io_context may destroy after the server.
    std::shared_ptr<std::list<tcp::socket*>> open = std::make_shared<std::list<tcp::socket*>>();
    bool stopped = false;
    asio::steady_timer flush_timer;

    impl(asio::io_context& context, service& s)
        : io(context), svc(s), api_acceptor(context), flush_timer(context)
    {
        // Changes are written within flush_delay, coalescing bursts into one write.
        svc.defer_persistence([this] {
            flush_timer.expires_after(flush_delay);
            flush_timer.async_wait([this](error_code ec) {
                if (!ec) svc.flush();
            });
        });
    }
    ~impl() { svc.defer_persistence({}); }

    static constexpr auto flush_delay = std::chrono::milliseconds(20);

    asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, bool admin);
    template <class Stream>
    asio::awaitable<void> serve(Stream& stream, bool admin);
    asio::awaitable<void> connection(tcp::socket socket, bool admin);
};

namespace {

// Writes the raw bytes of a response cut in the middle of its body: the "truncated body"
// fault. Content-Length still announces the whole body.
std::string truncated_bytes(const response& message)
{
    std::ostringstream out;
    out << message;
    std::string bytes = out.str();
    std::size_t cut = bytes.size() - message.body().size() / 2;
    if (message.body().empty()) cut = bytes.size();
    return bytes.substr(0, cut);
}

void reset_connection(tcp::socket& socket)
{
    error_code ignored;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
}

// What follows a failed read: nothing (the peer went away or was too slow: just close), or an
// answer with `status` and `message` before closing.
struct read_failure {
    std::optional<http::status> status;
    std::string_view message;
};

std::optional<read_failure> header_read_failure(const error_code& ec)
{
    if (ec == http::error::header_limit)
        return read_failure{http::status::request_header_fields_too_large,
                            "Request header too large"};
    if (ec == http::error::body_limit)  // Content-Length above the limit
        return read_failure{http::status::payload_too_large, "Request body too large"};
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof)
        return read_failure{};
    if (ec) return read_failure{http::status::bad_request, "Malformed HTTP request"};
    return std::nullopt;
}

std::optional<read_failure> body_read_failure(const error_code& ec)
{
    if (ec == http::error::body_limit)
        return read_failure{http::status::payload_too_large, "Request body too large"};
    if (ec == beast::error::timeout || ec == http::error::end_of_stream ||
        ec == http::error::partial_message || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted || ec == asio::error::eof)
        return read_failure{};
    if (ec) return read_failure{http::status::bad_request, "Malformed HTTP request"};
    return std::nullopt;
}

// The answer to a request the transport refuses; the connection closes after it.
response transport_error(http::status status, std::string_view message)
{
    response res = error_response(status, "invalid_request", message,
                                  std::chrono::floor<std::chrono::milliseconds>(clock_type::now()),
                                  "trc-transport");
    res.keep_alive(false);
    res.set(http::field::server, "payman-sandbox");
    return res;
}

// Sets the answer's Connection and Server headers; whether the connection stays open.
bool finish_response(const request& req, response& message)
{
    const bool keep_alive = req.keep_alive() && message.keep_alive();
    message.keep_alive(keep_alive);
    message.set(http::field::server, "payman-sandbox");
    return keep_alive;
}

// How long writing the answer may take: the body timeout, longer for large bodies.
std::chrono::milliseconds write_timeout(const limits_config& limits, const response& message)
{
    return std::chrono::milliseconds(std::max<std::int64_t>(
        limits.body_timeout_ms, static_cast<std::int64_t>(message.body().size() / 1000)));
}

}  // namespace

template <class Stream>
asio::awaitable<void> server::impl::serve(Stream& stream, bool admin)
{
    auto& lowest = beast::get_lowest_layer(stream);
    const limits_config& limits = svc.config().limits;
    beast::flat_buffer buffer;
    error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    auto respond_and_close = [&](http::status status,
                                 std::string_view message) -> asio::awaitable<void> {
        response res = transport_error(status, message);
        lowest.expires_after(std::chrono::milliseconds(limits.body_timeout_ms));
        co_await http::async_write(stream, res, token);
    };

    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
        parser.body_limit(limits.max_body_bytes);
        lowest.expires_after(std::chrono::milliseconds(limits.header_timeout_ms));
        co_await http::async_read_header(stream, buffer, parser, token);
        if (const auto failure = header_read_failure(ec)) {
            if (failure->status) co_await respond_and_close(*failure->status, failure->message);
            co_return;
        }
        if (iequals(parser.get()[http::field::expect], "100-continue")) {
            http::response<http::empty_body> cont{http::status::continue_, 11};
            co_await http::async_write(stream, cont, token);
            if (ec) co_return;
        }
        lowest.expires_after(std::chrono::milliseconds(limits.body_timeout_ms));
        co_await http::async_read(stream, buffer, parser, token);
        if (const auto failure = body_read_failure(ec)) {
            if (failure->status) co_await respond_and_close(*failure->status, failure->message);
            co_return;
        }
        request req = parser.release();
        reply r = admin ? svc.handle_admin(req) : svc.handle_api(req);

        switch (r.action) {
        case transport_action::reset:
            reset_connection(lowest.socket());
            co_return;
        case transport_action::stall: {
            // Keep the connection open and answer nothing until the client gives up.
            lowest.expires_never();
            char sink[512];
            for (;;) {
                co_await lowest.async_read_some(asio::buffer(sink), token);
                if (ec) co_return;
            }
        }
        case transport_action::truncate: {
            std::string bytes = truncated_bytes(r.message);
            lowest.expires_after(std::chrono::milliseconds(limits.body_timeout_ms));
            co_await asio::async_write(stream, asio::buffer(bytes), token);
            error_code ignored;
            lowest.socket().shutdown(tcp::socket::shutdown_both, ignored);
            lowest.close();
            co_return;
        }
        case transport_action::delay: {
            lowest.expires_never();
            asio::steady_timer timer(io, r.delay);
            co_await timer.async_wait(token);
            if (ec) co_return;
            break;
        }
        case transport_action::none:
            break;
        }
        const bool keep_alive = finish_response(req, r.message);
        lowest.expires_after(write_timeout(limits, r.message));
        co_await http::async_write(stream, r.message, token);
        if (ec || !keep_alive) co_return;
    }
}

asio::awaitable<void> server::impl::connection(tcp::socket socket, bool admin)
{
    beast::tcp_stream stream(std::move(socket));
    open->push_back(&stream.socket());
    struct unregister {
        std::weak_ptr<std::list<tcp::socket*>> list;
        std::list<tcp::socket*>::iterator it;
        ~unregister()
        {
            if (auto l = list.lock()) l->erase(it);
        }
    } guard{open, std::prev(open->end())};

    if (!admin && tls) {
        beast::ssl_stream<beast::tcp_stream&> secure(stream, *tls);
        error_code ec;
        stream.expires_after(std::chrono::milliseconds(svc.config().limits.header_timeout_ms));
        co_await secure.async_handshake(asio::ssl::stream_base::server,
                                        asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        co_await serve(secure, admin);
        if (stream.socket().is_open()) {
            stream.expires_after(std::chrono::seconds(2));
            co_await secure.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
        }
    } else {
        co_await serve(stream, admin);
        if (stream.socket().is_open()) {
            error_code ignored;
            stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
    }
}

asio::awaitable<void> server::impl::accept_loop(tcp::acceptor& acceptor, bool admin)
{
    for (;;) {
        error_code ec;
        tcp::socket socket =
            co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (stopped || ec == asio::error::operation_aborted) co_return;
        if (ec) continue;  // e.g. EMFILE: the listener keeps going
        error_code ignored;
        auto remote = socket.remote_endpoint(ignored);
        if (admin && (ignored || !remote.address().is_loopback())) continue;  // loopback only
        if (open->size() >= svc.config().limits.max_connections) {
            socket.close(ignored);
            continue;
        }
        socket.set_option(tcp::no_delay(true), ignored);
        if (!admin) svc.count_connection();
        asio::co_spawn(io, connection(std::move(socket), admin), [](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                std::cerr << "payman-sandbox: connection failed: " << ex.what() << std::endl;
            }
        });
    }
}

server::server(asio::io_context& io, service& svc) : impl_(std::make_unique<impl>(io, svc)) {}

server::~server() = default;

namespace {

core::result<void> listen(tcp::acceptor& acceptor, const tcp::endpoint& endpoint)
{
    error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return core::error{.code = ec,
                           .message = "cannot listen on " + endpoint.address().to_string() + ":" +
                                      std::to_string(endpoint.port()) + ": " + ec.message()};
    return {};
}

}  // namespace

core::result<void> server::start(bool with_admin, std::uint16_t admin_port)
{
    const sandbox_config& config = impl_->svc.config();
    if (config.tls_cert) {
        impl_->tls.emplace(asio::ssl::context::tls_server);
        auto& ctx = *impl_->tls;
        ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
        error_code ec;
        ctx.use_certificate_chain_file(config.tls_cert->string(), ec);
        if (ec)
            return core::error{.code = ec,
                               .message = "cannot load TLS certificate " +
                                          config.tls_cert->string() + ": " + ec.message()};
        ctx.use_private_key_file(config.tls_key->string(), asio::ssl::context::pem, ec);
        if (ec)
            return core::error{.code = ec,
                               .message = "cannot load TLS key " + config.tls_key->string() + ": " +
                                          ec.message()};
    }
    error_code ec;
    auto address = asio::ip::make_address(config.listen_host, ec);
    if (ec) return core::error{.code = ec, .message = "bad listen address " + config.listen_host};
    if (auto listening = listen(impl_->api_acceptor, {address, config.listen_port}); !listening)
        return listening;
    if (with_admin) {
        impl_->admin_acceptor.emplace(impl_->io);
        if (auto listening =
                listen(*impl_->admin_acceptor, {asio::ip::address_v4::loopback(), admin_port});
            !listening)
            return listening;
    }
    auto log = [](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            std::cerr << "payman-sandbox: listener failed: " << ex.what() << std::endl;
        }
    };
    asio::co_spawn(impl_->io, impl_->accept_loop(impl_->api_acceptor, false), log);
    if (impl_->admin_acceptor)
        asio::co_spawn(impl_->io, impl_->accept_loop(*impl_->admin_acceptor, true), log);
    return {};
}

std::string server::base_url() const
{
    auto endpoint = impl_->api_acceptor.local_endpoint();
    return std::string(impl_->tls ? "https" : "http") + "://" + endpoint.address().to_string() +
           ":" + std::to_string(endpoint.port()) + std::string(service::base_path);
}

std::string server::admin_url() const
{
    if (!impl_->admin_acceptor) return {};
    auto endpoint = impl_->admin_acceptor->local_endpoint();
    return "http://" + endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

void server::stop()
{
    impl_->stopped = true;
    error_code ignored;
    impl_->api_acceptor.close(ignored);
    if (impl_->admin_acceptor) impl_->admin_acceptor->close(ignored);
    for (auto* socket : *impl_->open) socket->close(ignored);
    impl_->flush_timer.cancel();
    impl_->svc.flush();
}

}  // namespace paymand::sandbox
