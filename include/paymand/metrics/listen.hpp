#pragma once

// The `metrics.listen` setting: where the metrics endpoint listens. Loopback only unless the
// operator opts in, because the figures describe someone's payments.

#include "paymand/metrics/metrics_errc.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <string_view>

namespace paymand::metrics {

// Parses "host:port" without any DNS lookup. host is an IPv4 literal ("127.0.0.1"), an IPv6
// literal in brackets ("[::1]") or "localhost" (taken as 127.0.0.1); port is 0-65535 in
// plain decimal (0 picks a free port, for tests). A host outside 127.0.0.0/8 and ::1 is
// refused with metrics_errc::not_loopback unless `allow_non_loopback`. Messages start with
// "metrics.listen: " and say what to write instead; the config loader adds file:line:col.
core::result<boost::asio::ip::tcp::endpoint> parse_listen(std::string_view text,
                                                          bool allow_non_loopback);

}  // namespace paymand::metrics
