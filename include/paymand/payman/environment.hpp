#pragma once

// Payman's environments and how a client picks its base URL.

#include "paymand/payman/client_error.hpp"

#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace paymand::payman {

enum class environment { test, live };

inline constexpr std::string_view test_base_url = "https://agent.payman.dev/api";
inline constexpr std::string_view live_base_url = "https://agent.payman.ai/api";
inline constexpr std::string_view test_client_prefix = "pm-test-";

std::string_view to_string(environment e) noexcept;

// "test" or "live", exactly. Error: payman_errc::unknown_environment.
boost::system::result<environment, client_error> parse_environment(std::string_view text);

// The base URL a client uses: `base_url` when given (it overrides both environments), else the
// environment's URL; with no environment, a `pm-test-` client id means test and any other id
// live (as the SDKs default). A `pm-test-` id with environment live is refused
// (payman_errc::test_credentials_on_live): mixing them is a classic mistake.
boost::system::result<std::string, client_error>
select_base_url(std::optional<environment> env, const std::optional<std::string>& base_url,
                std::string_view client_id);

}  // namespace paymand::payman
