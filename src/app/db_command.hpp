#pragma once

#include "app/command.hpp"

namespace paymand::app {

// `paymand db init|migrate`: creates and migrates the PostgreSQL ledger of several nodes.
command add_db_command(CLI::App& parent);

}  // namespace paymand::app
