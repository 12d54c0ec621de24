#include "paymand/grant/stored_grant.hpp"

#include "paymand/audit/state_file.hpp"
#include "paymand/audit/time_format.hpp"

#include <boost/json.hpp>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace paymand::grant {
namespace {

namespace json = boost::json;

constexpr std::int64_t format_version = 1;
// A grant file is a few hundred bytes; anything much larger is not ours.
constexpr std::size_t max_file_bytes = 64 * 1024;

class grant_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "paymand.grant"; }

    std::string message(int ev) const override
    {
        switch (static_cast<grant_errc>(ev)) {
        case grant_errc::io:
            return "the grant file cannot be read or written";
        case grant_errc::untrusted_file:
            return "the grant file could be changed by another user";
        case grant_errc::malformed:
            return "the grant file is not one paymand wrote";
        }
        return "unknown grant error";
    }
};

core::error io_error(int err, std::string_view what, const std::filesystem::path& path)
{
    return {make_error_code(grant_errc::io), 0,
            fmt::format("{} {}: {}", what, path.string(), std::strerror(err))};
}

core::error malformed(const std::filesystem::path& path, std::string_view why)
{
    return {make_error_code(grant_errc::malformed), 0,
            fmt::format("{} is not a grant paymand wrote ({}); delete it with `paymand auth "
                        "logout` and run `paymand auth login` again",
                        path.string(), why)};
}

std::filesystem::path temporary_of(const std::filesystem::path& file)
{
    return std::filesystem::path(file.string() + ".tmp");
}

// Closes a descriptor on every path out.
struct fd_guard {
    int fd = -1;
    ~fd_guard()
    {
        if (fd >= 0) ::close(fd);
    }
};

std::string serialize(const stored_grant& g)
{
    json::object o;
    o["version"] = format_version;
    o["client_id"] = g.client_id;
    o["scopes"] = join_scopes(g.scopes);
    o["refresh_token"] = g.refresh_token.expose();
    o["granted_at"] = audit::format_utc(g.granted_at);
    o["refresh_issued_at"] = audit::format_utc(g.refresh_issued_at);
    if (g.access_expires) o["access_expires"] = audit::format_utc(*g.access_expires);
    o["rotations"] = g.rotations;
    if (g.refused_at) {
        o["refused_at"] = audit::format_utc(*g.refused_at);
        o["refused_reason"] = g.refused_reason;
    }
    std::string text = json::serialize(o);
    // The object held a copy of the token in its own storage.
    auto& held = o["refresh_token"].as_string();
    payman::wipe(held.data(), held.size());
    text += '\n';
    return text;
}

core::result<stored_grant> parse(std::string_view text, const std::filesystem::path& file)
{
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    const json::object* o = ec ? nullptr : value.if_object();
    if (o == nullptr) return malformed(file, "not a JSON object");
    std::string why;  // the first field found wrong
    auto string_of = [&](std::string_view key, bool required) -> std::optional<std::string> {
        const json::value* v = o->if_contains(key);
        if (v == nullptr || !v->is_string()) {
            if (required || v != nullptr) why = fmt::format("field '{}' missing or not text", key);
            return std::nullopt;
        }
        return std::string(v->get_string());
    };
    auto time_of = [&](std::string_view key, bool required) -> std::optional<utc_seconds> {
        auto s = string_of(key, required);
        if (!s) return std::nullopt;
        auto t = audit::parse_utc(*s);
        if (!t) why = fmt::format("field '{}' is not an RFC 3339 UTC instant", key);
        return t;
    };
    const json::value* version = o->if_contains("version");
    if (version == nullptr || !version->is_int64() || version->get_int64() != format_version)
        return malformed(file, "unknown format version");
    stored_grant g;
    auto id = string_of("client_id", true);
    auto scopes = string_of("scopes", true);
    auto token = string_of("refresh_token", true);
    auto granted = time_of("granted_at", true);
    auto issued = time_of("refresh_issued_at", true);
    g.access_expires = time_of("access_expires", false);
    g.refused_at = time_of("refused_at", false);
    const json::value* rotations = o->if_contains("rotations");
    if (rotations == nullptr || !rotations->is_int64() || rotations->get_int64() < 0 ||
        rotations->get_int64() > std::numeric_limits<std::uint32_t>::max())
        why = "field 'rotations' missing or out of range";
    if (!why.empty() || !id || !scopes || !token || !granted || !issued) {
        if (token) payman::wipe(token->data(), token->size());
        return malformed(file, why.empty() ? "a required field is missing" : why);
    }
    if (token->empty() || id->empty()) return malformed(file, "empty client id or refresh token");
    g.client_id = std::move(*id);
    g.scopes = split_scopes(*scopes);
    g.refresh_token = payman::secret(*token);
    payman::wipe(token->data(), token->size());
    g.granted_at = *granted;
    g.refresh_issued_at = *issued;
    g.rotations = static_cast<std::uint32_t>(rotations->get_int64());
    if (g.refused_at) g.refused_reason = string_of("refused_reason", false).value_or("");
    return g;
}

