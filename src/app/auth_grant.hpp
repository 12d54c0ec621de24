#pragma once

// What the `auth` subcommands share about a person's grant: the configuration with the scopes
// its rules need, the state lock (a command that changes or rotates the grant refuses while
// the daemon runs: it holds the same refresh token), and the audit log the grant's records go to.

#include "app/command.hpp"
#include "paymand/audit/file_audit_store.hpp"
#include "paymand/daemon/load.hpp"
#include "paymand/inspect/rule_review.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace paymand::app {

// Configuration and rules, loaded as the daemon loads them; errors printed to stderr.
std::optional<daemon::loaded> load_for_auth(const std::string& config_path);

// The scopes the rules need, or `given` (comma-separated) when not empty.
std::vector<std::string> scopes_to_ask(const daemon::loaded& loaded, const std::string& given);

// Takes the state lock and replays the audit log so that grant records can be appended. On
// failure prints why (prefixed by `prefix`) and sets `exit` (exit_locked while the daemon runs).
std::unique_ptr<audit::file_audit_store> lock_state(const config::daemon_config& cfg,
                                                    std::string_view prefix, int& exit);

// Appends one record to a locked store; prints the error and returns false when it fails.
bool append_record(audit::file_audit_store& store, audit::record_body body,
                   std::string_view prefix);

// One line on the grant for `paymand status`, only in authorization_code mode: "grant: valid
// ..." or "CRITICAL: ..." when none is stored or the server refused it. Read-only.
std::optional<std::string> grant_summary(const config::daemon_config& cfg);

// `paymand auth login`.
struct login_args {
    std::string config = "/etc/paymand/paymand.yaml";
    std::string scopes;
    bool no_listen = false;
    bool no_browser = false;
    unsigned timeout_s = 300;
};
int run_auth_login(const login_args& args);

}  // namespace paymand::app
