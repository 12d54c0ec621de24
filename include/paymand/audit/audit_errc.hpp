#pragma once

#include "paymand/core/error.hpp"

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace paymand::audit {

// Why the audit log refused something. Values are stable: they may be logged and compared.
// I/O failures keep their errno (system category); these are the log's own reasons.
enum class audit_errc {
    locked = 1,      // another process holds the state lock
    not_locked,      // append/replay before lock()
    not_replayed,    // append before replay(): the tail is unknown
    corrupt,         // the log failed verification; an operator must act
    needs_recovery,  // a previous append failed and the tail could not be re-verified yet
    log_removed,     // the log file was unlinked or replaced under the running store
    log_truncated,   // the file is shorter than what was durably written
    record_invalid,  // a record cannot be written (bad UTF-8, too large, empty batch)
    malformed_line,  // a line is not a well-formed record
    unknown_type,    // a record type this version does not know
    bad_hash,        // a record's hash does not match the chain
    sequence_gap,    // seq is not the previous seq + 1
    torn_tail,       // bytes after the last newline (a write cut short by a crash)
    line_too_long,   // a line longer than any record can be
    not_found,       // an occurrence the log does not know
    not_in_doubt,    // a resolution for an occurrence that is not in doubt
    closed,          // the store or writer was shut down
    untrusted_file,  // a state file or directory another user could have placed or changed
};

const boost::system::error_category& audit_category() noexcept;
boost::system::error_code make_error_code(audit_errc e) noexcept;

// Failures are core::error values: this code, or errno in the system category, and a message
// that says what, where (file, line, seq) and what to do.

}  // namespace paymand::audit

template <>
struct boost::system::is_error_code_enum<paymand::audit::audit_errc> : std::true_type {
};
