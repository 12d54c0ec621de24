#pragma once

// The sandbox's agent: carries out an interpreted prompt against the ledger and answers in
// markdown prose like Payman's agent, choosing among several phrasings with a seeded
// generator (same seed and same requests: same replies). Scopes, insufficient funds, the
// per-transaction limit and idempotency keys are decided here; no I/O.

#include "sandbox/config.hpp"
#include "sandbox/interpreter.hpp"
#include "sandbox/state.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::sandbox {

struct agent_request {
    std::string_view text;
    const client_config* client = nullptr;             // never null
    const std::vector<std::string>* scopes = nullptr;  // the token's scopes, never null
    std::string_view task_id;
    std::optional<std::string> idempotency_key;
    time_point now;
};

struct agent_answer {
    std::string state = "completed";  // A2A task state, lower case
    std::string text;                 // markdown prose
    intent_kind kind = intent_kind::unknown;
    std::string missing_scope;  // set when refused for a missing scope
    bool replayed = false;      // the remembered answer of a repeated idempotency key
    bool changed = false;       // the ledger changed (persist it)
};

class agent {
public:
    explicit agent(std::uint64_t seed) : rng_(seed) {}

    // Restarts the phrasing sequence (admin reset).
    void reseed(std::uint64_t seed) { rng_.seed(seed); }

    // The prompt family a request belongs to, for fault matching (no side effects).
    static std::string_view family_of(std::string_view text)
    {
        return prompt_family(interpret(text).kind);
    }

    agent_answer answer(ledger_state& state, const agent_request& request);

private:
    std::size_t pick(std::size_t n);
    agent_answer run(ledger_state& state, const agent_request& request, const intent& in);
    agent_answer balances(ledger_state& state, const agent_request& request, const intent& in);
    agent_answer payees(ledger_state& state);
    agent_answer create_payee(ledger_state& state, const intent& in);
    agent_answer pay(ledger_state& state, const agent_request& request, const intent& in);
    agent_answer transactions(ledger_state& state, const intent& in);
    agent_answer create_wallet(ledger_state& state, const intent& in);
    agent_answer decline(std::string_view text);

    std::mt19937_64 rng_;
};

// The scope a prompt kind needs; for balance prompts, read_list_wallets suffices to list
// wallets without balances.
std::string_view required_scope(const intent& in);

}  // namespace paymand::sandbox
