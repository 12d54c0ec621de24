#pragma once

// Reading the client secret from where the configuration says. Errors name the source (the
// variable, file or credential) and what to do, never the value.

#include "paymand/config/daemon_config.hpp"
#include "paymand/payman/secret.hpp"

#include <boost/system/result.hpp>

#include <string>

namespace paymand::config {

struct secret_error {
    std::string message;
};

// Reads the secret. A file must be a regular file readable by its owner only (no group or
// other permission bits, as ssh demands of private keys); one trailing newline is dropped;
// an empty secret is an error. Never throws.
boost::system::result<payman::secret, secret_error> load_secret(const secret_source& source,
                                                                const env_lookup& getenv);

// "environment variable PAYMAN_CLIENT_SECRET", "file /etc/paymand/secret", ...
std::string describe(const secret_source& source);

}  // namespace paymand::config
