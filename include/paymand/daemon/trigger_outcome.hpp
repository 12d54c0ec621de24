#pragma once

// What `paymand trigger` says and how it exits, from the audit records of the occurrence it
// ran (written by this process or by the running daemon it handed the run to). Pure.

#include "paymand/audit/record.hpp"
#include "paymand/core/exit_code.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace paymand::daemon {

// Exit codes per outcome class (core/exit_code.hpp; documented in `paymand trigger --help`
// and the man page).
using enum core::exit_code;

struct trigger_outcome {
    int exit_code = exit_in_doubt;
    std::string line;   // one line for stdout, untrusted text escaped
    std::string state;  // the occurrence's state (audit::to_string), "none" without a record
};

// The outcome as one JSON object: {"occurrence", "state", "exit_code", "outcome" (the line),
// "run_by_daemon"}.
std::string trigger_json(std::string_view identity, const trigger_outcome& outcome,
                         bool run_by_daemon);

// The outcome of occurrence `identity` from `records` (any records, in log order; those about
// other occurrences are ignored). An occurrence without an outcome record is in doubt.
trigger_outcome describe_trigger(std::string_view identity,
                                 const std::vector<audit::record>& records);

}  // namespace paymand::daemon
