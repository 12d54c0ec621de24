#pragma once

#include "app/command.hpp"

namespace paymand::app {

// `paymand auth test`: fetch a token, nothing else, and compare the granted scopes with
// those the rules need.
command add_auth_command(CLI::App& parent);

}  // namespace paymand::app