// Writes all of `text` to `fd`.
bool write_all(int fd, std::string_view text)
{
    while (!text.empty()) {
        const auto n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace

const boost::system::error_category& grant_category() noexcept
{
    static const grant_category_impl instance;
    return instance;
}

boost::system::error_code make_error_code(grant_errc e) noexcept
{
    return {static_cast<int>(e), grant_category()};
}

std::string join_scopes(const std::vector<std::string>& scopes)
{
    std::string out;
    for (const auto& s : scopes) {
        if (!out.empty()) out += ',';
        out += s;
    }
    return out;
}

std::vector<std::string> split_scopes(std::string_view text)
{
    std::vector<std::string> out;
    std::string item;
    for (char c : text) {
        if (c == ',' || c == ' ') {
            if (!item.empty()) out.push_back(std::move(item));
            item.clear();
        } else {
            item += c;
        }
    }
    if (!item.empty()) out.push_back(std::move(item));
    return out;
}

stored_grant rotated(stored_grant g, payman::secret refresh, std::string_view scope,
                     std::chrono::seconds access_lifetime, utc_seconds now)
{
    if (!g.refresh_token.empty()) ++g.rotations;  // else the code's exchange: the grant itself
    g.refresh_token = std::move(refresh);
    g.refresh_issued_at = now;
    if (auto listed = split_scopes(scope); !listed.empty()) g.scopes = std::move(listed);
    g.access_expires = now + access_lifetime;
    return g;
}

stored_grant refused(stored_grant g, std::string reason, utc_seconds now)
{
    g.refused_at = now;
    g.refused_reason = std::move(reason);
    return g;
}

std::filesystem::path grant_file(const std::filesystem::path& state_directory)
{
    return state_directory / "grant.json";
}

core::result<std::optional<stored_grant>> load_grant(const std::filesystem::path& file)
{
    std::error_code exists_error;
    if (!std::filesystem::exists(std::filesystem::symlink_status(file, exists_error)))
        return std::optional<stored_grant>{};
    auto opened = audit::open_state_file(file, O_RDONLY);
    if (!opened)
        return core::error{make_error_code(grant_errc::untrusted_file), 0, opened.error().message};
    fd_guard fd{*opened};
    struct stat st {};
    if (::fstat(fd.fd, &st) != 0) return io_error(errno, "cannot stat", file);
    if ((st.st_mode & 077) != 0)
        return core::error{make_error_code(grant_errc::untrusted_file), 0,
                           fmt::format("{} holds a refresh token but is readable by group or "
                                       "others (mode {:04o}): run chmod 600 {} and consider the "
                                       "grant exposed (revoke it and run `paymand auth login`)",
                                       file.string(), st.st_mode & 07777, file.string())};
    if (static_cast<std::size_t>(st.st_size) > max_file_bytes)
        return malformed(file, "larger than 64 KiB");
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < text.size()) {
        const auto n = ::read(fd.fd, text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error(errno, "cannot read", file);
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    text.resize(got);
    auto g = parse(text, file);
    payman::wipe(text.data(), text.size());
    if (!g) return g.error();
    return std::optional<stored_grant>(std::move(*g));
}

core::result<void> save_grant(const std::filesystem::path& file, const stored_grant& grant,
                              const save_step_hook& step)
{
    const auto tmp = temporary_of(file);
    // A temporary file a crash left is ours to replace; the grant itself is untouched.
    if (::unlink(tmp.c_str()) != 0 && errno != ENOENT)
        return io_error(errno, "cannot remove the stale temporary file", tmp);
    auto opened = audit::open_state_file(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (!opened)
        return core::error{make_error_code(grant_errc::untrusted_file), 0, opened.error().message};
    fd_guard fd{*opened};
    auto dir = file.parent_path();
    if (dir.empty()) dir = ".";
    if (::geteuid() == 0) {
        // Root (`paymand auth login` run by an operator) writes for the daemon's user.
        struct stat dst {};
        if (::stat(dir.c_str(), &dst) != 0) return io_error(errno, "cannot stat", dir);
        if (::fchown(fd.fd, dst.st_uid, dst.st_gid) != 0)
            return io_error(errno, "cannot give to the state directory's owner", tmp);
    }
    if (::fchmod(fd.fd, 0600) != 0) return io_error(errno, "cannot chmod", tmp);
    std::string text = serialize(grant);
    const bool written = write_all(fd.fd, text);
    const int write_errno = errno;
    payman::wipe(text.data(), text.size());
    if (!written) return io_error(write_errno, "cannot write", tmp);
    if (step) step("temporary_written");
    if (::fsync(fd.fd) != 0) return io_error(errno, "cannot fsync", tmp);
    if (step) step("temporary_synced");
    if (::close(fd.fd) != 0) {
        fd.fd = -1;
        return io_error(errno, "cannot close", tmp);
    }
    fd.fd = -1;
    if (::rename(tmp.c_str(), file.c_str()) != 0) return io_error(errno, "cannot rename", tmp);
    if (step) step("renamed");
    fd_guard dir_fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (dir_fd.fd < 0) return io_error(errno, "cannot open", dir);
    if (::fsync(dir_fd.fd) != 0) return io_error(errno, "cannot fsync", dir);
    if (step) step("directory_synced");
    return {};
}

core::result<bool> remove_grant(const std::filesystem::path& file)
{
    const auto tmp = temporary_of(file);
    if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) return io_error(errno, "cannot remove", tmp);
    if (::unlink(file.c_str()) != 0) {
        if (errno == ENOENT) return false;
        return io_error(errno, "cannot remove", file);
    }
    auto dir = file.parent_path();
    if (dir.empty()) dir = ".";
    fd_guard dir_fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (dir_fd.fd < 0 || ::fsync(dir_fd.fd) != 0) return io_error(errno, "cannot fsync", dir);
    return true;
}

}  // namespace paymand::grant
