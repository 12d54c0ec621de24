#pragma once

// `paymand audit verify`: checks a log file read-only (no lock, no repair) and points at the
// first bad record. Works while the daemon appends (it checks what was complete when read).

#include "paymand/audit/audit_errc.hpp"
#include "paymand/audit/audit_store.hpp"

#include <filesystem>
#include <optional>

namespace paymand::audit {

struct verify_params {
    // Also parse every record into its typed form (every field of every type checked),
    // rather than only the fields replay needs. Slower; the chain check is the same.
    bool full_parse = false;
};

struct verify_report {
    std::uint64_t records = 0;
    std::uint64_t last_seq = 0;
    std::uint64_t bytes = 0;             // verified bytes
    std::uint64_t torn_tail_bytes = 0;   // a partial final line; the daemon cuts it at start
    std::optional<log_problem> problem;  // the first bad record

    bool ok() const noexcept { return !problem; }
};

// Fails only when the file cannot be read; findings are in the report.
core::result<verify_report> verify_log(const std::filesystem::path& path,
                                       const verify_params& params = {});

}  // namespace paymand::audit
