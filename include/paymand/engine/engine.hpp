#pragma once

// The engine behind `paymand run`, `trigger` and `simulate`: fires due occurrences of the
// rules, checks their conditions and limits, asks Payman, and records every step in the
// audit log, in this order for a payment:
//
//   already handled (audit state)? stop.
//   condition: read balances (read-only asks), evaluate; unclear means not met.  [condition]
//   limits: deny with the reason and figures.                                   [denied]
//   intent: written and fsync'ed BEFORE anything is sent.                        [intent]
//   ask: not-sent failures are retried with backoff inside the occurrence's deadline;
//        an ask that may have reached Payman is never retried.
//   result: completed / failed / needs input / unclear, or in_doubt, or mismatch. [result...]
//
// Every occurrence has an identity (rule id + local date-time) and is handled at most once:
// the audit projection knows every identity that has an intent or an outcome, and an intent
// without a result (a crash mid-ask) is in doubt, never re-sent.
//
// Threading: everything runs on the executor given at construction (one io_context thread);
// the audit writer's fsyncs happen on its own thread and complete back here.

#include "paymand/audit/async_audit_writer.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/audit/resolution.hpp"
#include "paymand/config/daemon_config.hpp"
#include "paymand/core/error.hpp"
#include "paymand/engine/agent.hpp"
#include "paymand/engine/clock.hpp"
#include "paymand/engine/occurrence_gate.hpp"
#include "paymand/engine/occurrence_machine.hpp"
#include "paymand/limits/spending_ledger.hpp"
#include "paymand/money/amount.hpp"
#include "paymand/prompt/prompt_set.hpp"
#include "paymand/rules/rule_set.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/logger.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace paymand::engine {

struct engine_params {
    config::engine_config settings;
    rules::policy policy;
    prompt::prompt_set prompts = prompt::prompt_set::defaults();
    // Idempotency keys are derived from the client id and the occurrence identity, so a
    // repeat of one occurrence always carries the same key.
    std::string client_id;
    // Payment asks are never sent; records are marked dry_run by their store.
    bool dry_run = false;
    // Read balances from here instead of asking (requires dry_run).
    std::optional<assumed_balances> assumed;
    // Called for every record once it is durable (metrics, simulate, tests).
    std::function<void(const audit::record&)> on_record;
    // Called when the audit log stops or starts taking writes again (the live view, status).
    std::function<void(bool writable)> on_audit_writable;
    // Virtual clock only: stop once the next occurrence lies after this instant.
    std::optional<sys_time> stop_at;
    // Virtual clock only: let everything in flight finish before time moves on, so a run is
    // deterministic (simulate, most tests). Off, time jumps to the next instant while
    // occurrences are still in flight, as a slow ask sees the real clock move on (tests of
    // overlap).
    bool lockstep = true;
    // Seed for retry jitter (0: from the random device).
    std::uint64_t seed = 0;
    // The ledger shared by several nodes (docs/ha.md): every payment is claimed there and
    // sent only after its fenced gate committed. Null on a single node; unused in a dry run.
    std::shared_ptr<occurrence_gate> gate;
};

struct upcoming_occurrence {
    std::string rule;
    std::string identity;
    std::chrono::sys_seconds instant;
};

// Who schedules on this node (docs/ha.md, "Only the leader schedules").
enum class schedule_role {
    single,       // no shared ledger: this node always schedules
    standby,      // another node leads: nothing is fired
    catching_up,  // leads, but has not read the ledger's progress yet: nothing is fired
    leader,       // leads and schedules
};

std::string_view to_string(schedule_role role) noexcept;

struct engine_status {
    std::size_t rules = 0;
    std::size_t enabled = 0;
    std::size_t in_flight = 0;
    std::size_t queued = 0;
    std::size_t in_doubt = 0;
    std::size_t unconfirmed = 0;  // payments the transaction listings did not show
    std::size_t awaiting_confirmation = 0;
    bool audit_writable = true;
    schedule_role role = schedule_role::single;
    // catching_up: why the last read of the ledger's progress failed (empty: none failed yet).
    std::string catchup_error;
    std::optional<upcoming_occurrence> next;
};

