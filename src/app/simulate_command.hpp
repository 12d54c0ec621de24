#pragma once

#include "app/command.hpp"

namespace paymand::app {

// `paymand simulate --from DATE --to DATE [--balance AMOUNT | --balances FILE]`.
command add_simulate_command(CLI::App& parent);

}  // namespace paymand::app
