#pragma once

// The reading subcommands of `paymand audit`, one file each. Each registers itself on the
// `audit` app with its options and returns how to run it once parsed.

#include "app/command.hpp"

namespace paymand::app {

command add_audit_verify(CLI::App& audit);  // audit_verify.cpp
command add_audit_tail(CLI::App& audit);    // audit_tail.cpp
command add_audit_report(CLI::App& audit);  // audit_report.cpp

}  // namespace paymand::app
