#pragma once

// A keep-alive HTTP/1.1 client for one endpoint over TCP or TLS, as coroutines.

#include "paymand/net/endpoint.hpp"
#include "paymand/net/http_config.hpp"
#include "paymand/net/transport_error.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace paymand::net {

using request = boost::beast::http::request<boost::beast::http::string_body>;
using response = boost::beast::http::response<boost::beast::http::string_body>;

// The bytes Beast's serializer writes for `req`, built in one string (a fraction of the
// serializer's cost): the start line, each field as "Name: value\r\n" in order, an empty line,
// the body. Nothing for a chunked request or a version other than HTTP/1.0 and 1.1, which
// async_send leaves to Beast's serializer.
std::optional<std::string> wire_bytes(const request& req);

struct http_client_stats {
    std::size_t connections_opened = 0;
    std::size_t requests_sent = 0;
    std::size_t idle_connections = 0;
};

// Sends requests to one endpoint through a small pool of keep-alive connections, with a
// deadline on every phase (http_config::timeouts) and a cap on the response size.
//
// Thread model: every operation must be started from coroutines on `executor` (use a strand if
// the io_context runs on several threads). The handle is cheap to copy; copies share the pool,
// and the pool lives as long as any copy or any operation in progress.
class http_client {
public:
    // `tls` is required when endpoint.tls is set (make_tls_context), ignored otherwise.
    http_client(boost::asio::any_io_executor executor, endpoint target, http_config config,
                std::shared_ptr<boost::asio::ssl::context> tls);

    // Sends `req` (target is taken as given; Host, Content-Length and keep-alive are set here)
    // and reads the whole response. A connection that fails to take the request before any of
    // it could have been processed (a stale keep-alive connection) is replaced once.
    // Never throws for I/O failures: they come back as transport_error with their phase.
    // The request's header values, target and body are wiped (OPENSSL_cleanse) when done.
    boost::asio::awaitable<boost::system::result<response, transport_error>>
    async_send(request req);

    http_client_stats stats() const;
    const endpoint& target() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace paymand::net
