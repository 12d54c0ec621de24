#pragma once

// Why the metrics module refused something: a bad `metrics.listen` value or a server that
// could not start. Failures of the operating system keep their errno (system category).

#include "paymand/core/error.hpp"

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace paymand::metrics {

// Values are stable: they may be logged and compared.
enum class metrics_errc {
    listen_syntax = 1,  // not host:port, or a character that cannot appear in it
    listen_host,        // a host that is neither an IP literal nor "localhost"
    listen_port,        // missing, not a number, or outside 0-65535
    not_loopback,       // a non-loopback address without metrics.allow_non_loopback
    invalid_params,     // server_params outside their ranges
};

const boost::system::error_category& metrics_category() noexcept;
boost::system::error_code make_error_code(metrics_errc e) noexcept;

// Failures are core::error values: this code, or errno in the system category, and a message.

}  // namespace paymand::metrics

template <>
struct boost::system::is_error_code_enum<paymand::metrics::metrics_errc> : std::true_type {
};
