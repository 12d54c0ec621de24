#pragma once

// An exclusive lock on a state directory: flock(2) on a lock file, held for the life of the
// object. flock locks belong to the open file description, so a second lock on the same file
// fails even within one process, and the kernel drops the lock when the process dies.

#include "paymand/audit/audit_errc.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>

namespace paymand::audit {

class state_lock {
public:
    // Creates `path` (mode 0600) if needed, locks it without waiting and writes our pid into
    // it. Fails with audit_errc::locked and a message naming the file and, when readable, the
    // pid that holds it; other failures keep their errno.
    static core::result<state_lock> acquire(const std::filesystem::path& path);

    state_lock(state_lock&& other) noexcept;
    state_lock& operator=(state_lock&& other) noexcept;
    state_lock(const state_lock&) = delete;
    state_lock& operator=(const state_lock&) = delete;
    ~state_lock();

    const std::filesystem::path& path() const noexcept { return path_; }

    // The pid holding the flock on `path`, read from /proc/locks without touching the lock
    // (probing by locking could make a daemon that starts at that moment refuse to run).
    // Nothing when no process holds it or the file does not exist.
    static std::optional<std::int64_t> holder(const std::filesystem::path& path);

private:
    state_lock(int fd, std::filesystem::path path) noexcept : fd_(fd), path_(std::move(path)) {}
    int fd_ = -1;
    std::filesystem::path path_;
};

}  // namespace paymand::audit
