#include "paymand/core/access.hpp"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <optional>
#include <vector>

namespace paymand::core {
namespace {

namespace fs = std::filesystem;

struct blocker {
    fs::path path;
    bool directory = false;  // a directory that cannot be searched; else the file itself
};

// The first directory along `path` (symbolic links followed, as the kernel does) that this
// process may not search; the path itself when every directory may be searched.
blocker find_blocker(const fs::path& path)
{
    fs::path at = path.is_absolute() ? fs::path("/") : fs::path(".");
    const fs::path relative = path.relative_path();
    std::vector<fs::path> rest(relative.begin(), relative.end());
    for (std::size_t i = 0, hops = 0; i < rest.size(); ++i) {
        if (rest[i].empty() || rest[i] == ".") continue;
        if (::access(at.c_str(), X_OK) != 0) return {at, true};
        auto next = at / rest[i];
        struct stat st {};
        if (::lstat(next.c_str(), &st) == 0 && S_ISLNK(st.st_mode) && ++hops < 40) {
            std::string target(PATH_MAX, '\0');
            const auto n = ::readlink(next.c_str(), target.data(), target.size());
            if (n > 0) {
                target.resize(static_cast<std::size_t>(n));
                const fs::path resolved =
                    (fs::path(target).is_absolute() ? fs::path(target) : at / target)
                        .lexically_normal();
                // Walk the link's target, then what followed the link.
                std::vector<fs::path> tail(rest.begin() + static_cast<long>(i) + 1, rest.end());
                at = resolved.is_absolute() ? fs::path("/") : fs::path(".");
                const fs::path resolved_relative = resolved.relative_path();
                rest.assign(resolved_relative.begin(), resolved_relative.end());
                rest.insert(rest.end(), tail.begin(), tail.end());
                i = static_cast<std::size_t>(-1);
                continue;
            }
        }
        at = std::move(next);
    }
    return {at, false};
}

std::string user_name(uid_t uid)
{
    if (const passwd* p = ::getpwuid(uid)) return p->pw_name;
    return fmt::format("uid {}", uid);
}

std::optional<std::string> group_name(gid_t gid)
{
    if (const group* g = ::getgrgid(gid)) return std::string(g->gr_name);
    return std::nullopt;
}

}  // namespace

std::string access_problem(const fs::path& path, int err, std::string_view command,
                           std::string_view other_fix)
{
    const std::string also = other_fix.empty() ? "" : fmt::format(", or {}", other_fix);
    const char* name = ::strerrorname_np(err);
    std::string text = fmt::format("cannot read {}: {} ({})", path.string(), std::strerror(err),
                                   name != nullptr ? name : "?");
    if (err != EACCES && err != EPERM) return text;
    const auto [where, directory] = find_blocker(path);
    struct stat st {};
    if (::stat(where.c_str(), &st) != 0) {
        return text + fmt::format(": run `sudo {}`{}", command, also);
    }
    const auto group = group_name(st.st_gid);
    text +=
        fmt::format("; {} is mode {:04o}, owner {}, group {}", where.string(), st.st_mode & 07777,
                    user_name(st.st_uid), group ? *group : fmt::format("gid {}", st.st_gid));
    // What the group would need: to search a directory, to read a file.
    const mode_t needed = directory ? S_IXGRP : S_IRGRP;
    if (group && (st.st_mode & needed) == needed && st.st_gid != 0) {
        return text + fmt::format(": join the group (sudo usermod -aG {} $USER, then log in "
                                  "again) or run `sudo {}`{}",
                                  *group, command, also);
    }
    return text + fmt::format(": run `sudo {}`{}", command, also);
}

}  // namespace paymand::core
