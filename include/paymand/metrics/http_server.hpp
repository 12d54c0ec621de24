#pragma once

// The metrics endpoint: a small HTTP/1.1 server (Boost.Beast, no TLS: loopback is the rule)
// that answers GET and HEAD for /metrics (the registry's scrape) and /healthz.
//
// Every answer is computed on the server's executor, which must be the registry's thread (the
// daemon's single-threaded io_context); nothing in the server ever blocks it. Hostile or
// broken clients cost bounded resources: a header limit, no request bodies, deadlines for
// reading a request, for an idle keep-alive connection and for writing an answer, and caps on
// open connections: per peer address on idle ones, and in total. A new connection past a cap
// makes room by closing the oldest idle connection (then the oldest still reading a header);
// only when every connection is writing an answer is the new one closed at once. So idle
// connections, however many a local user opens, never keep a health probe out.

#include "paymand/metrics/health.hpp"
#include "paymand/metrics/metrics_errc.hpp"
#include "paymand/metrics/registry.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace paymand::metrics {

// Checked by start(): max_connections at least 1, header_limit 1 KiB to 64 KiB, every
// timeout positive.
struct server_params {
    std::size_t max_connections = 32;
    // Idle connections (waiting for a request) kept per peer address; the oldest makes room.
    std::size_t max_idle_per_peer = 8;
    std::size_t header_limit = 8 * 1024;  // request line and header fields, in bytes
    // From the first byte of a request to the end of its header.
    std::chrono::milliseconds request_timeout = std::chrono::seconds(10);
    // How long a connection may wait for the first byte of its (next) request.
    std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);
    // For writing one answer.
    std::chrono::milliseconds write_timeout = std::chrono::seconds(10);
    // Called on the executor before each request is answered: the daemon sets the gauges
    // that are cheap to read at scrape time (rules, next occurrence, in doubt) here instead
    // of keeping them current at every change.
    std::function<void()> refresh;
};

class http_server {
public:
    // Opens, binds and listens on `where` at once (so a port in use is reported here, with
    // the system's error code and a message naming the address), then serves on `executor`
    // until stop(). `reg` and `health` are used only on `executor` and never after stop().
    // Parameters out of range are metrics_errc::invalid_params.
    static core::result<http_server> start(boost::asio::any_io_executor executor,
                                           const boost::asio::ip::tcp::endpoint& where,
                                           registry& reg, health_fn health,
                                           server_params params = {});

    http_server(http_server&&) noexcept = default;
    http_server& operator=(http_server&& other) noexcept;
    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;
    // Stops the server. Must run before the executor's io_context is destroyed.
    ~http_server();

    // The bound address (with the port the system chose when port 0 was asked for).
    boost::asio::ip::tcp::endpoint local_endpoint() const;

    // Connections being served now.
    std::size_t connections() const noexcept;

    // Closes the acceptor and every connection, answers in progress included. Call on the
    // server's executor; safe to call twice. The io_context must keep running for the
    // server's coroutines to see it and finish.
    void stop() noexcept;

    // The listener, the open connections and the limits; shared with the server's coroutines
    // so that they can finish safely after the http_server is gone.
    struct state;

private:
    explicit http_server(std::shared_ptr<state> s) : state_(std::move(s)) {}
    std::shared_ptr<state> state_;
};

}  // namespace paymand::metrics
