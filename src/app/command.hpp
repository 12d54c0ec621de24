#pragma once

// How paymand's subcommands plug into main: each lives in its own file, registers itself on
// the top-level CLI11 app with its options, and returns how to run it once parsed.

#include <CLI/CLI.hpp>

#include <functional>

namespace paymand::app {

// Exit codes shared by every subcommand (sysexits where one fits).
enum exit_code : int {
    exit_ok = 0,
    exit_failure = 1,       // the server reported a failure, or the input was wrong
    exit_usage = 2,         // bad command line
    exit_unavailable = 69,  // EX_UNAVAILABLE: not sent, or outcome unknown
    exit_software = 70,     // EX_SOFTWARE: an internal error
};

struct command {
    CLI::App* cli = nullptr;  // owned by the parent app
    std::function<int()> run;
    // The exit code of a bad command line for this subcommand (`status` follows the
    // monitoring-plugin convention, where 2 means critical: its usage error is 3, unknown).
    int usage_exit = exit_usage;
};

}  // namespace paymand::app
