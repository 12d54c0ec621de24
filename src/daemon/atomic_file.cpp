#include "paymand/daemon/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace paymand::daemon {

namespace {

bool write_all(int fd, std::string_view data)
{
    while (!data.empty()) {
        auto n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

core::error io_error(int err, std::string message)
{
    return {{err, boost::system::system_category()}, 0, std::move(message)};
}

}  // namespace

core::result<void> write_atomically(const std::filesystem::path& target, std::string_view data,
                                    mode_t mode, durability how)
{
    const bool sync = how == durability::synced;
    auto tmp = target;
    tmp += ".tmp";
    // A temporary file a crash left behind is ours to replace.
    if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) {
        const int err = errno;
        return io_error(
            err, fmt::format("cannot remove the stale {}: {}", tmp.string(), std::strerror(err)));
    }
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        const int err = errno;
        return io_error(err, fmt::format("cannot create {}: {}", tmp.string(), std::strerror(err)));
    }
    // The mode is set whatever the umask: root's request must be readable by the service.
    const bool ok = ::fchmod(fd, mode) == 0 && write_all(fd, data) && (!sync || ::fsync(fd) == 0);
    const int saved = errno;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), target.c_str()) != 0) {
        const int err = ok ? errno : saved;
        ::unlink(tmp.c_str());
        return io_error(err,
                        fmt::format("cannot write {}: {}", target.string(), std::strerror(err)));
    }
    if (!sync) return {};
    auto dir = target.parent_path();
    if (dir.empty()) dir = ".";
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const bool synced = dir_fd >= 0 && ::fsync(dir_fd) == 0;
    const int dir_errno = errno;
    if (dir_fd >= 0) ::close(dir_fd);
    if (!synced) {
        return io_error(dir_errno,
                        fmt::format("cannot fsync {}: {}", dir.string(), std::strerror(dir_errno)));
    }
    return {};
}

}  // namespace paymand::daemon
