#pragma once

// Where an HTTP client talks to: scheme, host, port and path prefix of a base URL.

#include <boost/system/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace paymand::net {

struct endpoint {
    bool tls = true;
    std::string host;  // a name or an IP literal, without IPv6 brackets
    std::uint16_t port = 443;
    std::string path_prefix;  // "/api" for https://agent.payman.ai/api; never ends in '/'

    // host:port as the Host header carries it (brackets around IPv6, port only if not default)
    std::string host_header() const;
    // The base URL written back, e.g. "https://agent.payman.ai/api".
    std::string url() const;
};

// True for "localhost", 127.0.0.0/8 and ::1: the only hosts plain http may reach.
bool is_loopback_host(std::string_view host) noexcept;

// Parses an http(s) base URL. Refuses user info, query, fragment, other schemes, and plain http
// to anything but a loopback host (net_errc::plain_http_not_loopback).
boost::system::result<endpoint> parse_endpoint(std::string_view url);

}  // namespace paymand::net
