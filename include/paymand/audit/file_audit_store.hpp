#pragma once

// The audit log as a JSON Lines file (see docs/audit.md).
//
// Durability: every append is one pwrite(2) of all its lines followed by one fsync(2). fsync,
// not fdatasync: a growing file needs its new size and block mapping persisted with the data,
// which fdatasync promises only as "metadata needed to retrieve the data" and some file systems
// have implemented loosely; since the inode must be written for every append anyway, fsync
// costs next to nothing more and leaves no doubt. When the log is created, its directory is
// fsync'ed so the new name survives a crash as well.

#include "paymand/audit/audit_store.hpp"
#include "paymand/audit/hash_chain.hpp"
#include "paymand/audit/state_lock.hpp"
#include "paymand/core/clock.hpp"

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

namespace paymand::audit {

struct file_store_params {
    std::filesystem::path log_path;
    // The lock file; empty means log_path + ".lock". The engine passes <state>/paymand.lock.
    std::filesystem::path lock_path;
    // Marks every record this store writes as dry_run (the separate dry-run log).
    bool dry_run = false;
    // Time stamps for records (its wall time, in whole microseconds); null means
    // core::system_clock(). One batch shares one stamp.
    std::shared_ptr<const core::clock> clock;
    // HA mode: who writes, asked once per batch when the batch is written (on the writer's
    // thread: it must be thread-safe and must not block). Empty, or returning nothing: records
    // carry no "node" and "epoch" (a single node's log).
    std::function<std::optional<node_stamp>()> stamp;
    // Told, on the writer's thread after each append is durable (fsync'ed), the last seq now
    // durable; replay() tells it the verified log's last seq. For the audit shipper: must not
    // block and must not throw.
    std::function<void(std::uint64_t last_seq)> on_durable;
};

class file_audit_store final : public audit_store {
public:
    explicit file_audit_store(file_store_params params);
    ~file_audit_store() override;
    file_audit_store(const file_audit_store&) = delete;
    file_audit_store& operator=(const file_audit_store&) = delete;

    core::result<void> lock() override;
    core::result<replay_report> replay(audit_projection& into) override;
    core::result<append_receipt> append(std::span<const record_body> batch) override;
    core::result<void> recover() override;
    store_health health() const override { return health_; }
    std::string describe() const override;

    // Number of successful fsync(2) calls on the log so far (observes group commit).
    std::uint64_t fsync_count() const noexcept { return fsync_count_.load(); }
    // The problem that made the store corrupt, if it is.
    const std::optional<log_problem>& corruption() const noexcept { return corruption_; }

private:
    core::error fail_io(int err, std::string_view what);
    core::result<void> verify_tail();

    file_store_params params_;
    std::optional<state_lock> lock_;
    int fd_ = -1;
    store_health health_ = store_health::unopened;
    std::optional<log_problem> corruption_;
    std::string last_failure_;  // why the store needs recovery
    std::uint64_t durable_size_ = 0;
    std::uint64_t last_line_offset_ = 0;
    std::uint64_t last_seq_ = 0;
    hash_hex last_hash_{};
    hash_hex prev_of_last_{};
    chain_hasher hasher_;
    std::atomic<std::uint64_t> fsync_count_{0};
};

}  // namespace paymand::audit
