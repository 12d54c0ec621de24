#pragma once

// The sandbox's ledger and credentials: wallets, payees, transactions, issued tokens and
// authorization codes, and the answers remembered for idempotency keys. Plain data with JSON
// (de)serialisation; persisted by writing a temporary file and renaming it over the old one.

#include "paymand/core/error.hpp"
#include "sandbox/config.hpp"
#include "sandbox/money.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace paymand::sandbox {

using clock_type = std::chrono::system_clock;
using time_point = std::chrono::time_point<clock_type, std::chrono::milliseconds>;

struct wallet {
    std::string name;
    std::string currency;
    minor_units balance = 0;
    std::string paytag;
};

struct payee {
    std::string name;
    std::string email;
    std::string type;
};

struct transaction {
    std::int64_t seq = 0;
    time_point time;
    std::string client_id;
    std::string wallet;
    std::string payee;
    minor_units amount = 0;
    std::string currency;
    std::string memo;
    std::optional<std::string> idempotency_key;
    std::string task_id;
};

enum class token_kind { access, refresh };

struct token_record {
    token_kind kind = token_kind::access;
    std::string client_id;
    std::vector<std::string> scopes;
    time_point expires_at;
    bool revoked = false;
};

struct code_record {
    std::string client_id;
    std::string redirect_uri;
    std::vector<std::string> scopes;
    time_point expires_at;
    std::string code_challenge;  // PKCE S256 (RFC 7636); empty when none was sent
};

// What a task answered, replayed verbatim for a repeated idempotency key.
struct remembered_answer {
    std::string state;
    std::string text;
};

struct ledger_state {
    std::vector<wallet> wallets;
    std::vector<payee> payees;
    std::vector<transaction> transactions;
    std::unordered_map<std::string, token_record> tokens;  // by token value
    std::unordered_map<std::string, code_record> codes;    // by code
    // Keyed by client id + '\n' + idempotency key.
    std::unordered_map<std::string, remembered_answer> answers;
    std::int64_t next_seq = 1;
    std::string default_wallet;  // from the configuration; not persisted

    // The starting state a configuration describes.
    static ledger_state from_config(const sandbox_config& config);

    wallet* find_wallet(std::string_view name);            // case-insensitive
    const payee* find_payee(std::string_view name) const;  // by name or email, case-insensitive

    // Drops tokens expired for a day and expired codes (so the state file stays small).
    void prune(time_point now);
};

boost::json::object to_json(const ledger_state& state);
// Strict: a state file that does not parse or misses fields is refused with a message.
core::result<ledger_state> state_from_json(const boost::json::value& json);

// Writes `state` to `file` atomically (temporary file in the same directory, then rename):
// a crash of the process leaves the old or the new file, never a torn one. No fsync: the
// sandbox guards against process crashes, not power loss, and must stay fast.
// Returns an error (errno's code) when any step fails; the old file is then untouched.
core::result<void> save_state(const ledger_state& state, const std::filesystem::path& file);
// nullopt when the file does not exist.
core::result<std::optional<ledger_state>> load_state(const std::filesystem::path& file);

// "2026-12-01T08:00:01.532Z"
std::string format_time(time_point t);

// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b);

}  // namespace paymand::sandbox
