#include "paymand/metrics/metrics_errc.hpp"

namespace paymand::metrics {
namespace {

class metrics_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "paymand.metrics"; }

    std::string message(int ev) const override
    {
        switch (static_cast<metrics_errc>(ev)) {
        case metrics_errc::listen_syntax:
            return "the listen address is not host:port";
        case metrics_errc::listen_host:
            return "the listen host is not an IP address or localhost";
        case metrics_errc::listen_port:
            return "the listen port is missing or out of range";
        case metrics_errc::not_loopback:
            return "the listen address is not a loopback address";
        case metrics_errc::invalid_params:
            return "the metrics server's parameters are out of range";
        }
        return "unknown metrics error";
    }
};

}  // namespace

const boost::system::error_category& metrics_category() noexcept
{
    static const metrics_category_impl instance;
    return instance;
}

boost::system::error_code make_error_code(metrics_errc e) noexcept
{
    return {static_cast<int>(e), metrics_category()};
}

}  // namespace paymand::metrics
