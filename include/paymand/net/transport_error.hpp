#pragma once

// How an HTTP exchange failed: which phase, the cause, and whether the whole request had been
// handed to the server, which is what decides if the server may have acted on it.

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>

#include <string>
#include <string_view>

namespace paymand::net {

enum class phase { pool_wait, resolve, connect, tls_handshake, write, read };

std::string_view to_string(phase p) noexcept;

struct transport_error {
    net::phase phase = phase::connect;
    boost::system::error_code ec;
    // True once every byte of the request was written: the server may have acted on it.
    bool request_written = false;
    // Our own extra words (e.g. the certificate check that failed); never server text.
    std::string detail;

    // "read: timeout" style one-liner with detail, safe to log.
    std::string message() const;
};

// Found by ADL: lets result<T, transport_error>::value() throw with message().
[[noreturn]] void throw_exception_from_error(const transport_error& e,
                                             const boost::source_location& loc);

}  // namespace paymand::net
