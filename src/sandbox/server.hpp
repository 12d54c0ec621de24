#pragma once

// The sandbox's network side: an API listener (HTTP or HTTPS) and an optional admin listener
// (plain HTTP, loopback only), both on one io_context, one coroutine per connection. Limits
// on header size, header count and body size, and per-phase timeouts protect it from slow
// or hostile clients; injected faults are carried out here (delay, reset, truncate, stall).

#include "sandbox/service.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>
#include <string>

namespace paymand::sandbox {

class server {
public:
    server(boost::asio::io_context& io, service& svc);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds the API listener (config's listen address, TLS when configured) and, when
    // `with_admin`, the admin listener on 127.0.0.1:`admin_port`. Returns an error (bind
    // failure, unreadable certificate) or nothing when listening.
    core::result<void> start(bool with_admin, std::uint16_t admin_port = 0);

    // "http(s)://HOST:PORT/api" and "http://127.0.0.1:PORT".
    std::string base_url() const;
    std::string admin_url() const;

    // Closes the listeners and every open connection; the io_context then runs out of work.
    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace paymand::sandbox