class engine {
public:
    // `clk`, `writer` and `state` must outlive the engine. `payman` may be null only for a
    // dry run with assumed balances (nothing is ever asked then).
    engine(boost::asio::any_io_executor executor, engine_params params, clock& clk,
           std::shared_ptr<agent> payman, audit::async_audit_writer& writer,
           audit::audit_projection& state, std::shared_ptr<spdlog::logger> log);
    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    // Installs a rule set (at start and on reload). A rule whose content hash is unchanged
    // keeps its place in the schedule; a new or changed rule starts from the moment its
    // current definition was first loaded (a change never back-fills occurrences under the
    // new definition). Records rules_loaded. Occurrences in flight finish under the
    // definition they started with.
    boost::asio::awaitable<bool> async_set_rules(std::shared_ptr<const rules::rule_set> rules);

    // Replaces the policy (limits, payees, time zone) and the prompt templates: on reload.
    void set_policy(rules::policy policy, prompt::prompt_set prompts);

    // Appends records about the daemon itself (started, config_loaded, in_doubt after a
    // crash, stopped) in order with the engine's own; false when they could not be written.
    boost::asio::awaitable<bool> async_record(std::vector<audit::record_body> records);

    // async_record without waiting (a grant's rotation, noticed inside an ask): the records
    // join the engine's in order, and a stop waits for them as for an occurrence in flight.
    void record_soon(std::vector<audit::record_body> records);

    // Schedules until stop(); then waits up to shutdown_grace for occurrences in flight,
    // cancels what is left (an intent recorded without a result is in doubt after the next
    // start, never sent again) and returns how many occurrences were left unfinished. Missed
    // occurrences (downtime, a forward clock step) are handled per rule by its catch-up policy
    // first.
    boost::asio::awaitable<std::size_t> async_run();

    // Asks async_run to finish (idempotent).
    void stop();

    // A shared ledger only (engine_params::gate; without one the engine always leads): whether
    // this node holds the lease, from the lease keeper's gained and lost handlers. An engine
    // with a gate starts as a standby. A standby fires nothing and its schedule stands still.
    // On gaining the lease the engine reads each rule's progress from the ledger (gate
    // progress()), resumes after the latest occurrence settled there, runs the released ones
    // again and then what is due under each rule's catch-up policy; a failed read is retried
    // and nothing is fired meanwhile (status: catching_up). Refused claims of a term that ended
    // are planned again at the next gain. Call on the engine's executor.
    void set_leading(bool leading);
    // The wall clock was stepped: re-plan now. Identities make a backward step harmless.
    void replan();

    // Runs one occurrence of `rule_id` now (`paymand trigger`): its identity is the current
    // local minute with the suffix "~manual" so it never collides with a scheduled one. The
    // identity of the occurrence that ran, or why nothing ran (no such rule: invalid_argument;
    // this minute's manual occurrence already ran: operation_in_progress).
    boost::asio::awaitable<core::result<std::string>> async_trigger(std::string rule_id);

    // Looks up every in-doubt payment in a recent transaction listing now (the daemon also
    // does this every reconcile_interval): a listed transaction with the occurrence's memo
    // tag, amount and payee is recorded as reconciled-paid; absence is recorded once as
    // evidence and the occurrence stays in doubt.
    boost::asio::awaitable<void> async_reconcile();

    // Waits until every payment waiting for confirmation from a transaction listing is
    // settled (confirmed, mismatch or unconfirmed), asking the listings itself when the
    // engine does not run (`trigger`, tests).
    boost::asio::awaitable<void> async_confirm();

    // Records an operator's verdict on an in-doubt or mismatched occurrence (`paymand audit
    // resolve` while the daemon runs): checked against the engine's own state, appended, and
    // a not-paid verdict stops counting against limits. The resolved record, or why not.
    boost::asio::awaitable<core::result<audit::record>>
    async_resolve(audit::resolution_request request);

    engine_status status() const;
    // The next `count` occurrences by instant, across rules.
    std::vector<upcoming_occurrence> upcoming(std::size_t count) const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace paymand::engine
