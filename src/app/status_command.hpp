#pragma once

#include "app/command.hpp"

namespace paymand::app {

// `paymand status`: the daemon's state from its state directory, running or not.
command add_status_command(CLI::App& parent);

}  // namespace paymand::app
