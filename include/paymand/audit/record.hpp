#pragma once

// The audit log's record model: one struct per record type, all of them in `record_body`.
// Records have no field that could hold a secret or an access token, by construction. Free
// text that comes from outside (agent replies) is capped and sanitised when serialised.

#include "paymand/money/amount.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace paymand::audit {

using utc_seconds = std::chrono::sys_seconds;
using utc_micros = std::chrono::sys_time<std::chrono::microseconds>;

// Longest excerpt of an agent reply or other untrusted text kept in a record, in bytes.
inline constexpr std::size_t max_excerpt_bytes = 1024;
// Longest line (record) the log accepts; anything longer is refused on write and is
// corruption on read.
inline constexpr std::size_t max_line_bytes = 64 * 1024;

// Which occurrence a record is about: rule id, occurrence identity (rule id + local
// date-time, e.g. "rent-john@2026-12-01T09:00") and its UTC instant.
struct occurrence_ref {
    std::string rule;
    std::string occurrence;
    utc_seconds utc{};

    friend bool operator==(const occurrence_ref&, const occurrence_ref&) = default;
};

// What a payment attempt, or a read-only ask, came to. dry_run: a dry run's payment, never
// sent; its reason says what would have been paid.
enum class outcome { completed, failed, needs_input, unclear, dry_run };

enum class resolution { paid, not_paid };
enum class reconcile_outcome { paid, not_found };
enum class report_kind { balance, transactions, payees };

// The payment is about to be asked for; written and fsync'ed before anything is sent.
struct intent_record {
    occurrence_ref ref;
    std::string payee;
    money::amount amount;
    std::optional<std::string> wallet;
    std::optional<std::string> memo;
    std::string idempotency_key;
    std::string prompt;  // the exact text sent to the agent

    friend bool operator==(const intent_record&, const intent_record&) = default;
};

// The agent's answer to a payment ask.
struct result_record {
    occurrence_ref ref;
    audit::outcome outcome = outcome::unclear;
    std::optional<std::string> task_id;
    std::optional<std::string> state;   // the task state as Payman reported it
    std::optional<std::string> reason;  // our words: why failed / unclear
    std::string excerpt;                // capped excerpt of the reply

    friend bool operator==(const result_record&, const result_record&) = default;
};

// Not run: its condition was not met, or the previous occurrence was still in flight, ...
struct skipped_record {
    occurrence_ref ref;
    std::string reason;
    friend bool operator==(const skipped_record&, const skipped_record&) = default;
};

// Refused by a limit; nothing was sent.
struct denied_record {
    occurrence_ref ref;
    std::string limit;   // which limit, e.g. "daily_total.TSD"
    std::string reason;  // with the figures
    friend bool operator==(const denied_record&, const denied_record&) = default;
};

// Older than its rule's catch-up window when the daemon could have run it, or found without
// any record at start. A record standing for a run of occurrences names the first in `ref`
// and the last in `through`.
struct missed_record {
    occurrence_ref ref;
    std::string reason;
    std::optional<std::string> through;
    friend bool operator==(const missed_record&, const missed_record&) = default;
};

// Given up before the request could reach Payman: nothing was paid.
struct failed_record {
    occurrence_ref ref;
    std::string reason;
    std::uint32_t attempts = 0;
    friend bool operator==(const failed_record&, const failed_record&) = default;
};

// The request may have reached Payman and its outcome is unknown; never retried.
struct in_doubt_record {
    occurrence_ref ref;
    std::string reason;
    friend bool operator==(const in_doubt_record&, const in_doubt_record&) = default;
};

// HA mode: the shared ledger released an occurrence this node had closed without a request
// (its gate or claim refused when its term ended); the node runs it again from the start. The
// released row proves that no node passed its gate (docs/ha.md, "Only the leader schedules").
struct reopened_record {
    occurrence_ref ref;
    std::string reason;
    friend bool operator==(const reopened_record&, const reopened_record&) = default;
};

// An operator's verdict on an in-doubt occurrence (`paymand audit resolve`).
struct resolved_record {
    occurrence_ref ref;
    audit::resolution resolution = resolution::not_paid;
    std::string note;
    friend bool operator==(const resolved_record&, const resolved_record&) = default;
};

// What a read-only transaction listing said about an in-doubt occurrence.
struct reconciled_record {
    occurrence_ref ref;
    reconcile_outcome result = reconcile_outcome::not_found;
    std::optional<std::string> transaction_id;
    std::string evidence;  // capped excerpt of the listing
    friend bool operator==(const reconciled_record&, const reconciled_record&) = default;
};

// The agent's reply contradicts the intent (another amount or payee).
struct mismatch_record {
    occurrence_ref ref;
    std::optional<std::string> claimed_amount;  // as the reply wrote it
    std::optional<std::string> claimed_payee;
    std::string reason;
    std::string excerpt;
    friend bool operator==(const mismatch_record&, const mismatch_record&) = default;
};

// A rule's condition was evaluated. `balance` is empty when the reading was unclear; then
// `unclear_reason` says why.
struct condition_record {
    occurrence_ref ref;
    std::string condition;  // normalised, e.g. "balance of Main above 100.00 TSD"
    std::optional<std::string> wallet;
    std::optional<money::amount> balance;
    std::optional<std::string> unclear_reason;
    bool met = false;
    friend bool operator==(const condition_record&, const condition_record&) = default;
};

// A read-only answer recorded (report action).
struct report_record {
    occurrence_ref ref;
    report_kind kind = report_kind::balance;
    audit::outcome outcome = outcome::completed;
    std::optional<std::string> task_id;
    std::string excerpt;
    friend bool operator==(const report_record&, const report_record&) = default;
};

