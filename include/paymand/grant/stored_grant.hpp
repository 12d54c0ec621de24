#pragma once

// The user's grant as paymand keeps it (payman.grant: authorization_code): the refresh token
// a person's consent produced, and what is known about it, in <state_directory>/grant.json.
//
// The file is written as the audit log's state files are trusted: mode 0600, owned by the
// state directory's owner, written to a temporary file that is fsync'ed, renamed over the old
// one, and the directory fsync'ed. A crash at any moment leaves the old complete grant or the
// new complete grant, never neither and never a torn one.

#include "paymand/core/error.hpp"
#include "paymand/payman/secret.hpp"

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::grant {

using utc_seconds = std::chrono::sys_seconds;

enum class grant_errc {
    io = 1,          // a read, write, fsync or rename failed (errno in the message)
    untrusted_file,  // the file or its directory could be changed by another user
    malformed,       // the file is not a grant this version wrote
};

const boost::system::error_category& grant_category() noexcept;
boost::system::error_code make_error_code(grant_errc e) noexcept;

// Failures are core::error values with a grant_errc and a message that says what, which file
// and what to do; never a token.

struct stored_grant {
    std::string client_id;
    std::vector<std::string> scopes;            // as granted
    payman::secret refresh_token;               // the only secret; never printed or logged
    utc_seconds granted_at{};                   // the person's consent (`paymand auth login`)
    utc_seconds refresh_issued_at{};            // when the held refresh token was issued
    std::optional<utc_seconds> access_expires;  // of the last access token (not stored)
    std::uint32_t rotations = 0;                // refresh tokens received since the grant
    // Set when the server refused the refresh token (revoked, expired, spent): the grant can
    // no longer be used and a person must consent again.
    std::optional<utc_seconds> refused_at;
    std::string refused_reason;
};

// Comma-separated, as Payman writes scopes.
std::string join_scopes(const std::vector<std::string>& scopes);
std::vector<std::string> split_scopes(std::string_view text);

// The grant after a token answer that brought `refresh` (a rotation, counted, or the code's
// exchange when `g` holds no token yet): the token, its issue time, the scopes the answer lists
// (kept when it lists none) and the access token's expiry. Pure.
stored_grant rotated(stored_grant g, payman::secret refresh, std::string_view scope,
                     std::chrono::seconds access_lifetime, utc_seconds now);

// The grant after the server refused its refresh token: kept (for `auth status`) but no
// longer usable. Pure.
stored_grant refused(stored_grant g, std::string reason, utc_seconds now);

// <state_directory>/grant.json
std::filesystem::path grant_file(const std::filesystem::path& state_directory);

// nullopt when there is no grant file. The file must be a regular file owned by root or this
// process's user (or, for root, the directory's owner), not readable or writable by group or
// others; anything else is refused, never trusted.
core::result<std::optional<stored_grant>> load_grant(const std::filesystem::path& file);

// Steps of save_grant, for the crash tests: called after each with its name
// ("temporary_written", "temporary_synced", "renamed", "directory_synced"). A test throws
// from it to stop the save at that point, as a crash would.
using save_step_hook = std::function<void(std::string_view step)>;

// Writes `grant` to `file` durably and atomically (see above). Run as root on a daemon user's
// state directory, the file is given to the directory's owner.
core::result<void> save_grant(const std::filesystem::path& file, const stored_grant& grant,
                              const save_step_hook& step = {});

// Deletes the grant (and a temporary file a crash left); true when there was one.
core::result<bool> remove_grant(const std::filesystem::path& file);

}  // namespace paymand::grant

template <>
struct boost::system::is_error_code_enum<paymand::grant::grant_errc> : std::true_type {
};
