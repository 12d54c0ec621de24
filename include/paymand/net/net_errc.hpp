#pragma once

// Errors of paymand's HTTP transport that are not already an Asio, Beast or SSL error.

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace paymand::net {

enum class net_errc {
    invalid_url = 1,          // the URL does not parse or has parts paymand never sends
    unsupported_scheme,       // only http and https
    plain_http_not_loopback,  // http:// is allowed only to a loopback host
    ca_file_unreadable,       // the CA file given could not be loaded
    tls_setup_failed,         // SNI or host-name verification could not be configured
    connection_wait_timeout,  // every pooled connection stayed busy past the deadline
    resolve_timeout,          // name resolution took longer than its deadline
    no_address,               // the name resolved to no address
};

const boost::system::error_category& net_category() noexcept;

inline boost::system::error_code make_error_code(net_errc e) noexcept
{
    return {static_cast<int>(e), net_category()};
}

}  // namespace paymand::net

template <>
struct boost::system::is_error_code_enum<paymand::net::net_errc> : std::true_type {
};
