#pragma once

// `paymand run`: the daemon (see paymand/daemon/daemon.hpp).

#include "app/command.hpp"

namespace paymand::app {

command add_run_command(CLI::App& parent);

}  // namespace paymand::app
