#pragma once

// The options `run` and `trigger` share, read into daemon::run_options.

#include "paymand/daemon/daemon.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace paymand::app {

struct daemon_args {
    std::string config = "/etc/paymand/paymand.yaml";
    bool dry_run = false;
    std::string assume_balance;

    daemon::run_options options() const
    {
        daemon::run_options o;
        o.config_path = config;
        o.dry_run = dry_run;
        if (!assume_balance.empty()) o.assume_balance = assume_balance;
        return o;
    }
};

inline void add_daemon_options(CLI::App& cmd, daemon_args& args)
{
    cmd.add_option("-c,--config", args.config, "Configuration file")->capture_default_str();
    cmd.add_flag("--dry-run", args.dry_run,
                 "Never send a payment; record what would happen in the separate dry-run "
                 "audit log");
    cmd.add_option("--assume-balance", args.assume_balance,
                   "With --dry-run: read every balance as this amount instead of asking "
                   "Payman (no credentials needed)");
}

}  // namespace paymand::app