// The transaction listing shows the payment a completed reply reported: exactly one listed
// transaction carries the occurrence's tag, with the intended amount and payee.
struct confirmed_record {
    occurrence_ref ref;
    std::uint32_t attempts = 1;  // listings read, this one included
    std::string evidence;        // the listed transaction's line
    friend bool operator==(const confirmed_record&, const confirmed_record&) = default;
};

// A completed reply's payment was not found in the transaction listings read for it. Absence
// proves nothing either way: the payment stands as the agent reported it, flagged.
struct unconfirmed_record {
    occurrence_ref ref;
    std::uint32_t attempts = 0;  // listings read
    std::string reason;
    friend bool operator==(const unconfirmed_record&, const unconfirmed_record&) = default;
};

struct config_loaded_record {
    std::string path;
    std::string sha256;  // of the file's bytes, 64 lower-case hex
    friend bool operator==(const config_loaded_record&, const config_loaded_record&) = default;
};

struct rule_hash {
    std::string id;
    std::string sha256;  // of the rule's canonical definition, 64 lower-case hex
    friend bool operator==(const rule_hash&, const rule_hash&) = default;
};

// One load's rule set. A large set is written as several records of one batch (part 1..parts
// of `parts`, each within max_line_bytes); the set is complete with the last part.
struct rules_loaded_record {
    std::vector<rule_hash> rules;
    std::uint32_t part = 1;
    std::uint32_t parts = 1;
    friend bool operator==(const rules_loaded_record&, const rules_loaded_record&) = default;
};

struct started_record {
    std::string version;
    std::int64_t pid = 0;
    friend bool operator==(const started_record&, const started_record&) = default;
};

struct stopped_record {
    std::string reason;
    std::uint32_t in_flight = 0;  // occurrences left unfinished (recorded as in_doubt/failed)
    friend bool operator==(const stopped_record&, const stopped_record&) = default;
};

enum class grant_event { made, rotated, refused, removed };

// The user's grant (payman.grant: authorization_code): made by `paymand auth login`, each
// rotation of its refresh token, the server's refusal of it, and its removal by `paymand auth
// logout`. Never a token: the record has no field that could hold one.
struct grant_record {
    audit::grant_event event = grant_event::made;
    std::string client_id;
    std::string scopes;                         // comma-separated, as granted
    std::optional<utc_seconds> access_expires;  // of the access token that came with it
    std::uint32_t rotation = 0;                 // 0: the grant itself; then 1, 2, ...
    std::optional<std::string> reason;          // refused: why, in our words (capped)
    friend bool operator==(const grant_record&, const grant_record&) = default;
};

using record_body =
    std::variant<intent_record, result_record, skipped_record, denied_record, missed_record,
                 failed_record, in_doubt_record, resolved_record, reconciled_record,
                 mismatch_record, condition_record, report_record, config_loaded_record,
                 rules_loaded_record, started_record, stopped_record, confirmed_record,
                 unconfirmed_record, grant_record, reopened_record>;

// Record types in variant order; `type` on the wire.
enum class record_type {
    intent,
    result,
    skipped,
    denied,
    missed,
    failed,
    in_doubt,
    resolved,
    reconciled,
    mismatch,
    condition,
    report,
    config_loaded,
    rules_loaded,
    started,
    stopped,
    confirmed,
    unconfirmed,
    grant,
    reopened,
};
inline constexpr std::size_t record_type_count = std::variant_size_v<record_body>;

// A record as stored: its place in the chain and its body.
// Who wrote a record in HA mode: the node's name (`ha.node`) and the lease epoch it held when
// the record was written, 0 when it held none. Single-node logs carry no stamp.
struct node_stamp {
    std::string node;
    std::uint64_t epoch = 0;

    friend bool operator==(const node_stamp&, const node_stamp&) = default;
};

struct record {
    std::uint64_t seq = 0;
    utc_micros ts{};
    bool dry_run = false;
    record_body body;
    std::string hash;  // this record's chain hash, 64 lower-case hex (empty before writing)
    std::optional<node_stamp> stamp;  // HA mode only: "node" and "epoch" on the line

    friend bool operator==(const record&, const record&) = default;
};

record_type type_of(const record_body& body) noexcept;
std::string_view to_string(record_type t) noexcept;
std::optional<record_type> parse_record_type(std::string_view s) noexcept;

std::string_view to_string(outcome o) noexcept;
std::optional<outcome> parse_outcome(std::string_view s) noexcept;
std::string_view to_string(resolution r) noexcept;
std::optional<resolution> parse_resolution(std::string_view s) noexcept;
std::string_view to_string(reconcile_outcome r) noexcept;
std::optional<reconcile_outcome> parse_reconcile_outcome(std::string_view s) noexcept;
std::string_view to_string(report_kind k) noexcept;
std::optional<report_kind> parse_report_kind(std::string_view s) noexcept;
std::string_view to_string(grant_event e) noexcept;
std::optional<grant_event> parse_grant_event(std::string_view s) noexcept;

// The occurrence a record is about, or null for records about the daemon itself.
const occurrence_ref* occurrence_of(const record_body& body) noexcept;

// Untrusted text made fit for a record: invalid UTF-8 replaced by U+FFFD, control characters
// other than tab and newline dropped, then cut at a character boundary to at most `max_bytes`
// (the cut is marked with "…").
std::string make_excerpt(std::string_view text, std::size_t max_bytes = max_excerpt_bytes);

}  // namespace paymand::audit
