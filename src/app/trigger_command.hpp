#pragma once

// `paymand trigger RULE_ID`: run one occurrence of a rule now (see paymand/daemon/daemon.hpp).

#include "app/command.hpp"

namespace paymand::app {

command add_trigger_command(CLI::App& parent);

}  // namespace paymand::app
