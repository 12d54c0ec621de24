#include "paymand/audit/state_lock.hpp"

#include "paymand/audit/state_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace paymand::audit {
namespace {

core::error from_errno(int err, std::string what)
{
    return {{err, boost::system::system_category()},
            0,
            fmt::format("{}: {}", what, std::strerror(err))};
}

}  // namespace

core::result<state_lock> state_lock::acquire(const std::filesystem::path& path)
{
    // Relative to its directory, no symlink, ours or root's only (state_file.hpp).
    auto opened = open_state_file(path, O_RDWR | O_CREAT, 0600);
    if (!opened) {
        auto e = opened.error();
        e.message = "lock file: " + e.message;
        return e;
    }
    const int fd = *opened;
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        if (err != EWOULDBLOCK) {
            ::close(fd);
            return from_errno(err, fmt::format("cannot lock {}", path.string()));
        }
        char buf[32] = {};
        const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
        ::close(fd);
        long pid = 0;
        std::string holder = "another process";
        if (n > 0) {
            auto [end, ec] = std::from_chars(buf, buf + n, pid);
            if (ec == std::errc{} && pid > 0 && (end == buf + n || *end == '\n')) {
                holder = fmt::format("process {}", pid);
            }
        }
        return core::error{make_error_code(audit_errc::locked), 0,
                           fmt::format("{} is locked by {}: another paymand is using this state "
                                       "directory; stop it first",
                                       path.string(), holder)};
    }
    // Best effort: the pid only serves the message above.
    const std::string pid = fmt::format("{}\n", ::getpid());
    if (::ftruncate(fd, 0) == 0) {
        [[maybe_unused]] const ssize_t written = ::pwrite(fd, pid.data(), pid.size(), 0);
    }
    return state_lock(fd, path);
}

state_lock::state_lock(state_lock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_))
{
}

state_lock& state_lock::operator=(state_lock&& other) noexcept
{
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
    }
    return *this;
}

state_lock::~state_lock()
{
    if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

std::optional<std::int64_t> state_lock::holder(const std::filesystem::path& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    std::ifstream locks("/proc/locks");
    // "1: FLOCK  ADVISORY  WRITE 21072 fe:00:11281984 0 EOF": type, pid, major:minor:inode (hex
    // device numbers, decimal inode).
    for (std::string line; std::getline(locks, line);) {
        std::istringstream in(line);
        std::string id, type, mode, access, device;
        std::int64_t pid = 0;
        if (!(in >> id >> type >> mode >> access >> pid >> device) || type != "FLOCK") continue;
        unsigned major_no = 0, minor_no = 0;
        unsigned long long inode = 0;
        if (std::sscanf(device.c_str(), "%x:%x:%llu", &major_no, &minor_no, &inode) != 3) continue;
        if (major_no == major(st.st_dev) && minor_no == minor(st.st_dev) && inode == st.st_ino)
            return pid;
    }
    return std::nullopt;
}

}  // namespace paymand::audit
