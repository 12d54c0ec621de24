#pragma once

#include "app/command.hpp"

namespace paymand::app {

// `paymand check [--config F | --no-config] [PATHS...]`: validates without network.
command add_check_command(CLI::App& parent);

}  // namespace paymand::app
