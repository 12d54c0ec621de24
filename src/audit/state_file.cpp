#include "paymand/audit/state_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace paymand::audit {
namespace {

core::error untrusted(std::string message)
{
    return {make_error_code(audit_errc::untrusted_file), 0, std::move(message)};
}

core::error from_errno(int err, std::string_view what, const std::filesystem::path& path)
{
    return {
        {err, boost::system::system_category()},
        0,
        fmt::format("{} {}: {}{}", what, path.string(), std::strerror(err),
                    err == ELOOP ? " (a symbolic link is refused in the state directory)" : "")};
}

// Owner and write bits of something in the state. Root and this process's user may own it;
// so may `also` (for root acting on a daemon user's state: the owner of the directory).
core::result<void> check_owner_and_mode(const struct stat& st, const std::filesystem::path& path,
                                        uid_t also)
{
    const uid_t me = ::geteuid();
    if (st.st_uid != 0 && st.st_uid != me && st.st_uid != also)
        return untrusted(
            fmt::format("{} is owned by uid {}, not by root or this process's user (uid {}): "
                        "another user placed it; remove it or run: chown {} {}",
                        path.string(), st.st_uid, me, me, path.string()));
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return untrusted(
            fmt::format("{} is writable by group or others (mode {:04o}): run: chmod go-w {}",
                        path.string(), st.st_mode & 07777, path.string()));
    return {};
}

}  // namespace

core::result<int> open_state_file(const std::filesystem::path& path, int flags, mode_t mode)
{
    auto dir = path.parent_path();
    if (dir.empty()) dir = ".";
    // The directory as configured (under systemd's DynamicUser, /var/lib/paymand is a link to
    // private/paymand), checked by what it is: the descriptor's owner and mode.
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return from_errno(errno, "cannot open the directory", dir);
    struct stat dst {};
    if (::fstat(dir_fd, &dst) != 0) {
        const int err = errno;
        ::close(dir_fd);
        return from_errno(err, "cannot stat", dir);
    }
    // Root (`paymand audit resolve` with the daemon stopped) works on the daemon's user's
    // state: the directory's owner is trusted then, as long as only that owner can write it.
    const uid_t me = ::geteuid();
    const uid_t owner_of_dir = me == 0 ? dst.st_uid : me;
    if (auto checked = check_owner_and_mode(dst, dir, owner_of_dir); !checked) {
        ::close(dir_fd);
        return checked.error();
    }
    const int fd = ::openat(dir_fd, path.filename().c_str(), flags | O_CLOEXEC | O_NOFOLLOW, mode);
    const int open_errno = errno;
    ::close(dir_fd);
    if (fd < 0) return from_errno(open_errno, "cannot open", path);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return from_errno(err, "cannot stat", path);
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return untrusted(fmt::format("{} is not a regular file: remove it", path.string()));
    }
    if (auto checked = check_owner_and_mode(st, path, owner_of_dir); !checked) {
        ::close(fd);
        return checked.error();
    }
    return fd;
}

core::result<void> check_state_directory(const std::filesystem::path& dir, bool follow)
{
    struct stat st {};
    if ((follow ? ::stat(dir.c_str(), &st) : ::lstat(dir.c_str(), &st)) != 0)
        return untrusted(fmt::format("cannot examine {}: {}", dir.string(), std::strerror(errno)));
    if (S_ISLNK(st.st_mode))
        return untrusted(fmt::format("{} is a symbolic link: the state directory and what is in "
                                     "it must be real directories; remove the link",
                                     dir.string()));
    if (!S_ISDIR(st.st_mode)) return untrusted(fmt::format("{} is not a directory", dir.string()));
    return check_owner_and_mode(st, dir, ::geteuid());
}

core::result<void> make_state_directory(const std::filesystem::path& dir, bool follow)
{
    std::error_code ec;
    if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return from_errno(errno, "cannot create the directory", dir);
    if (auto checked = check_state_directory(dir, follow); !checked) return checked.error();
    return {};
}

}  // namespace paymand::audit
