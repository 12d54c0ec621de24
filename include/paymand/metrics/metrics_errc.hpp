#pragma once

// Why the metrics module refused something: a bad `metrics.listen` value or a server that
// could not start. Failures of the operating system keep their errno (system category).

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <string>
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

// An error code plus a message for people: what was wrong and what to do.
struct metrics_error {
    boost::system::error_code code;
    std::string message;
};

template <class T>
using metrics_result = boost::system::result<T, metrics_error>;

// Lets metrics_result<T>::value() throw; only the outermost boundaries use it.
[[noreturn]] void throw_exception_from_error(const metrics_error& e,
                                             const boost::source_location& loc);

}  // namespace paymand::metrics

template <>
struct boost::system::is_error_code_enum<paymand::metrics::metrics_errc> : std::true_type {
};
