#include "paymand/config/secret_source.hpp"

#include "paymand/config/file_trust.hpp"
#include "paymand/payman/payman_errc.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace paymand::config {
namespace {

// A secret longer than this is a wrong file, not a secret.
constexpr std::size_t max_secret_bytes = 4096;

using secret_result = core::result<payman::secret>;

secret_result fail(std::string message)
{
    return core::error{make_error_code(payman::payman_errc::missing_client_secret), 0,
                       std::move(message)};
}

secret_result from_value(std::string_view value, const secret_source& source)
{
    if (value.empty())
        return fail(fmt::format("the {} from {} is empty", source.what, describe(source)));
    return payman::secret(value);
}

// Reads a file that must hold nothing but the secret and be private to its owner.
secret_result read_private_file(const std::string& path, const secret_source& source,
                                bool check_mode, const trust_policy& trust)
{
    // O_NONBLOCK: a FIFO put in its place opens at once instead of hanging start-up, and is
    // then refused as not a regular file. O_NOFOLLOW: a symlink is refused (ELOOP).
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return fail(fmt::format("cannot open {}: {}{}", describe(source), std::strerror(errno),
                                errno == ELOOP ? " (a symbolic link is not followed)" : ""));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return fail(fmt::format("{} is not a regular file", describe(source)));
    }
    const uid_t me = ::geteuid();
    if (st.st_uid != 0 && st.st_uid != me) {
        ::close(fd);
        return fail(fmt::format("{} is owned by uid {}, not by root or by this process's user "
                                "(uid {}): chown {} {}",
                                describe(source), st.st_uid, me, me, path));
    }
    // Whoever can write the directory (or one above it) can replace the file between starts.
    if (auto trusted = check_trusted_path(std::filesystem::path(path).parent_path(), trust);
        !trusted) {
        ::close(fd);
        return fail(
            fmt::format("{} cannot be trusted: {}", describe(source), trusted.error().message));
    }
    if (check_mode && (st.st_mode & 077) != 0) {
        ::close(fd);
        return fail(fmt::format("{} is accessible by group or others (mode {:04o}); the {} "
                                "must be readable by its owner only: chmod 600 {}",
                                describe(source), st.st_mode & 07777, source.what, path));
    }
    std::array<char, max_secret_bytes + 1> buffer{};
    std::size_t size = 0;
    for (;;) {
        auto n = ::read(fd, buffer.data() + size, buffer.size() - size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            ::close(fd);
            payman::wipe(buffer.data(), buffer.size());
            return fail(fmt::format("cannot read {}: {}", describe(source), std::strerror(errno)));
        }
        if (n == 0) break;
        size += static_cast<std::size_t>(n);
        if (size == buffer.size()) break;
    }
    ::close(fd);
    if (size > max_secret_bytes) {
        payman::wipe(buffer.data(), buffer.size());
        return fail(fmt::format("{} is larger than {} bytes: not a {}", describe(source),
                                max_secret_bytes, source.what));
    }
    std::string_view value(buffer.data(), size);
    if (value.ends_with('\n')) value.remove_suffix(1);
    if (value.ends_with('\r')) value.remove_suffix(1);
    auto result = from_value(value, source);
    payman::wipe(buffer.data(), buffer.size());
    return result;
}

}  // namespace

std::string describe(const secret_source& source)
{
    switch (source.from) {
    case secret_source::kind::environment:
        return fmt::format("environment variable {}", source.name);
    case secret_source::kind::file:
        return fmt::format("file {}", source.name);
    case secret_source::kind::credential:
        return fmt::format("systemd credential {}", source.name);
    case secret_source::kind::automatic:
        break;
    }
    return fmt::format("environment variable {} or systemd credential {}", default_secret_variable,
                       default_secret_credential);
}

namespace {

secret_result read_secret(const secret_source& source, const env_lookup& getenv)
{
    switch (source.from) {
    case secret_source::kind::environment: {
        const char* value = getenv(source.name.c_str());
        if (value == nullptr)
            return fail(
                fmt::format("the {} is not set: {} is unset", source.what, describe(source)));
        return from_value(value, source);
    }
    case secret_source::kind::file:
        return read_private_file(source.name, source, true, trust_policy_from(getenv));
    case secret_source::kind::credential: {
        const char* dir = getenv("CREDENTIALS_DIRECTORY");
        if (dir == nullptr || *dir == '\0')
            // Outside the unit (an admin's `auth test`, `trigger`, `ask --config`): the exact
            // command that hands the command the unit's credential (docs/operations.md).
            return fail(fmt::format(
                "{} is configured but CREDENTIALS_DIRECTORY is unset: outside the paymand unit, "
                "run the command with the unit's credential: sudo systemd-run --pipe --wait "
                "--quiet --collect -p LoadCredentialEncrypted={}:/etc/paymand/credentials/{}.cred "
                "-- /usr/bin/paymand <command> (LoadCredential={}:/etc/paymand/credentials/{} for "
                "a plain file)",
                describe(source), source.name, source.name, source.name, source.name));
        // systemd makes credential files private to the service itself; their mode is its
        // business (0400 or 0440 with a group of the service's own).
        return read_private_file(fmt::format("{}/{}", dir, source.name), source, false,
                                 trust_policy_from(getenv));
    }
    case secret_source::kind::automatic:
        break;
    }
    std::string variable(default_secret_variable);
    if (const char* value = getenv(variable.c_str()); value != nullptr)
        return from_value(value, {secret_source::kind::environment, variable});
    if (const char* dir = getenv("CREDENTIALS_DIRECTORY"); dir != nullptr && *dir != '\0')
        return read_secret(
            {secret_source::kind::credential, std::string(default_secret_credential)}, getenv);
    return fail(fmt::format("no client secret: set {} or payman.client_secret in the "
                            "configuration (env, file or credential)",
                            variable));
}

}  // namespace

secret_result load_secret(const secret_source& source, const env_lookup& getenv)
{
    auto secret = read_secret(source, getenv);
    if (secret) return secret;
    // The configuration key and its place, so that the fix is found at once.
    auto error = secret.error();
    error.message = source.defined_at.empty()
                        ? fmt::format("{} (not set in the configuration: the default source): {}",
                                      source.key, error.message)
                        : fmt::format("{} ({}): {}", source.key, source.defined_at, error.message);
    return error;
}

void protect_process()
{
    ::prctl(PR_SET_DUMPABLE, 0);
}

void forget_secret_environment(const secret_source& source)
{
    auto forget = [](const std::string& name) {
        if (char* value = ::getenv(name.c_str())) payman::wipe(value, std::strlen(value));
        ::unsetenv(name.c_str());
    };
    forget(std::string(default_secret_variable));
    if (source.from == secret_source::kind::environment) forget(source.name);
}

}  // namespace paymand::config
