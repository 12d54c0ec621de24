#pragma once

// Where a client's endpoint and credentials come from when no config file is given: the
// environment variables Payman's SDKs and paymand read.

#include "paymand/payman/client_error.hpp"
#include "paymand/payman/environment.hpp"
#include "paymand/payman/secret.hpp"

#include <boost/system/result.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace paymand::payman {

struct client_settings {
    std::string client_id;
    secret client_secret;
    std::optional<payman::environment> environment;
    std::optional<std::string> base_url;
    std::optional<std::filesystem::path> ca_file;
};

// Returns the value of an environment variable, or null when unset (std::getenv fits).
using env_lookup = std::function<const char*(const char*)>;

// Reads PAYMAN_CLIENT_ID and PAYMAN_CLIENT_SECRET (required, non-empty), PAYMAN_ENVIRONMENT
// ("test" or "live"), PAYMAN_BASE_URL and PAYMAN_CA_FILE (optional; empty counts as unset).
// Errors name the variable and say what to set (class not_sent).
boost::system::result<client_settings, client_error>
settings_from_environment(const env_lookup& getenv);

}  // namespace paymand::payman
