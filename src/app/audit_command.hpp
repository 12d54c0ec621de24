#pragma once

// `paymand audit ...`: the operator's tools on the audit log.

#include "app/command.hpp"

namespace paymand::app {

command add_audit_command(CLI::App& parent);

}  // namespace paymand::app
