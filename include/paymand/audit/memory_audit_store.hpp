#pragma once

// An audit store that keeps nothing: it numbers and stamps records and hands them back, for
// `paymand simulate`, where the engine runs exactly as in the daemon but nothing may reach
// the real log. Not durable, no hash chain (the hash field stays empty), no lock.

#include "paymand/audit/audit_store.hpp"
#include "paymand/core/clock.hpp"

namespace paymand::audit {

class memory_audit_store final : public audit_store {
public:
    // `clock`'s wall time stamps each batch (the engine's virtual clock, which must outlive the
    // store); every record is marked dry_run.
    explicit memory_audit_store(const core::clock& clock);

    core::result<void> lock() override { return {}; }
    // Nothing to replay: the projection starts empty.
    core::result<replay_report> replay(audit_projection& into) override;
    core::result<append_receipt> append(std::span<const record_body> batch) override;
    core::result<void> recover() override { return {}; }
    store_health health() const override { return store_health::ok; }
    std::string describe() const override { return "in-memory audit log (simulation)"; }

private:
    const core::clock& clock_;
    std::uint64_t last_seq_ = 0;
};

}  // namespace paymand::audit
