#include "paymand/net/transport_error.hpp"

#include <boost/throw_exception.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace paymand::net {

std::string_view to_string(phase p) noexcept
{
    switch (p) {
    case phase::pool_wait:
        return "waiting for a connection";
    case phase::resolve:
        return "resolve";
    case phase::connect:
        return "connect";
    case phase::tls_handshake:
        return "TLS handshake";
    case phase::write:
        return "write";
    case phase::read:
        return "read";
    }
    return "unknown phase";
}

std::string transport_error::what() const
{
    std::string text = fmt::format("{}: {}", to_string(phase), code.message());
    if (!message.empty()) text += fmt::format(" ({})", message);
    return text;
}

void throw_exception_from_error(const transport_error& e, const boost::source_location& loc)
{
    boost::throw_exception(std::runtime_error(e.what()), loc);
}

}  // namespace paymand::net
