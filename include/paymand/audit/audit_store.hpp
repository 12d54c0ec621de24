#pragma once

// Where the audit log lives, behind the three operations the engine needs (lock, replay,
// append), so that a database-backed store shared by several instances can replace the file.

#include "paymand/audit/audit_errc.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/audit/record.hpp"
#include "paymand/core/error.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace paymand::audit {

// A problem found while reading the log, as a domain error (paymand/core/error.hpp): `code` an
// audit_errc, `line` the 1-based line (0 when not about one line), `offset` the byte offset of
// that line's start (or of the file's end), `message` "FILE line 12 (seq 12) (byte 3456):
// ...", and the seq that line claims (0 when unreadable).
struct log_problem : core::error {
    std::uint64_t seq = 0;
};

// A torn final line that replay cut off.
struct torn_tail_repair {
    std::uint64_t offset = 0;  // where the partial line began (the new file size)
    std::uint64_t bytes = 0;   // how many bytes were removed
};

struct replay_report {
    std::uint64_t records = 0;  // good records applied
    std::uint64_t last_seq = 0;
    std::uint64_t bytes = 0;  // size of the verified log
    bool created = false;     // the log did not exist and was created empty
    std::optional<torn_tail_repair> torn_tail;
    // Set when the log is corrupt: the store refuses appends and the engine must refuse to
    // pay until an operator acts. Records before the problem were applied.
    std::optional<log_problem> corruption;
    // Intents without a result: now in_doubt in the projection; the engine records that.
    std::vector<occurrence_ref> interrupted;
};

// What one append made durable.
struct append_receipt {
    std::vector<record> records;  // as written: seq, ts, dry_run, hash filled in
};

enum class store_health {
    unopened,        // lock() or replay() not done yet
    ok,              // appends are accepted
    needs_recovery,  // the last append failed; the next one re-verifies the tail first
    corrupt,         // verification failed; appends are refused until an operator acts
};

std::string_view to_string(store_health h) noexcept;

class audit_store {
public:
    virtual ~audit_store() = default;

    // Takes the store's exclusive lock; a second holder gets audit_errc::locked with a message
    // naming the lock and the holder.
    virtual core::result<void> lock() = 0;

    // Reads and verifies the whole log, repairs a torn final line, applies every good record
    // to `into` (then into.finish_replay()) and readies the store for appends. Corruption is
    // not an error here: it is reported in replay_report::corruption and health() is corrupt.
    virtual core::result<replay_report> replay(audit_projection& into) = 0;

    // Appends `batch` durably and atomically as far as the log is concerned: all of it or, on
    // failure, none of it (a failed append leaves at most a partial tail that the next append
    // or recover() removes after re-verifying the last durable record). One write, one sync.
    // If the process dies before that removal, records of a failed append may survive and be
    // replayed as written: for an intent that means in_doubt, which is safe (never re-sent).
    // Not thread-safe: one caller at a time (async_audit_writer serialises for the engine).
    virtual core::result<append_receipt> append(std::span<const record_body> batch) = 0;

    // After a failed append: removes any unacknowledged bytes, re-verifies the tail and
    // accepts appends again. A no-op when healthy.
    virtual core::result<void> recover() = 0;

    virtual store_health health() const = 0;

    // For messages: "audit log /var/lib/paymand/audit.jsonl".
    virtual std::string describe() const = 0;
};

}  // namespace paymand::audit
