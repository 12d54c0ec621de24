#pragma once

// The audit shipper: copies this node's audit log into the ledger (docs/ha.md, "The audit
// shipper"), line by line, byte for byte, behind the writer. The log on disk stays the first
// truth: the shipper only reads it, never makes the writer wait, and ships nothing the writer
// has not made durable (file_store_params::on_durable tells it how far that is).
//
// On its own connection it resumes where the ledger's copy ends (async_shipped_tail), checking
// that the ledger's last record is the node's own line at that seq; then ships each newly
// durable record in batches of up to `batch_records`. A lost connection or a refused batch is
// retried with backoff from a fresh look at the ledger's tail, so nothing is shipped twice and
// nothing is skipped. If the ledger holds another record at one of this node's seqs, or more of
// the chain than the log has, the chains diverged: the shipper stops and says so, and the node
// must not lead (diverged()).
//
// One executor, one thread, like the connection, except notify_durable(), which the writer's
// thread calls.

#include "paymand/core/error.hpp"
#include "paymand/core/task_group.hpp"
#include "paymand/ledger/connection.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::daemon {

struct audit_shipper_settings {
    ledger::connection_settings connection;  // its own connection, never the lease keeper's
    std::string node;                        // ha.node: whose chain this is in paymand_audit
    std::filesystem::path log_path;          // the node's audit log (the file the store writes)
    // What the ledger acknowledged before (node_memory::shipped_seq). A ledger that holds less
    // is an older copy: the shipper does not fill it up again but stops, as for divergence.
    std::int64_t acknowledged = 0;
    std::size_t batch_records = 1000;
    // After a failure: the first wait, doubled on each failure in a row up to the last.
    std::chrono::milliseconds retry_first{200};
    std::chrono::milliseconds retry_max{30000};
};

enum class shipper_state {
    waiting_for_log,  // no durable position known yet (the store has not replayed)
    resuming,         // connecting and comparing the ledger's tail with the log
    shipping,         // up to date or shipping; waits for the writer when nothing is new
    retrying,         // after a failure, waiting to try again
    diverged,         // the ledger's chain is not this log's: shipping stopped for good
    stopped,          // cancelled
};

std::string_view to_string(shipper_state s) noexcept;

struct shipper_status {
    shipper_state state = shipper_state::waiting_for_log;
    std::int64_t acknowledged = 0;  // the last seq the ledger holds of this log (0: none)
    std::uint64_t durable = 0;      // the last seq the writer made durable
    std::uint64_t batches = 0;      // batches the ledger accepted
    std::uint64_t failures = 0;     // failed attempts (connect, read, ship)
    std::string last_error;         // the latest failure's message ("" after a success)
};

class audit_shipper {
public:
    // Every seq the ledger acknowledged, as it does (the last of each accepted batch, and the
    // ledger's tail when it matches on resume): what the node remembers (node_memory).
    using acknowledged_handler = std::function<void(std::int64_t seq)>;
    // Once, when the chains diverged; the message names the seq and both hashes.
    using diverged_handler = std::function<void(const core::error&)>;

    audit_shipper(boost::asio::any_io_executor executor, audit_shipper_settings settings,
                  acknowledged_handler on_acknowledged, diverged_handler on_diverged = {});
    ~audit_shipper();
    audit_shipper(const audit_shipper&) = delete;
    audit_shipper& operator=(const audit_shipper&) = delete;

    // Spawns the shipper ("audit shipper") in `group`; it ends on the group's cancellation or
    // when the chains diverged.
    void start(core::task_group& group);

    // The log is durable through `last_seq`: connect file_store_params::on_durable here (through
    // durable_hook()). Thread-safe, never blocks; a lower seq than before is ignored.
    void notify_durable(std::uint64_t last_seq);
    // notify_durable as a function that may outlive the shipper (then it only wakes no one). It
    // posts to the shipper's executor, whose io_context must outlive the hook's callers.
    std::function<void(std::uint64_t)> durable_hook() const;

    // True once the ledger's copy of this node's chain was found to differ from the log: the
    // node must not lead until an operator acts. Thread-safe.
    bool diverged() const;
    // On the executor's thread.
    shipper_status status() const;

    struct state;

private:
    std::shared_ptr<state> state_;
};

}  // namespace paymand::daemon
