#pragma once

// `paymand run`: the daemon's life from configuration to exit. Loads the configuration and
// the rules (refusing to start on any error), takes the state lock, replays the audit log,
// connects the engine to Payman, tells systemd it is ready, and then schedules until SIGTERM
// or SIGINT, reloading on SIGHUP (a reload that fails to load keeps the running rules) and
// re-planning when the wall clock is stepped.

#include "paymand/core/exit_code.hpp"
#include "paymand/money/amount.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace paymand::daemon {

struct run_options {
    std::filesystem::path config_path;
    // Payment asks are never sent; records go to the separate dry-run audit log.
    bool dry_run = false;
    // Dry run without Payman: balances read as this amount (decimal text, the rule's currency).
    std::optional<std::string> assume_balance;
    // trigger: print the outcome as one JSON object (daemon/trigger_outcome.hpp) instead of a
    // line.
    bool json = false;
};

// Exit codes: core/exit_code.hpp.
using enum core::exit_code;

// Runs the daemon in this thread until it is told to stop. Logs to stderr.
int run(const run_options& options);

// `paymand trigger RULE_ID`: one occurrence of the rule now, through the daemon's own path
// (state lock, audit log, condition, limits, intent before the ask). Its identity carries
// "~manual". Takes the state lock, so it refuses while the daemon runs on the same state.
int trigger(const run_options& options, const std::string& rule_id);

// `paymand audit resolve OCCURRENCE --paid|--not-paid --note TEXT`: appends an operator's
// verdict on an in-doubt (or mismatched) occurrence to the audit log. Without a daemon it
// takes the state lock and appends itself; while the daemon runs (it holds the lock) the
// request is checked against the log read-only, handed over through the daemon's inbox
// (daemon/inbox.hpp) and the command waits for the daemon's record or refusal (exit
// exit_locked when the daemon has not answered in 15 s; the request stays queued). Prints
// what happened; errors go to stderr.
int resolve(const std::filesystem::path& config_path, const std::string& occurrence, bool paid,
            const std::string& note);

}  // namespace paymand::daemon
