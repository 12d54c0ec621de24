#pragma once

// A node on the PostgreSQL ledger of several nodes (docs/ha.md, "A node in `paymand run`"):
// what `paymand run` adds with an `ha:` section. The lease keeper on a connection of its own,
// the engine's gate (daemon::ledger_gate, fenced by the keeper) on a second (work) connection,
// and the node's memory (the highest lease epoch it saw, the last audit seq the ledger
// acknowledged) in a small file of the state directory, so that a restored backup of the
// ledger is never led (ledger/continuity.hpp).
//
// One executor, one thread, like the keeper and the gate.

#include "paymand/audit/record.hpp"
#include "paymand/config/daemon_config.hpp"
#include "paymand/config/secret_source.hpp"
#include "paymand/core/error.hpp"
#include "paymand/core/task_group.hpp"
#include "paymand/engine/occurrence_gate.hpp"
#include "paymand/ledger/continuity.hpp"
#include "paymand/ledger/lease_keeper.hpp"
#include "paymand/metrics/registry.hpp"
#include "paymand/rules/policy.hpp"
#include "paymand/rules/rule_set.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace paymand::daemon {

// --- the node's memory ---------------------------------------------------------------------

// <state_directory>/ha-node.json
std::filesystem::path node_memory_path(const std::filesystem::path& state_directory);

// The memory file's text: {"format":1,"node":...,"highest_epoch":...,"shipped_seq":...}.
std::string serialize_node_memory(const std::string& node, const ledger::node_memory& memory);

// The memory of `node`: zeros when the file does not exist (a new node); an error naming the
// file and the fault when it cannot be read, is not a memory file, or belongs to another node
// (the node must not start: it could lead a restored backup).
core::result<ledger::node_memory> read_node_memory(const std::filesystem::path& file,
                                                   const std::string& node);

// Written atomically and fsync'ed (atomic_file.hpp), mode 0600.
core::result<void> write_node_memory(const std::filesystem::path& file, const std::string& node,
                                     const ledger::node_memory& memory);

// --- what a node publishes -----------------------------------------------------------------

// SHA-256 over the rules' ids, definition hashes and enabled flags, in id order: two nodes
// with the same rule files have the same hash.
std::string rule_set_hash(const rules::rule_set& rules);
// SHA-256 over a canonical text of the policy (payees, wallets, limits, interval, zone).
std::string policy_hash(const rules::policy& policy);

// Pure: the keeper's settings from the `ha:` section, the connection string as loaded, the
// node's identity and its memory.
ledger::keeper_settings make_keeper_settings(const config::ha_config& ha, std::string conninfo,
                                             ledger::node_identity identity,
                                             ledger::node_memory memory);

// Pure: whether two `ha:` sections set the same node, connection and timing (a reload that
// changes any of them takes effect only after a restart).
bool same_ha_settings(const config::ha_config& a, const config::ha_config& b);

// The `paymand_ha_*` gauges from the keeper's status.
metrics::ha_figures ha_figures_of(const ledger::keeper_status& status);

// --- the audit log's side ------------------------------------------------------------------

// What the audit store needs of the node before the node exists (the store is opened and
// replayed first): the stamp of each record ({node, the epoch held, 0 when none}) and where the
// durable seqs go (the audit shipper, once the node attached it). Thread-safe: the store's
// writer thread calls stamp() and durable().
class audit_link {
public:
    explicit audit_link(std::string node);

    std::optional<audit::node_stamp> stamp() const;
    // The epoch this node leads with, 0 when it does not lead.
    void set_epoch(std::int64_t epoch) noexcept;
    // The store made the log durable through `last_seq` (file_store_params::on_durable).
    void durable(std::uint64_t last_seq);
    // From now on durable() goes to `hook`, which first hears the last seq made durable so far.
    void attach(std::function<void(std::uint64_t)> hook);

private:
    const std::string node_;
    std::atomic<std::int64_t> epoch_{0};
    mutable std::mutex mutex_;
    std::uint64_t last_durable_ = 0;
    std::function<void(std::uint64_t)> hook_;
};

// --- the node ------------------------------------------------------------------------------

class ha_node {
public:
    // Something an operator sees changed (role, epoch, eligibility): the live view, STATUS=.
    using changed_handler = std::function<void()>;
    // The node started (true) or stopped (false) leading: the engine schedules only while it
    // leads (engine::set_leading).
    using leading_handler = std::function<void(bool)>;

    // Loads the connection string and the node's memory; nothing connects yet. Errors: the
    // connection string cannot be read (its source named, never its value), or the memory file
    // is corrupt (code errc::bad_message). `log` gets the node's own lines.
    // `link` is the audit store's (the node's audit shipper is attached to it and ships the
    // log at `cfg.audit_log`); null: no shipping (tests of the node alone).
    static core::result<std::unique_ptr<ha_node>>
    open(boost::asio::any_io_executor executor, const config::daemon_config& cfg,
         const rules::rule_set& rules, const config::env_lookup& getenv,
         std::shared_ptr<spdlog::logger> log, std::shared_ptr<audit_link> link = {});

    ~ha_node();
    ha_node(const ha_node&) = delete;
    ha_node& operator=(const ha_node&) = delete;

    // The engine's gate (engine_params::gate); the node must outlive the engine.
    std::shared_ptr<engine::occurrence_gate> gate() const;

    // Starts the keeper, the memory watch and the audit shipper. `failed` hears of a task that
    // threw (a bug).
    void start(changed_handler changed, leading_handler leading,
               core::task_group::failure_handler failed);

    // Graceful: the keeper steps down, releases the lease with NOTIFY and retires the node's
    // row; waits for that at most `grace`, then cancels. Call after the engine wound down (the
    // sends in flight recorded their results).
    boost::asio::awaitable<void> async_stop(std::chrono::milliseconds grace);

    ledger::keeper_status status() const;
    const std::string& node() const noexcept;
    // The hashes the node published at start (a reload that changes them is refused).
    const ledger::node_identity& identity() const noexcept;

    // The audit shipper's acknowledgement: the ledger holds this node's chain up to `seq`.
    // Saved at once when it grows; an error when the file cannot be written.
    core::result<void> record_shipped(std::int64_t seq);

    struct state;

private:
    explicit ha_node(std::unique_ptr<state> s);
    std::unique_ptr<state> s_;
};

}  // namespace paymand::daemon
