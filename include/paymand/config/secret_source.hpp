#pragma once

// Reading the client secret from where the configuration says. Errors name the source (the
// variable, file or credential) and what to do, never the value.

#include "paymand/config/daemon_config.hpp"
#include "paymand/core/error.hpp"
#include "paymand/payman/secret.hpp"

#include <string>

namespace paymand::config {

// Reads the secret. A file is opened O_NONBLOCK|O_NOFOLLOW (a FIFO or a symlink cannot hang
// or redirect the read) and must be a regular file owned by root or by the user reading it,
// readable by its owner only (no group or other permission bits, as ssh demands of private
// keys), in a directory that neither group nor others can write; one trailing newline is
// dropped; an empty secret is an error (payman_errc::missing_client_secret, the message names
// the source and what to do). Never throws.
core::result<payman::secret> load_secret(const secret_source& source, const env_lookup& getenv);

// For every command that holds the secret (run, trigger, ask, auth test): the process is
// made non-dumpable (PR_SET_DUMPABLE 0: no core file, and no other process of the same user
// may read its memory or /proc/PID/environ). Call before the secret is read.
void protect_process();

// After the secret was read: the variables that may hold it (PAYMAN_CLIENT_SECRET and the
// variable `source` names) are wiped in place, so /proc/PID/environ no longer shows them,
// and removed from the environment, so no child inherits them.
void forget_secret_environment(const secret_source& source);

// "environment variable PAYMAN_CLIENT_SECRET", "file /etc/paymand/secret", ...
std::string describe(const secret_source& source);

}  // namespace paymand::config
