#pragma once

// `paymand ask "TEXT"`: one ask to Payman's agent, for people checking credentials and wording.

#include "app/command.hpp"

namespace paymand::app {

command add_ask_command(CLI::App& parent);

}  // namespace paymand::app
