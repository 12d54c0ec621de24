#pragma once

// payman-sandbox's configuration: where it listens, its clients, the starting ledger.
// Loaded from YAML strictly: unknown keys, wrong types and bad values are errors that name
// file:line:col, and a load yields either a complete configuration or every error found.

#include "sandbox/money.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::sandbox {

// The seven OAuth scopes Payman grants.
inline constexpr std::string_view all_scopes[] = {
    "read_balance",       "read_list_wallets",  "read_list_payees",   "read_list_transactions",
    "write_create_payee", "write_send_payment", "write_create_wallet"};

bool known_scope(std::string_view scope);

// How a missing scope is answered on /a2a/tasks/send.
enum class scope_denial { prose, http };

struct client_config {
    std::string id;
    std::string secret;
    std::vector<std::string> scopes;  // granted scopes, in config order
    std::int64_t token_lifetime_s = 3600;
    std::optional<minor_units> per_transaction_limit;
    bool refresh_with_client_credentials = false;
    // At most 5 each, as Payman allows. A loopback http URI (127.0.0.1, [::1]) matches on any
    // port (RFC 8252 7.3); others match exactly.
    std::vector<std::string> redirect_uris;
    // Origins ("https://app.example.com") besides the sandbox's own from which the consent
    // form may be submitted; a submission with another Origin header is refused.
    std::vector<std::string> origins;
    scope_denial denial = scope_denial::prose;
    // Token responses in camelCase (current Payman) or snake_case (what the oldest SDKs read).
    bool snake_case_tokens = false;
    // What the consent page shows: the application's name (default: the id) and why it asks.
    std::string name;
    std::string purpose;
};

struct wallet_config {
    std::string name;
    std::string currency = "TSD";
    minor_units balance = 0;
    std::string paytag;  // derived from the name when empty
};

struct payee_config {
    std::string name;
    std::string email;
    std::string type = "TEST_RAILS";
};

struct limits_config {
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_header_count = 64;
    std::int64_t header_timeout_ms = 30'000;  // idle keep-alive and slow headers
    std::int64_t body_timeout_ms = 10'000;    // slow bodies
    std::size_t max_connections = 1024;
};

struct sandbox_config {
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 0;
    std::optional<std::filesystem::path> tls_cert;
    std::optional<std::filesystem::path> tls_key;
    std::uint64_t seed = 1;
    std::string agent_id = "ai-sandbox-agent";
    std::string org_id = "org-sandbox";
    limits_config limits;
    std::vector<client_config> clients;
    std::vector<wallet_config> wallets;
    std::vector<payee_config> payees;
    // The wallet a payment uses when the prompt names none; without it, a payment that
    // several wallets could make gets "which wallet?" (input-required).
    std::string default_wallet;

    const client_config* find_client(std::string_view id) const;
};

struct config_result {
    std::optional<sandbox_config> config;  // set only when `errors` is empty
    std::vector<std::string> errors;       // "file:line:col: error: ..."
};

// Parses YAML text; `source_name` prefixes error positions.
config_result parse_config(std::string_view yaml, std::string_view source_name);
config_result load_config(const std::filesystem::path& file);

// Parses "HOST:PORT" (IPv4 dotted quad or "localhost", port 0-65535).
bool parse_listen(std::string_view text, std::string& host, std::uint16_t& port);

// "operations-tsd" style paytag derived from a wallet name and currency.
std::string default_paytag(std::string_view name, std::string_view currency);

}  // namespace paymand::sandbox
