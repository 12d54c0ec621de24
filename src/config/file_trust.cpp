#include "paymand/config/file_trust.hpp"

#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

namespace paymand::config {
namespace {

std::string user_name(uid_t uid)
{
    struct passwd pw {};
    struct passwd* found = nullptr;
    std::vector<char> buffer(16 * 1024);
    if (::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found) == 0 && found != nullptr)
        return found->pw_name;
    return std::to_string(uid);
}

// A path someone other than root or the daemon's user could change: the message says who, how
// and the fix.
core::error untrusted_by(std::string message)
{
    return {.code = make_error_code(boost::system::errc::permission_denied),
            .message = std::move(message)};
}

// `above`: a directory above the checked path, where root's sticky directories are allowed.
core::result<void> check(const struct stat& st, const std::filesystem::path& path,
                         const trust_policy& policy, bool above)
{
    if (st.st_uid != 0 && st.st_uid != policy.daemon_uid) {
        return untrusted_by(
            fmt::format("{} is owned by {} (uid {}), not by root or the daemon's user {}: "
                        "another user could change it; run: chown {} {}",
                        path.string(), user_name(st.st_uid), st.st_uid,
                        user_name(policy.daemon_uid), user_name(policy.daemon_uid), path.string()));
    }
    // A symlink's own mode means nothing (always 0777); its owner and its directory count.
    if (S_ISLNK(st.st_mode)) return {};
    const bool sticky_root_dir =
        above && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) != 0 && st.st_uid == 0;
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !sticky_root_dir) {
        const char* who = (st.st_mode & S_IWGRP) && (st.st_mode & S_IWOTH) ? "group and others"
                          : (st.st_mode & S_IWGRP)                         ? "its group"
                                                                           : "others";
        return untrusted_by(fmt::format("{} is writable by {} (mode {:04o}): another user could "
                                        "change {}; run: chmod go-w {}",
                                        path.string(), who, st.st_mode & 07777,
                                        S_ISDIR(st.st_mode) ? "what is in it" : "it",
                                        path.string()));
    }
    return {};
}

// Checks `path` and each directory above it; stops at the first refusal.
core::result<void> check_chain(const std::filesystem::path& path, const trust_policy& policy,
                               std::set<std::filesystem::path>& seen)
{
    bool above = false;
    for (auto p = path;; p = p.parent_path()) {
        if (seen.insert(p).second) {
            struct stat st {};
            if (::lstat(p.c_str(), &st) == 0) {
                if (auto checked = check(st, p, policy, above); !checked) return checked;
            }
        }
        if (!p.has_relative_path()) break;  // "/"
        above = true;
    }
    return {};
}

}  // namespace

trust_policy trust_policy_from(const env_lookup& getenv)
{
    const char* opt_out = getenv(std::string(insecure_permissions_variable).c_str());
    return {.daemon_uid = ::geteuid(),
            .enforce = opt_out == nullptr || std::string_view(opt_out) != "1"};
}

core::result<void> check_trusted_path(const std::filesystem::path& path, const trust_policy& policy)
{
    if (!policy.enforce) return {};
    std::error_code ec;
    auto named = std::filesystem::absolute(path, ec);
    if (ec) return {};  // reading it will fail and say why
    named = named.lexically_normal();
    std::set<std::filesystem::path> seen;
    // As named: whoever can write a directory on the way can replace a symlink in it.
    if (auto checked = check_chain(named, policy, seen); !checked) return checked;
    // As resolved: the file and the directories it really lives in.
    auto resolved = std::filesystem::weakly_canonical(named, ec);
    if (!ec && resolved != named) return check_chain(resolved, policy, seen);
    return {};
}

}  // namespace paymand::config
