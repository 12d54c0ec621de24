#include "paymand/audit/memory_audit_store.hpp"

#include "paymand/audit/projection.hpp"

namespace paymand::audit {

memory_audit_store::memory_audit_store(const core::clock& clock) : clock_(clock) {}

core::result<replay_report> memory_audit_store::replay(audit_projection& into)
{
    into.finish_replay();
    return replay_report{.created = true};
}

core::result<append_receipt> memory_audit_store::append(std::span<const record_body> batch)
{
    append_receipt receipt;
    receipt.records.reserve(batch.size());
    const auto ts = std::chrono::floor<std::chrono::microseconds>(clock_.wall_now());
    for (const auto& body : batch)
        receipt.records.push_back(
            record{.seq = ++last_seq_, .ts = ts, .dry_run = true, .body = body});
    return receipt;
}

}  // namespace paymand::audit
