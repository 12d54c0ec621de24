#pragma once

#include "app/command.hpp"

namespace paymand::app {

// `paymand next [--count N] [--rule ID]`: the next occurrences in local and UTC time.
command add_next_command(CLI::App& parent);

}  // namespace paymand::app
