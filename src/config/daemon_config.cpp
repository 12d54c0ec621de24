#include "paymand/config/daemon_config.hpp"

#include "config/config_readers.hpp"
#include "paymand/config/file_trust.hpp"
#include "paymand/core/access.hpp"
#include "paymand/core/sha256.hpp"
#include "paymand/grant/authorization.hpp"
#include "paymand/metrics/listen.hpp"
#include "paymand/net/endpoint.hpp"
#include "paymand/payman/environment.hpp"
#include "paymand/rules/rule.hpp"
#include "paymand/yaml/document.hpp"
#include "paymand/yaml/quote.hpp"
#include "paymand/yaml/reader.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

namespace paymand::config {
namespace {

using std::chrono::seconds;
using namespace std::chrono_literals;

std::filesystem::path resolve_path(const std::filesystem::path& base_dir, const std::string& text)
{
    std::filesystem::path p(text);
    return p.is_absolute() ? p : (base_dir / p).lexically_normal();
}

// A path value: non-empty text, resolved against the config file's directory.
std::optional<std::filesystem::path> read_path(const yaml::reader& in, const yaml::field& f,
                                               const std::filesystem::path& base_dir)
{
    auto text = in.text(f);
    if (!text) return std::nullopt;
    if (text->empty()) {
        in.error(f, fmt::format("'{}' must not be empty", f.name));
        return std::nullopt;
    }
    return resolve_path(base_dir, *text);
}

// Letters, digits and '_', not starting with a digit: what a shell calls a variable name.
bool is_variable_name(std::string_view name)
{
    if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

}  // namespace

// `client_secret` (and `ha.conninfo`) are the secret-bearing keys: people write the secret
// itself there. No diagnostic about them may quote what is written under them (a value, a key
// of a mapping, an item), so they are read here by hand and never through the reader's generic
// messages, which quote values. `key` names the key in messages, `how` says where the secret
// goes instead.
void read_secret_source(const yaml::reader& in, const yaml::field& f,
                        const std::filesystem::path& base_dir, secret_source& out,
                        std::string_view key, std::string_view how)
{
    if (!f.value.IsMap()) {
        in.error(f, fmt::format("{} must name where the secret is (env, file or credential), not "
                                "hold it; the value is not shown: {}",
                                key, how));
        return;
    }
    // Optional, not assigned: assigning to a yaml-cpp node that refers to one rewires the tree.
    std::optional<YAML::Node> source_key;
    std::optional<YAML::Node> source_value;
    std::string source_name;
    std::size_t sources = 0;
    for (auto it = f.value.begin(); it != f.value.end(); ++it) {
        const bool known =
            it->first.IsScalar() && (it->first.Scalar() == "env" || it->first.Scalar() == "file" ||
                                     it->first.Scalar() == "credential");
        if (!known) {
            in.error(it->first.Mark(), fmt::format("unknown key in {} (allowed: env, file, "
                                                   "credential); the key is not shown: {}",
                                                   key, how));
            continue;
        }
        ++sources;
        source_key.emplace(it->first);
        source_value.emplace(it->second);
        source_name = it->first.Scalar();
    }
    if (sources != 1 || !source_key || !source_value) {
        if (sources > 1)
            in.error(f,
                     fmt::format("{} must name exactly one source: env, file or credential", key));
        else if (f.value.size() == 0)
            in.error(f, fmt::format("{} must name one source: env, file or credential", key));
        return;
    }
    const auto at = source_value->Mark().line < 0 ? source_key->Mark() : source_value->Mark();
    if (!source_value->IsScalar() || source_value->Scalar().empty()) {
        in.error(at,
                 fmt::format("{}.{} must be a non-empty name (value not shown)", key, source_name));
        return;
    }
    const std::string text = source_value->Scalar();
    if (source_name == "env") {
        if (!is_variable_name(text)) {
            in.error(at, fmt::format("{}.env must be the name of an environment variable "
                                     "(letters, digits, '_'); the value is not shown: {}",
                                     key, how));
            return;
        }
        out = {secret_source::kind::environment, text};
    } else if (source_name == "file") {
        // Relative to the configuration file's directory, like every path in it.
        out = {secret_source::kind::file, resolve_path(base_dir, text).string()};
    } else {
        if (text.find('/') != std::string::npos || text == "." || text == "..") {
            in.error(at, fmt::format("{}.credential is a credential name, not a path (value "
                                     "not shown)",
                                     key));
            return;
        }
        out = {secret_source::kind::credential, text};
    }
}

namespace {

// A client id travels in the Basic authorization header of the token request: printable ASCII
// only, so that no CR, LF or NUL can end or split the header. What is wrong and where, without
// the value (the caller decides whether to show it).
core::result<void> check_client_id(std::string_view id)
{
    for (std::size_t i = 0; i < id.size(); ++i) {
        const auto c = static_cast<unsigned char>(id[i]);
        if (c >= 0x20 && c < 0x7f) continue;
        const char* name = c == '\r'   ? " (carriage return)"
                           : c == '\n' ? " (line feed)"
                           : c == '\0' ? " (NUL)"
                           : c == '\t' ? " (tab)"
                                       : "";
        return core::error{
            .code = make_error_code(std::errc::invalid_argument),
            .message = fmt::format("{} \\x{:02X}{} at byte {}; a client id is printable ASCII",
                                   c < 0x20 || c == 0x7f ? "control character" : "non-ASCII byte",
                                   c, name, i)};
    }
    return {};
}

std::chrono::milliseconds read_timeout(const yaml::reader& in, const yaml::mapping& m,
                                       std::string_view key, std::chrono::milliseconds fallback)
{
    const auto* f = m.find(key);
    if (f == nullptr) return fallback;
    auto value = in.duration(*f, 1s, 3600s);
    return value ? std::chrono::milliseconds(*value) : fallback;
}

void read_grant(const yaml::reader& in, const yaml::mapping& m, grant_config& out)
{
    if (const auto* f = m.find("grant")) {
        if (auto v =
                in.one_of<grant_mode>(*f, {{"client_credentials", grant_mode::client_credentials},
                                           {"authorization_code", grant_mode::authorization_code}}))
            out.mode = *v;
    }
    const bool user = out.mode == grant_mode::authorization_code;
    for (std::string_view key : {"redirect_uri", "authorize_url", "pkce"}) {
        if (const auto* f = m.find(key); f != nullptr && !user)
            in.error(*f, fmt::format("payman.{} is used by the authorization code flow only: set "
                                     "payman.grant: authorization_code or remove it",
                                     key));
    }
    if (!user) return;
    if (const auto* f = m.find("redirect_uri")) {
        if (auto text = in.text(*f)) {
            auto parsed = grant::parse_loopback_uri(*text);
            if (parsed)
                out.redirect_uri = *text;
            else
                in.error(*f, fmt::format("redirect_uri {}: {}; e.g. "
                                         "http://127.0.0.1:8421/callback, registered for the app",
                                         yaml::quote_value(*text), parsed.error().message));
        }
    }
    if (const auto* f = m.find("authorize_url")) {
        if (auto url = in.text(*f)) {
            auto parsed = net::parse_endpoint(*url);
            if (parsed)
                out.authorize_url = *url;
            else
                in.error(*f, fmt::format("authorize_url {}: {}", yaml::quote_value(*url),
                                         parsed.error().message()));
        }
    }
    out.pkce = in.boolean_or(m, "pkce", false);
}

void read_payman(const yaml::reader& in, const yaml::field& section,
                 const std::filesystem::path& base_dir, const env_lookup& getenv,
                 daemon_config& out)
{
    auto m = in.read_mapping(section.value,
                             {{"environment"},
                              {"base_url"},
                              {"client_id"},
                              {"client_secret"},
                              {"ca_file"},
                              {"timeouts"},
                              {"max_response_size"},
                              {"connections"},
                              {"grant"},
                              {"redirect_uri"},
                              {"authorize_url"},
                              {"pkce"}},
                             "payman");
    if (!m) return;
    auto& client = out.client;
    if (const auto* f = m->find("environment")) {
        if (auto word = in.text(*f)) {
            auto env = payman::parse_environment(*word);
            if (env)
                client.environment = *env;
            else
                in.error(*f, "environment must be 'test' or 'live'");
        }
    }
    if (const auto* f = m->find("base_url")) {
        if (auto url = in.text(*f)) {
            auto parsed = net::parse_endpoint(*url);
            if (parsed)
                client.base_url = *url;
            else if (url->find("://") == std::string::npos && net::parse_endpoint("http://" + *url))
                // "127.0.0.1:40151/api": the scheme is what is missing, not the URL.
                in.error(*f, fmt::format("base_url {} has no scheme: add it, e.g. http://{} on "
                                         "loopback, https://{} elsewhere",
                                         yaml::quote_value(*url), *url, *url));
            else
                in.error(*f, fmt::format("base_url {}: {}", yaml::quote_value(*url),
                                         parsed.error().message()));
        }
    }
    bool id_refused = false;  // a client id was given but cannot be used; already reported
    if (const auto* f = m->find("client_id")) {
        if (auto id = in.text(*f)) {
            if (id->empty()) {
                in.error(*f, "client_id must not be empty");
            } else if (auto checked = check_client_id(*id); !checked) {
                in.error(*f, fmt::format("client_id: {}", checked.error().message));
                id_refused = true;
            } else {
                out.client_id = *id;
            }
        }
    }
    if (out.client_id.empty() && !id_refused) {
        const char* from_env = getenv("PAYMAN_CLIENT_ID");
        if (from_env != nullptr && *from_env != '\0') {
            if (auto checked = check_client_id(from_env); !checked) {
                in.error(section, fmt::format("the environment variable PAYMAN_CLIENT_ID has a {} "
                                              "(value not shown)",
                                              checked.error().message));
                id_refused = true;
            } else {
                out.client_id = from_env;
            }
        }
    }
    if (out.client_id.empty() && !id_refused) {
        in.error(section, "no client id: set payman.client_id or PAYMAN_CLIENT_ID");
    } else if (!out.client_id.empty()) {
        // Environment against client id (a pm-test- id on live) and a base URL in one check.
        auto base = payman::select_base_url(client.environment, client.base_url, out.client_id);
        if (!base) in.error(section, base.error().message);
    }
    if (const auto* f = m->find("client_secret")) {
        read_secret_source(in, *f, base_dir, out.client_secret, "client_secret",
                           "write the secret in a file (client_secret: {file: "
                           "/etc/paymand/client-secret}), a systemd credential or the "
                           "environment, never in the configuration");
        const auto at = f->key.Mark();
        out.client_secret.defined_at =
            fmt::format("{}:{}:{}", in.file(), at.line + 1, at.column + 1);
    }
    if (const auto* f = m->find("ca_file")) {
        if (auto p = read_path(in, *f, base_dir)) client.http.ca_file = *p;
    }
    if (const auto* f = m->find("timeouts")) {
        auto t = in.read_mapping(f->value,
                                 {{"resolve"}, {"connect"}, {"tls_handshake"}, {"write"}, {"read"}},
                                 "timeouts");
        if (t) {
            auto& pt = client.http.timeouts;
            pt.resolve = read_timeout(in, *t, "resolve", pt.resolve);
            pt.connect = read_timeout(in, *t, "connect", pt.connect);
            pt.tls_handshake = read_timeout(in, *t, "tls_handshake", pt.tls_handshake);
            pt.write = read_timeout(in, *t, "write", pt.write);
            pt.read = read_timeout(in, *t, "read", pt.read);
        }
    }
    if (const auto* f = m->find("max_response_size")) {
        if (auto v = in.integer(*f, 4096, 256 * 1024 * 1024))
            client.http.max_response_bytes = static_cast<std::size_t>(*v);
    }
    if (const auto* f = m->find("connections")) {
        if (auto v = in.integer(*f, 1, 64)) client.http.max_connections = static_cast<size_t>(*v);
    }
    read_grant(in, *m, out.grant);
}

void read_prompts(const yaml::reader& in, const yaml::field& section, daemon_config& out)
{
    auto m = in.read_mapping(section.value,
                             {{"pay"},
                              {"pay_from_wallet"},
                              {"pay_memo"},
                              {"balance"},
                              {"wallet_balance"},
                              {"payees"},
                              {"transactions"}},
                             "prompts");
    if (!m) return;
    auto& texts = out.prompts;
    std::pair<std::string_view, std::string*> slots[] = {
        {"pay", &texts.pay},
        {"pay_from_wallet", &texts.pay_from_wallet},
        {"pay_memo", &texts.pay_memo},
        {"balance", &texts.balance},
        {"wallet_balance", &texts.wallet_balance},
        {"payees", &texts.payees},
        {"transactions", &texts.transactions},
    };
    for (auto& [key, slot] : slots)
        if (const auto* f = m->find(key))
            if (auto text = in.text(*f)) *slot = *text;

    std::vector<core::error> errors;
    if (prompt::prompt_set::load(texts, errors)) return;
    // Each message names its template; point at that template's value when it was given.
    for (const auto& e : errors) {
        const yaml::field* at = nullptr;
        for (const auto& [key, slot] : slots)
            if (e.message.find(fmt::format("'{}'", key)) != std::string::npos) at = m->find(key);
        if (at != nullptr)
            in.error(*at, e.message);
        else
            in.error(section, e.message);
    }
}

void read_engine(const yaml::reader& in, const yaml::field& section, engine_config& out)
{
    auto m = in.read_mapping(section.value,
                             {{"concurrency"},
                              {"occurrence_timeout"},
                              {"retry"},
                              {"shutdown_grace"},
                              {"reconcile_interval"},
                              {"reconcile_transactions"},
                              {"confirm_payments"},
                              {"confirm_delay"},
                              {"confirm_attempts"}},
                             "engine");
    if (!m) return;
    if (const auto* f = m->find("concurrency"))
        if (auto v = in.integer(*f, 1, 256)) out.concurrency = static_cast<unsigned>(*v);
    if (const auto* f = m->find("occurrence_timeout"))
        if (auto v = in.duration(*f, 5s, 24h)) out.occurrence_timeout = *v;
    if (const auto* f = m->find("shutdown_grace"))
        if (auto v = in.duration(*f, 0s, 1h)) out.shutdown_grace = *v;
    if (const auto* f = m->find("reconcile_interval"))
        if (auto v = in.duration(*f, 0s, 24h)) out.reconcile_interval = *v;
    if (const auto* f = m->find("reconcile_transactions"))
        if (auto v = in.integer(*f, 1, 100)) out.reconcile_transactions = static_cast<int>(*v);
    out.confirm_payments = in.boolean_or(*m, "confirm_payments", out.confirm_payments);
    if (const auto* f = m->find("confirm_delay"))
        if (auto v = in.duration(*f, 0s, 1h)) out.confirm_delay = *v;
    if (const auto* f = m->find("confirm_attempts"))
        if (auto v = in.integer(*f, 1, 20)) out.confirm_attempts = static_cast<unsigned>(*v);
    if (const auto* f = m->find("retry")) {
        auto r = in.read_mapping(f->value, {{"initial_delay"}, {"max_delay"}, {"max_attempts"}},
                                 "retry");
        if (!r) return;
        if (const auto* g = r->find("initial_delay"))
            if (auto v = in.duration(*g, 1s, 1h)) out.retry.initial_delay = *v;
        if (const auto* g = r->find("max_delay"))
            if (auto v = in.duration(*g, 1s, 1h)) out.retry.max_delay = *v;
        if (const auto* g = r->find("max_attempts"))
            if (auto v = in.integer(*g, 1, 100)) out.retry.max_attempts = static_cast<unsigned>(*v);
        if (out.retry.max_delay < out.retry.initial_delay)
            in.error(*f, "retry.max_delay must be at least retry.initial_delay");
    }
}

void read_log(const yaml::reader& in, const yaml::field& section, log::log_config& out)
{
    auto m = in.read_mapping(section.value, {{"format"}, {"level"}}, "log");
    if (!m) return;
    if (const auto* f = m->find("format")) {
        if (auto v = in.one_of(*f, log::log_format_words)) out.format = *v;
    }
    if (const auto* f = m->find("level")) {
        if (auto v = in.one_of<spdlog::level::level_enum>(*f, {{"debug", spdlog::level::debug},
                                                               {"info", spdlog::level::info},
                                                               {"warning", spdlog::level::warn},
                                                               {"error", spdlog::level::err}}))
            out.level = *v;
    }
}

void read_metrics(const yaml::reader& in, const yaml::field& section, metrics_config& out)
{
    auto m = in.read_mapping(section.value, {{"listen"}, {"allow_non_loopback"}}, "metrics");
    if (!m) return;
    const bool allow = in.boolean_or(*m, "allow_non_loopback", false);
    if (const auto* f = m->find("listen")) {
        auto text = in.text(*f);
        if (!text) return;
        auto endpoint = metrics::parse_listen(*text, allow);
        if (!endpoint) {
            in.error(in.value_mark(*f), endpoint.error().message);
            return;
        }
        out.listen = *endpoint;
        out.listen_text = *text;
    }
}

// This host's name (the default node name of `ha:`), "" when it has none.
std::string host_name()
{
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return {};
    return name;
}

}  // namespace

std::filesystem::path daemon_config::dry_run_audit_log() const
{
    auto p = audit_log;
    p.replace_filename(audit_log.stem().string() + ".dry-run" + audit_log.extension().string());
    return p;
}

std::optional<daemon_config> parse_daemon_config(std::string_view text, const std::string& file,
                                                 const std::filesystem::path& base_dir,
                                                 const env_lookup& getenv, yaml::diagnostics& diags)
{
    const auto errors_before = diags.size();
    auto root = yaml::load_text(text, file, diags);
    if (!root) return std::nullopt;
    yaml::reader in(file, diags);

    std::vector<yaml::key_rule> keys{{"payman", yaml::presence::required},
                                     {"rules_directory", yaml::presence::required},
                                     {"state_directory", yaml::presence::required},
                                     {"audit_log"},
                                     {"prompts"},
                                     {"engine"},
                                     {"log"},
                                     {"metrics"},
                                     {"ha"}};
    keys.insert(keys.end(), rules::policy_keys.begin(), rules::policy_keys.end());
    auto m = in.read_mapping(*root, keys, "configuration");
    if (!m) return std::nullopt;

    daemon_config out;
    out.path = file;
    out.sha256 = core::sha256_hex(text);
    if (const auto* f = m->find("payman")) read_payman(in, *f, base_dir, getenv, out);
    if (const auto* f = m->find("rules_directory")) {
        if (auto p = read_path(in, *f, base_dir)) out.rules_directory = *p;
    }
    if (const auto* f = m->find("state_directory")) {
        if (auto p = read_path(in, *f, base_dir)) out.state_directory = *p;
    }
    if (const auto* f = m->find("audit_log")) {
        if (auto p = read_path(in, *f, base_dir)) out.audit_log = *p;
    } else if (!out.state_directory.empty()) {
        out.audit_log = out.state_directory / "audit.jsonl";
    }
    out.policy = rules::parse_policy_sections(*m, in);
    if (const auto* f = m->find("prompts")) read_prompts(in, *f, out);
    if (const auto* f = m->find("engine")) read_engine(in, *f, out.engine);
    if (const auto* f = m->find("log")) read_log(in, *f, out.log);
    if (const auto* f = m->find("metrics")) read_metrics(in, *f, out.metrics);
    if (const auto* f = m->find("ha")) read_ha(in, *f, base_dir, host_name(), out.ha.emplace());

    if (diags.size() != errors_before) return std::nullopt;
    return out;
}

std::optional<daemon_config> load_daemon_config(const std::filesystem::path& path,
                                                const env_lookup& getenv, yaml::diagnostics& diags)
{
    // Whoever can change this file chooses where the secret goes (base_url): refuse it
    // before reading a byte, as sshd's StrictModes does.
    if (auto trusted = check_trusted_path(path, trust_policy_from(getenv)); !trusted) {
        diags.error(path.string(), 1, 1,
                    fmt::format("refusing the configuration: {} (see \"Permissions\" in "
                                "docs/configuration.md)",
                                trusted.error().message));
        return std::nullopt;
    }
    std::error_code size_error;
    auto size = std::filesystem::file_size(path, size_error);
    if (!size_error && size > yaml::max_file_size) {
        diags.error(path.string(), 1, 1, "the configuration file is larger than 64 MiB");
        return std::nullopt;
    }
    std::ifstream input(path, std::ios::binary);
    if (size_error || !input) {
        // The errno, and what stops this user (the file or directory with its mode and owner)
        // with the fix, as for rule files. The file holds no secret, only where it is.
        const int err = size_error                          ? size_error.value()
                        : ::access(path.c_str(), R_OK) != 0 ? errno
                                                            : EIO;
        diags.error(path.string(), 1, 1,
                    core::access_problem(path, err, "paymand check --config " + path.string(),
                                         "make it readable: chmod a+r " + path.string()));
        return std::nullopt;
    }
    std::ostringstream buffer;
    buffer << input.rdbuf();
    auto base_dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    return parse_daemon_config(buffer.str(), path.string(), std::filesystem::absolute(base_dir),
                               getenv, diags);
}

}  // namespace paymand::config
