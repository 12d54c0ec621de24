#pragma once

// payman-sandbox as a child process for integration tests: writes its config, starts it with
// the admin listener on ephemeral loopback ports, waits for its url files, and talks to its
// admin API (the ledger is the witness of what a client really did). Everything here is
// blocking and throws std::runtime_error on failure, which fails the calling test.

#include "support/process.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::test {

// Credentials of the default configuration.
inline constexpr std::string_view sandbox_client_id = "pm-test-client";
inline constexpr std::string_view sandbox_client_secret = "test-secret-123";
// A second client with read scopes only (read_balance, read_list_wallets, read_list_payees,
// read_list_transactions).
inline constexpr std::string_view sandbox_readonly_client_id = "pm-test-readonly";
inline constexpr std::string_view sandbox_readonly_client_secret = "readonly-secret-456";
// The redirect URI registered for both default clients (authorization code flow).
inline constexpr std::string_view sandbox_redirect_uri = "http://127.0.0.1:9/callback";

// Knobs of the default configuration (ignored when `config_yaml` is given).
struct sandbox_defaults {
    int token_lifetime_s = 3600;
    // Per-transaction limit of pm-test-client, e.g. "500.00"; none when empty.
    std::string per_transaction_limit;
    // Whether client-credentials tokens come with a refresh token.
    bool refresh_with_client_credentials = false;
    // "prose" (the agent refuses in words) or "http" (HTTP 403 in Payman's error shape).
    std::string scope_denial = "prose";
};

struct sandbox_params {
    // Full YAML configuration; empty means default_sandbox_config(defaults).
    std::string config_yaml;
    sandbox_defaults defaults;
    // TLS: PEM certificate chain and key (see support/tls.hpp); the base URL is then https.
    std::optional<std::filesystem::path> cert_file;
    std::optional<std::filesystem::path> key_file;
    // The CA that fetch_token() and ask() trust over https.
    std::optional<std::filesystem::path> ca_file;
    std::uint64_t seed = 1;
    std::vector<std::string> extra_args;
};

// The default configuration as YAML text: client pm-test-client / test-secret-123 with all
// scopes, pm-test-readonly with read scopes, wallet "Operations" with 1000.00 TSD, payee
// "John Doe" <john.doe@example.com>.
std::string default_sandbox_config(const sandbox_defaults& defaults = {});

// Standard base64 with padding (for Basic auth headers in tests).
std::string base64_encode(std::string_view data);

// A blocking HTTP(S) exchange over loopback.
struct http_reply {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    std::string header(std::string_view name) const;  // "" when absent
    boost::json::value json() const;                  // throws when the body is not JSON
};

struct http_request_params {
    std::string method = "GET";
    std::string url;  // http://127.0.0.1:PORT/... or https://...
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    // For https: the CA to trust (verification and host name check always on).
    std::optional<std::filesystem::path> ca_file;
    std::chrono::milliseconds timeout = std::chrono::seconds(20);
};

// Throws on connection or TLS failure (the message says which).
http_reply http_request(const http_request_params& params);

class sandbox_process {
public:
    explicit sandbox_process(sandbox_params params = {});
    ~sandbox_process();
    sandbox_process(const sandbox_process&) = delete;
    sandbox_process& operator=(const sandbox_process&) = delete;

    // API base URL ending in /api, e.g. http://127.0.0.1:41234/api.
    const std::string& base_url() const { return base_url_; }
    // Admin base URL without a trailing slash, e.g. http://127.0.0.1:41235.
    const std::string& admin_url() const { return admin_url_; }

    boost::json::value ledger();
    boost::json::value stats();
    // GET /admin/requests: every tasks.send request received since the start or the last
    // reset (the ones with seq above `after`), {"requests":[...],"dropped":N}.
    boost::json::value requests(std::int64_t after = 0);
    // Adds a fault (see docs/sandbox.md) and returns its id.
    std::int64_t inject_fault(const boost::json::value& fault);
    void clear_faults();
    // Back to the configuration's starting state (ledger, tokens, stats, faults).
    void reset();

    // Stops with SIGTERM (asserting a clean exit 0) and starts again on the same config and
    // state file; the ports change, so read base_url() again.
    void restart();
    // SIGTERM and wait; returns the exit status.
    exit_status stop();

    // Convenience: fetch a client-credentials token the way the SDKs do (Basic auth, grant in
    // the query string); returns the parsed token response; throws on non-200.
    boost::json::value fetch_token(std::string_view client_id = sandbox_client_id,
                                   std::string_view secret = sandbox_client_secret);
    // Convenience: POST a tasks.send with `text` and returns the HTTP reply.
    http_reply ask(std::string_view access_token, std::string_view text,
                   const boost::json::value& metadata = nullptr);

    const std::filesystem::path& config_file() const { return config_file_; }
    const std::filesystem::path& state_file() const { return state_file_; }
    const std::filesystem::path& directory() const { return dir_.path(); }
    child_process& process() { return *process_; }
    const sandbox_params& params() const { return params_; }

private:
    void start();
    http_reply admin(std::string_view method, std::string_view target, std::string body = {});

    sandbox_params params_;
    temp_dir dir_;
    std::filesystem::path config_file_;
    std::filesystem::path state_file_;
    std::unique_ptr<child_process> process_;
    std::string base_url_;
    std::string admin_url_;
    int starts_ = 0;
};

}  // namespace paymand::test
