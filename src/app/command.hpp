#pragma once

// How paymand's subcommands plug into main: each lives in its own file, registers itself on
// the top-level CLI11 app with its options, and returns how to run it once parsed.

#include "paymand/core/exit_code.hpp"

#include <CLI/CLI.hpp>

#include <functional>

namespace paymand::app {

// Exit codes: one list for every command (core/exit_code.hpp).
using enum core::exit_code;

struct command {
    CLI::App* cli = nullptr;  // owned by the parent app
    std::function<int()> run;
    // The exit code of a bad command line for this subcommand (`status` follows the
    // monitoring-plugin convention, where 2 means critical: its usage error is 3, unknown).
    int usage_exit = exit_usage;
};

}  // namespace paymand::app
