#pragma once

// Who may change what the daemon trusts: its configuration, its rule files and their
// directory, the directory of its secret. Checked as sshd's StrictModes and sudo check their
// files: the file (or directory) and every directory above it up to / must be owned by root
// or by the daemon's own user, and none of them writable by group or others, except a
// directory above that is root's and sticky (like /tmp), where others cannot rename or remove
// what is not theirs. Each refusal names the path and the exact chmod or chown to run.
//
// PAYMAND_INSECURE_PERMISSIONS=1 turns the check off, for development trees only (a checkout
// on a shared, group-writable disk); docs/configuration.md, "Permissions".

#include "paymand/config/daemon_config.hpp"
#include "paymand/core/error.hpp"

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::config {

inline constexpr std::string_view insecure_permissions_variable = "PAYMAND_INSECURE_PERMISSIONS";

struct trust_policy {
    uid_t daemon_uid = 0;  // besides root, the one owner allowed
    bool enforce = true;   // false: PAYMAND_INSECURE_PERMISSIONS=1
};

// The process's effective user, enforced unless the opt-out variable is exactly "1".
trust_policy trust_policy_from(const env_lookup& getenv);

// An error (permission_denied) saying why `path` (as named, and as it resolves through
// symlinks) or one of the directories above it may be changed by someone other than root or
// the daemon's user; nothing when none can (or the policy does not enforce). What it names
// does not need to exist: the existing part of the path is checked.
core::result<void> check_trusted_path(const std::filesystem::path& path,
                                      const trust_policy& policy);

}  // namespace paymand::config
