#pragma once

// Replacing a small file in the state directory so that a reader sees the old content or the
// new, never a part: a temporary file beside it (O_EXCL, no symlink followed), the mode set
// whatever the umask, written, fsync'ed, renamed over the target, and the directory fsync'ed.
// A file that is only ever a copy of what the daemon holds (the live view) skips the two
// fsyncs: a crash may leave the old copy, never a torn one, and the daemon that comes back
// writes a new one.

#include "paymand/core/error.hpp"

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace paymand::daemon {

enum class durability {
    synced,        // survives a crash once this returns
    replaced_only  // readers see the old content or the new; a crash may keep the old
};

// On failure our words (the file and the errno, which is also the code); the temporary file
// is removed.
core::result<void> write_atomically(const std::filesystem::path& target, std::string_view data,
                                    mode_t mode, durability how = durability::synced);

}  // namespace paymand::daemon
