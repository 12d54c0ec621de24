#include "paymand/metrics/listen.hpp"

#include <boost/asio/ip/address.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace paymand::metrics {
namespace {

namespace ip = boost::asio::ip;

constexpr std::string_view example = "e.g. 127.0.0.1:9464";

core::error fail(metrics_errc code, std::string message)
{
    return {.code = code, .message = "metrics.listen: " + std::move(message)};
}

bool printable(char c)
{
    return c > ' ' && c < 0x7f;
}

bool is_loopback(const ip::address& a)
{
    return a.is_v4() ? a.to_v4().is_loopback() : a.to_v6().is_loopback();
}

core::result<std::uint16_t> parse_port(std::string_view text, std::string_view port)
{
    if (port.empty())
        return fail(metrics_errc::listen_port,
                    fmt::format("{} has no port; expected host:port, {}", text, example));
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return fail(
            metrics_errc::listen_port,
            fmt::format("port {} is not a decimal number; expected host:port, {}", port, example));
    if (port.size() > 1 && port.front() == '0')
        return fail(metrics_errc::listen_port,
                    fmt::format("port {} has a leading zero; write it without", port));
    if (port.size() > 5)
        return fail(metrics_errc::listen_port,
                    fmt::format("port {} is out of range (0-65535)", port));
    std::uint32_t value = 0;
    for (char c : port) value = value * 10 + static_cast<std::uint32_t>(c - '0');
    if (value > 65535)
        return fail(metrics_errc::listen_port,
                    fmt::format("port {} is out of range (0-65535)", port));
    return static_cast<std::uint16_t>(value);
}

}  // namespace

core::result<ip::tcp::endpoint> parse_listen(std::string_view text, bool allow_non_loopback)
{
    if (text.empty())
        return fail(metrics_errc::listen_syntax,
                    fmt::format("empty; expected host:port, {}", example));
    if (!std::all_of(text.begin(), text.end(), printable))
        return fail(metrics_errc::listen_syntax,
                    fmt::format("contains a space or a character that cannot appear in "
                                "host:port; expected host:port, {}",
                                example));

    if (text.find("://") != std::string_view::npos)
        return fail(
            metrics_errc::listen_syntax,
            fmt::format("{} is a URL; give host:port without a scheme or path, {}", text, example));

    std::string_view host;
    std::string_view port;
    ip::address address;
    boost::system::error_code ec;
    if (text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos)
            return fail(metrics_errc::listen_syntax,
                        fmt::format("{} opens '[' without closing it; expected [IPv6]:port, e.g. "
                                    "[::1]:9464",
                                    text));
        host = text.substr(1, close - 1);
        const auto rest = text.substr(close + 1);
        if (!rest.empty() && rest.front() != ':')
            return fail(metrics_errc::listen_syntax,
                        fmt::format("{} has '{}' after ']' where ':port' belongs", text, rest));
        port = rest.empty() ? rest : rest.substr(1);
        address = ip::make_address_v6(std::string(host), ec);
        if (ec)
            return fail(metrics_errc::listen_host,
                        fmt::format("[{}] is not an IPv6 address", host));
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos)
            return fail(metrics_errc::listen_port,
                        fmt::format("{} has no port; expected host:port, {}", text, example));
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos)
            return fail(metrics_errc::listen_syntax,
                        fmt::format("{}: an IPv6 address needs brackets, e.g. [::1]:9464", text));
        if (host.empty())
            return fail(metrics_errc::listen_host,
                        fmt::format("{} has no host; expected host:port, {}", text, example));
        if (host == "localhost") {
            address = ip::address_v4::loopback();
        } else {
            address = ip::make_address_v4(std::string(host), ec);
            if (ec)
                return fail(metrics_errc::listen_host,
                            fmt::format("{} is not an IPv4 address or localhost (names are not "
                                        "looked up); expected host:port, {}",
                                        host, example));
        }
    }

    auto port_number = parse_port(text, port);
    if (!port_number) return port_number.error();
    if (!allow_non_loopback && !is_loopback(address))
        return fail(metrics_errc::not_loopback,
                    fmt::format("{} is not a loopback address; set metrics.allow_non_loopback: "
                                "true to expose metrics beyond this host",
                                text));
    return ip::tcp::endpoint(address, *port_number);
}

}  // namespace paymand::metrics
