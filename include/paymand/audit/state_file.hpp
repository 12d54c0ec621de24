#pragma once

// Opening what lies in the state directory (the audit log, the lock, the inbox's requests) so
// that another local user cannot slip anything in, with or without systemd: the directory is
// opened O_DIRECTORY|O_NOFOLLOW, the file relative to that descriptor (openat) with
// O_NOFOLLOW, and what was opened must be a regular file owned by root or by this process's
// user that neither group nor others may write. Anything else is refused as
// audit_errc::untrusted_file with a message naming the file and the fix (or keeps its errno:
// ELOOP for a symlink).

#include "paymand/audit/audit_errc.hpp"

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace paymand::audit {

// open(2) `flags` (O_CLOEXEC and O_NOFOLLOW are added) and `mode` for O_CREAT. The descriptor
// is the caller's to close.
core::result<int> open_state_file(const std::filesystem::path& path, int flags, mode_t mode = 0600);

// Creates `dir` with mode 0700 when it does not exist (its parents as needed), then checks
// it: a directory owned by root or by this process's user, not writable by group or others,
// and, unless `follow` (the state directory as configured, which systemd may make a link),
// not a symlink (the inbox). The message names the directory and the fix.
core::result<void> make_state_directory(const std::filesystem::path& dir, bool follow);

// The check alone, for a directory that must exist already: an audit_errc::untrusted_file error
// (also when it cannot be examined) that names the directory and the fix.
core::result<void> check_state_directory(const std::filesystem::path& dir, bool follow);

}  // namespace paymand::audit
