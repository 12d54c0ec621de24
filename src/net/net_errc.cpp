#include "paymand/net/net_errc.hpp"

#include <string>

namespace paymand::net {
namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "paymand.net"; }

    std::string message(int ev) const override
    {
        switch (static_cast<net_errc>(ev)) {
        case net_errc::invalid_url:
            return "invalid URL";
        case net_errc::unsupported_scheme:
            return "unsupported URL scheme (use https, or http to loopback)";
        case net_errc::plain_http_not_loopback:
            return "plain http is refused for a host that is not a loopback address (use https)";
        case net_errc::ca_file_unreadable:
            return "the CA file could not be loaded";
        case net_errc::tls_setup_failed:
            return "TLS could not be set up";
        case net_errc::connection_wait_timeout:
            return "timed out waiting for a free connection";
        case net_errc::resolve_timeout:
            return "timed out resolving the host name";
        case net_errc::no_address:
            return "the host name resolved to no address";
        }
        return "unknown paymand.net error";
    }
};

}  // namespace

const boost::system::error_category& net_category() noexcept
{
    static const category instance;
    return instance;
}

}  // namespace paymand::net
