#pragma once

// The engine's occurrence_gate (engine/occurrence_gate.hpp) on the PostgreSQL ledger of several
// nodes (docs/ha.md): claims, the fenced gate, results and settles are the statements of
// ledger/occurrence_ledger.hpp on the node's work connection, fenced by the lease it holds.
//
// The lease is read through `gate_lease` at every call, so a node that lost its lease stops
// claiming and opening gates at once; from_keeper() makes one of the lease keeper. The gate is
// opened only inside the lease's trusted window (checked before the statement and again
// after it committed, just before the request is written). A result is recorded, and a claim
// settled, under the fence that claimed the row, also after the lease was lost.
//
// One executor, one thread, like the connection: calls may overlap (occurrences run
// concurrently); the connection takes one statement at a time and the gate queues the others.

#include "paymand/core/error.hpp"
#include "paymand/engine/occurrence_gate.hpp"
#include "paymand/ledger/connection.hpp"
#include "paymand/ledger/lease_keeper.hpp"
#include "paymand/ledger/occurrence_ledger.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::daemon {

struct gate_lease {
    std::string node;  // this node's name: its rows, whatever the lease
    // The fence while this node leads inside its trusted window; nullopt otherwise.
    std::function<std::optional<ledger::fence>()> fence;
    // A gate the lease or the database refused (metrics and status).
    std::function<void()> note_refused;
};

// The lease keeper's view; the keeper must outlive the gate.
gate_lease from_keeper(ledger::lease_keeper& keeper, std::string node);

// How many times a claim, a result or a settlement is tried in all when its connection fails.
inline constexpr int connection_attempts = 8;

// How long to wait before trying a statement again after attempt number `attempt` (1 for the
// first) failed with `e`; nullopt: give up. Only failures of the connection are tried again (it
// could not be made, it broke or timed out: a server restarting, a link reset); a refusal by the
// server, or a cancellation, is final.
std::optional<std::chrono::milliseconds> connection_retry_delay(const ledger::db_error& e,
                                                                int attempt);

class ledger_gate final : public engine::occurrence_gate {
public:
    // `work` is connected (again, as needed) with `settings`.
    ledger_gate(boost::asio::any_io_executor executor, ledger::connection_settings settings,
                gate_lease lease);
    ~ledger_gate() override;

    boost::asio::awaitable<engine::claim_answer> claim(std::string identity,
                                                       std::string rule) override;
    boost::asio::awaitable<engine::gate_answer> open(std::string identity,
                                                     limits::payment_record payment) override;
    boost::asio::awaitable<engine::ledger_answer> record(std::string identity,
                                                         engine::ledger_end end) override;
    boost::asio::awaitable<engine::ledger_answer> settle_unsent(std::string identity,
                                                                engine::ledger_end end) override;
    boost::asio::awaitable<core::result<std::vector<std::string>>> own_in_doubt() override;
    boost::asio::awaitable<engine::ledger_answer> settle_in_doubt(std::string identity,
                                                                  engine::ledger_end end) override;
    // Read with whatever lease this node holds, or none: a read changes nothing.
    boost::asio::awaitable<core::result<std::vector<engine::rule_progress>>> progress() override;

    // The work connection (tests: cut it mid-statement).
    ledger::connection& connection() noexcept;

private:
    // The connection for one statement: waits for the one before, connects when closed.
    boost::asio::awaitable<core::result<void, ledger::db_error>> acquire();
    void release() noexcept;
    // One attempt of a claim; `maybe_ours`: an earlier attempt's outcome was unknown (set when
    // this one's is).
    boost::asio::awaitable<core::result<ledger::claim_outcome, ledger::db_error>>
    claim_once(const ledger::fence& who, const std::string& identity, const std::string& rule,
               bool& maybe_ours);
    // Waits before attempt `attempt` + 1 of `statement` (a line says so); false: give up (the
    // error is final, the attempts are spent, or the wait was cancelled).
    boost::asio::awaitable<bool> pause_to_retry(std::string_view statement,
                                                const std::string& identity,
                                                const ledger::db_error& e, int attempt);
    // A result or a settlement (`name`, for the retry's line) under `who`, on the connection
    // once it is free; tried again after failures of the connection (pause_to_retry).
    using statement_fn = boost::asio::awaitable<core::result<bool, ledger::db_error>> (*)(
        ledger::connection&, const ledger::fence&, std::string, ledger::occurrence_state);
    boost::asio::awaitable<core::result<bool, ledger::db_error>>
    run_statement(std::string_view name, statement_fn statement, const ledger::fence& who,
                  const std::string& identity, engine::ledger_end end);
    engine::claim_answer answer_claim(const std::string& identity, const ledger::fence& who,
                                      ledger::claim_outcome outcome);

    struct state;
    std::unique_ptr<state> s_;
};

}  // namespace paymand::daemon
