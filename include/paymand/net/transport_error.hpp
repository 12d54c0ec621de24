#pragma once

// How an HTTP exchange failed: which phase, the cause, and whether the whole request had been
// handed to the server, which is what decides if the server may have acted on it.

#include "paymand/core/error.hpp"

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>

#include <string>
#include <string_view>

namespace paymand::net {

enum class phase { pool_wait, resolve, connect, tls_handshake, write, read };

std::string_view to_string(phase p) noexcept;

// A core::error (`code`: the Asio, SSL or net_errc cause; `message`: our own extra words, e.g.
// the certificate check that failed, never server text; empty when there are none) plus the
// phase and whether the server may have acted on the request.
struct transport_error : core::error {
    net::phase phase = phase::connect;
    // True once every byte of the request was written: the server may have acted on it.
    bool request_written = false;

    // "read: timeout" style one-liner with the message, safe to log.
    std::string what() const;
};

// Found by ADL: lets result<T, transport_error>::value() throw with what().
[[noreturn]] void throw_exception_from_error(const transport_error& e,
                                             const boost::source_location& loc);

}  // namespace paymand::net
