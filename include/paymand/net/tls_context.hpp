#pragma once

// The client TLS context paymand uses for every https connection.

#include <boost/asio/ssl/context.hpp>
#include <boost/system/result.hpp>

#include <filesystem>
#include <memory>
#include <optional>

namespace paymand::net {

// TLS 1.2 or newer, peer verification on, trust from `ca_file` when given (only that file),
// else the system CA store. SNI and host-name checks are set per connection by http_client.
// Errors: net_errc::ca_file_unreadable, net_errc::tls_setup_failed.
boost::system::result<std::shared_ptr<boost::asio::ssl::context>>
make_tls_context(const std::optional<std::filesystem::path>& ca_file);

}  // namespace paymand::net
