#pragma once

// The daemon's configuration: config/paymand.yaml, owned by whoever runs paymand (see
// docs/configuration.md for every key). Loaded strictly like rule files: unknown keys, wrong
// types and bad values are errors of the form "paymand.yaml:12:7: error: ...", all of them
// reported in one pass, and a load yields a complete configuration or nothing.

#include "paymand/log/logging.hpp"
#include "paymand/payman/client_config.hpp"
#include "paymand/prompt/prompt_set.hpp"
#include "paymand/rules/policy.hpp"
#include "paymand/yaml/diagnostics.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace paymand::config {

// Where the client secret comes from. Never the secret itself: the config file names a
// source, and the value is read only when the daemon needs it (see secret_source.hpp).
struct secret_source {
    enum class kind {
        environment,  // an environment variable (default PAYMAN_CLIENT_SECRET)
        file,         // a file readable by its owner only (mode 0600 or 0400)
        credential,   // a systemd credential: $CREDENTIALS_DIRECTORY/<name>
        automatic,    // PAYMAN_CLIENT_SECRET if set, else the credential payman-client-secret
    };
    kind from = kind::automatic;
    std::string name;  // variable or credential name, or the file path
    // Where payman.client_secret is written ("paymand.yaml:13:3"); empty for the default.
    std::string defined_at;
    // What the secret is and the key that names its source, for messages.
    std::string_view what = "client secret";
    std::string_view key = "payman.client_secret";
};

inline constexpr std::string_view default_secret_variable = "PAYMAN_CLIENT_SECRET";
inline constexpr std::string_view default_secret_credential = "payman-client-secret";

struct retry_config {
    // Exponential backoff with full jitter between attempts that cannot have reached Payman.
    std::chrono::seconds initial_delay{1};
    std::chrono::seconds max_delay{60};
    unsigned max_attempts = 5;
};

struct engine_config {
    // Occurrences run at the same time, across all rules.
    unsigned concurrency = 4;
    // Everything one occurrence may take, retries included; past it, what is still unsent is
    // recorded failed and what was sent without an answer in_doubt.
    std::chrono::seconds occurrence_timeout{600};
    retry_config retry;
    // On SIGTERM: how long in-flight occurrences may finish before they are recorded.
    std::chrono::seconds shutdown_grace{30};
    // How often in-doubt occurrences are reconciled against a transaction listing (0: never),
    // and how many recent transactions are asked for.
    std::chrono::seconds reconcile_interval{900};
    int reconcile_transactions = 20;
    // After the agent reports a payment completed, confirm it from a transaction listing:
    // the first listing `confirm_delay` after the reply (payments completed meanwhile share
    // it), again every `confirm_delay` until `confirm_attempts` listings did not show it
    // (then `unconfirmed`).
    bool confirm_payments = true;
    std::chrono::seconds confirm_delay{3};
    unsigned confirm_attempts = 3;
};

// The optional metrics endpoint (`metrics:`): off unless `listen` is given; loopback only
// unless `allow_non_loopback: true`.
struct metrics_config {
    std::optional<boost::asio::ip::tcp::endpoint> listen;
    std::string listen_text;  // as written, for messages
};

// The `ha:` section: several nodes on one PostgreSQL ledger (docs/ha.md). Absent, nothing of it
// exists: no database, no libpq call. The connection string may hold a password, so it is kept
// like the client secret: written in the file only without one, else named by its source (a
// private file, a systemd credential, an environment variable) and read when a node needs it
// (ha_config.hpp).
struct ha_timeouts {
    // Client side: the whole connect (every host tried), one statement's answer.
    std::chrono::seconds connect{5};
    std::chrono::seconds reply{7};
    // Server side, set on each session.
    std::chrono::seconds statement{5};
    std::chrono::seconds lock{2};
    std::chrono::seconds idle_in_transaction{10};
};

struct ha_config {
    // The connection string written in the file (never one holding a password), or where it
    // is kept: exactly one of the two.
    std::optional<std::string> conninfo;
    std::optional<secret_source> conninfo_source;
    // This node's name in the lease and the node table: letters, digits, '.', '_', '-', at
    // most 63 bytes; default the host name.
    std::string node;
    // Milliseconds: a short lease (2s, renewed every 500ms) is a sensible setting.
    std::chrono::milliseconds lease{10000};
    std::chrono::milliseconds renew{2000};
    // The lease is trusted on this node until (renewal sent + time left - safety_margin).
    std::chrono::milliseconds safety_margin{1000};
    // A node whose clock differs from the database's by more does not campaign.
    std::chrono::milliseconds max_clock_skew{1000};
    ha_timeouts timeouts;
};

// How the daemon gets its tokens (`payman.grant`): the app's own wallets with client
// credentials, or a person's wallets through the grant `paymand auth login` stored.
enum class grant_mode { client_credentials, authorization_code };

struct grant_config {
    grant_mode mode = grant_mode::client_credentials;
    // The loopback URI registered for the app that `auth login` listens on; none: an
    // ephemeral port on http://127.0.0.1 with path /callback.
    std::optional<std::string> redirect_uri;
    // The consent page; none: <base URL>/oauth/authorize.
    std::optional<std::string> authorize_url;
    bool pkce = false;  // send an S256 code challenge (RFC 7636) as well
};

struct daemon_config {
    std::string path;       // the file as named by the user
    std::string sha256;     // of the file's bytes, for the audit log's config_loaded record
    std::string client_id;  // from the file, else PAYMAN_CLIENT_ID
    secret_source client_secret;
    payman::client_config client;  // environment/base_url, HTTP timeouts, limits, CA file
    grant_config grant;
    std::filesystem::path rules_directory;
    std::filesystem::path state_directory;
    std::filesystem::path audit_log;  // default <state_directory>/audit.jsonl
    rules::policy policy;             // timezone, min_pay_interval, payees, limits
    prompt::prompt_texts prompts;     // validated: prompt_set::load succeeds on them
    engine_config engine;
    log::log_config log;
    metrics_config metrics;
    std::optional<ha_config> ha;  // none: a single node on its own files

    // <state_directory>/grant.json: the person's grant in authorization_code mode.
    std::filesystem::path grant_path() const { return state_directory / "grant.json"; }
    // <state_directory>/paymand.lock: the exclusive lock of one daemon on this state.
    std::filesystem::path lock_path() const { return state_directory / "paymand.lock"; }
    // The dry-run audit log beside the real one: <audit_log stem>.dry-run.jsonl.
    std::filesystem::path dry_run_audit_log() const;
};

// Returns the value of an environment variable or null (std::getenv fits).
using env_lookup = std::function<const char*(const char*)>;

// Parses `text` as the configuration file named `file`. Relative paths in it are resolved
// against `base_dir` (the file's directory). nullopt on any error, all of them in `diags`.
std::optional<daemon_config> parse_daemon_config(std::string_view text, const std::string& file,
                                                 const std::filesystem::path& base_dir,
                                                 const env_lookup& getenv,
                                                 yaml::diagnostics& diags);

// Reads `path` and parses it as above (base_dir is the file's directory).
std::optional<daemon_config> load_daemon_config(const std::filesystem::path& path,
                                                const env_lookup& getenv, yaml::diagnostics& diags);

}  // namespace paymand::config
