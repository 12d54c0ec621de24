#pragma once

// The daemon's live view (issue 18, item 2): what the running daemon runs, published in its
// state directory as `live.json` (written to a temporary file and renamed, without fsync: a
// crash may leave the previous copy, never a torn one), so that `paymand status` and
// `paymand next` show what the daemon does rather than what the files say. It holds only what
// the daemon knows: the rules it loaded with their definitions' hashes, each rule's next
// occurrence as its schedule has it (an instant already past is a catch-up occurrence due now),
// the last occurrence each rule handled and its outcome as the audit log has it, the in-doubt
// and unconfirmed sets, the credential check and the last reload with what it changed. A reader
// compares `pid` with the state lock's holder: when the daemon is down, the view is stale.

#include "paymand/core/error.hpp"
#include "paymand/daemon/world_check.hpp"
#include "paymand/rules/rule_set.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::daemon {

inline constexpr int live_view_format = 1;

struct live_rule {
    std::string id;
    std::string sha256;  // the definition's content hash
    bool enabled = true;
    std::optional<std::string> next_occurrence;  // identity, e.g. rent@2026-12-01T09:00
    std::optional<std::chrono::sys_seconds> next;
    std::optional<std::string> last_occurrence;
    std::optional<std::chrono::sys_seconds> last;  // the last occurrence's scheduled instant
    std::string last_outcome;                      // its state (audit projection), or empty
};

// A rule the reload added, removed or changed; `before` and `after` are its schedule,
// amount and payee ("0 9 1 * * Europe/Berlin: pay 1200.00 TSD to John Doe").
struct rule_change {
    enum class kind { added, removed, changed };
    kind what = kind::changed;
    std::string id;
    std::string before;
    std::string after;
};

std::string_view to_string(rule_change::kind k) noexcept;

struct live_reload {
    std::chrono::sys_seconds at{};
    bool ok = true;
    std::string error;  // why it failed (the running rules were kept)
    std::vector<rule_change> changes;
};

// A node on the shared ledger (`ha:` only): its lease keeper's view when the view was written.
struct live_ha {
    std::string node;
    std::string role;  // ledger::keeper_role's word: starting, standby, leader, not_eligible, ...
    std::int64_t epoch = 0;
    std::int64_t lease_remaining_ms = 0;  // of the trusted window; 0 unless leader
    std::string not_eligible;             // why the node may not campaign; empty when it may
};

boost::json::object to_json(const live_ha& ha);

struct live_view {
    std::int64_t pid = 0;
    std::string version;
    std::string config_path;
    std::chrono::sys_seconds started_at{};
    std::chrono::sys_seconds written_at{};
    bool stopped = false;  // the daemon's last write, as it stopped
    std::vector<live_rule> rules;
    std::vector<std::string> in_doubt;
    std::vector<std::string> unconfirmed;
    std::size_t in_flight = 0;
    bool audit_writable = true;
    credentials_report credentials;
    std::optional<live_reload> last_reload;
    std::optional<live_ha> ha;  // absent on a single node (and in views written before)
};

std::filesystem::path live_view_path(const std::filesystem::path& state_directory);

std::string serialize(const live_view& view);

// The parts of the view `paymand status --json` shows as they are.
boost::json::object to_json(const credentials_report& c);
boost::json::object to_json(const live_reload& r);
// The view, or invalid_argument and why when the text is not a live view of this format.
core::result<live_view> parse_live_view(std::string_view text);

// Atomic: temporary file (mode 0600), then rename; no fsync (a crash may leave the previous
// copy, never a torn one). The bytes written, or our words on failure.
core::result<std::size_t> write_live_view(const std::filesystem::path& file, const live_view& view);
// How long the daemon waits after writing the view before it writes changes again: fifty times
// what the write took, at least 200 ms and at most 5 s. The view is built and written on the
// engine's thread (a few milliseconds for a thousand rules, tens for ten thousand), so while
// something changes it takes at most a fiftieth of that thread; a write that stalled on the
// disk does not leave the view stale for longer than 5 s.
std::chrono::steady_clock::duration live_view_pause(std::chrono::steady_clock::duration write_cost);
// When the daemon writes the view after a change: once changes have paused for 20 ms, so that a
// burst of records (a thousand occurrences due at once) is written after it rather than in the
// middle of it on the thread that runs them; at the latest 1 s after the first change the view
// does not show yet; and never before `earliest`, the end of the pause after the last write.
std::chrono::steady_clock::time_point
live_view_write_at(std::chrono::steady_clock::time_point first_change,
                   std::chrono::steady_clock::time_point last_change,
                   std::chrono::steady_clock::time_point earliest);
// nullopt when there is no view; an error when it cannot be read or is not a view.
core::result<std::optional<live_view>> read_live_view(const std::filesystem::path& file);

// What a reload changes, by rule id: added, removed, and changed (another content hash),
// sorted by id.
std::vector<rule_change> diff_rules(const rules::rule_set& before, const rules::rule_set& after);
// A rule's schedule, amount and payee in one phrase, as the reload line names them.
std::string rule_essentials(const rules::rule& r);
// "added: a (…); removed: b (…); changed: c (… -> …)", at most `max_named` rules named,
// the rest counted; "no rule changed" when empty.
std::string describe_changes(const std::vector<rule_change>& changes, std::size_t max_named = 20);

// What differs between the rules a daemon runs and the rule files on disk, one line per rule
// by id: "rent-john edited, not yet reloaded", "new-rule added to the files, not yet loaded",
// "old-rule removed from the files, still running".
std::vector<std::string> differences(const live_view& view, const rules::rule_set& on_disk);

// Whether the view is the running daemon's: written by the state lock's holder, which has not
// stopped since.
bool is_live(const live_view& view, std::optional<std::int64_t> lock_holder);

}  // namespace paymand::daemon
