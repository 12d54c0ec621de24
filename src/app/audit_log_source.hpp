#pragma once

// What `paymand audit verify|tail|report` share: where the log is (from the configuration or
// named directly), their exit codes, and how a reading error maps to one. All of them only
// read the log: no lock, no repair, so they work while the daemon runs.

#include "app/command.hpp"
#include "paymand/audit/audit_errc.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::app {

// The footer line every reading subcommand shows under its options.
inline constexpr std::string_view audit_exit_codes =
    "Exit codes: 0 ok, 1 bad input (configuration errors as file:line:col, bad option value),\n"
    "2 usage, 65 corrupt audit log, 66 audit log missing or unreadable, 74 read error.";

struct audit_log_args {
    std::string config = "/etc/paymand/paymand.yaml";
    std::string log;  // --log: used as is, no configuration read
    bool dry_run = false;
};

// -c/--config, --log and --dry-run on `cmd`.
void add_log_options(CLI::App& cmd, audit_log_args& args);

// The log to read: --log as given, else the configuration's audit_log (or its dry-run log).
// On failure prints why to stderr (prefixed by `who`, e.g. "paymand audit tail") and returns
// nullopt with `exit_code` set. `zone`, when given, receives the configuration's time zone
// (empty with --log).
std::optional<std::filesystem::path> locate_log(const audit_log_args& args, std::string_view who,
                                                int& exit_code, std::string* zone = nullptr);

// The exit code for an error from opening or reading the log: corruption 65, a log that
// does not exist or cannot be opened 66, any other I/O failure 74.
int exit_for(const core::error& e, bool opening);

// Prints `e` for a user: for a missing log, also where paymand would create it.
void print_read_error(std::string_view who, const std::filesystem::path& log, const core::error& e);

// A stable short name for an audit_errc ("bad_hash", "sequence_gap", ...), for JSON output.
std::string_view errc_name(const boost::system::error_code& code);

// Untrusted text on one terminal line: control characters (newline and tab included), C1
// controls such as U+009B CSI, bidi overrides and invalid UTF-8 are shown escaped (\n, \x1B,
// \u009B, \u202E; text::escape_for_display), so a record can neither break the one-line
// layout nor drive the terminal nor reorder what follows.
std::string one_line(std::string_view text);

// At most `max_bytes` of `text`, cut at a UTF-8 character boundary and marked with "...".
std::string shorten(std::string_view text, std::size_t max_bytes);

}  // namespace paymand::app
