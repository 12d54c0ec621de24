#include "paymand/net/endpoint.hpp"

#include "paymand/net/net_errc.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace paymand::net {

std::string endpoint::host_header() const
{
    const bool ipv6 = host.find(':') != std::string::npos;
    const std::string h = ipv6 ? "[" + host + "]" : host;
    if (port == (tls ? 443 : 80)) return h;
    return fmt::format("{}:{}", h, port);
}

std::string endpoint::url() const
{
    return fmt::format("{}://{}{}", tls ? "https" : "http", host_header(), path_prefix);
}

bool is_loopback_host(std::string_view host) noexcept
{
    std::string lower(host);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "localhost") return true;
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(lower, ec);
    return !ec && address.is_loopback();
}

boost::system::result<endpoint> parse_endpoint(std::string_view text)
{
    auto parsed = boost::urls::parse_absolute_uri(text);
    if (!parsed) return net_errc::invalid_url;
    const auto& u = *parsed;
    endpoint e;
    if (u.scheme_id() == boost::urls::scheme::https)
        e.tls = true;
    else if (u.scheme_id() == boost::urls::scheme::http)
        e.tls = false;
    else
        return net_errc::unsupported_scheme;
    if (u.has_userinfo() || u.has_query() || u.has_fragment()) return net_errc::invalid_url;

    switch (u.host_type()) {
    case boost::urls::host_type::name:
        e.host = u.encoded_host().decode();
        break;
    case boost::urls::host_type::ipv4:
        e.host = u.host_ipv4_address().to_string();
        break;
    case boost::urls::host_type::ipv6:
        e.host = u.host_ipv6_address().to_string();
        break;
    default:
        return net_errc::invalid_url;
    }
    if (e.host.empty()) return net_errc::invalid_url;
    for (char c : e.host) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == '@')
            return net_errc::invalid_url;
    }

    e.port = e.tls ? 443 : 80;
    if (u.has_port()) {
        if (u.port().empty() || u.port_number() == 0) return net_errc::invalid_url;
        e.port = u.port_number();
    }

    const auto encoded = u.encoded_path();
    std::string path(encoded.data(), encoded.size());
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (!path.empty() && path.front() != '/') return net_errc::invalid_url;
    e.path_prefix = std::move(path);

    if (!e.tls && !is_loopback_host(e.host)) return net_errc::plain_http_not_loopback;
    return e;
}

}  // namespace paymand::net
