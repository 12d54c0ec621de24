#pragma once

// The two time stamps of the audit log, both UTC and RFC 3339 with "Z": record time stamps
// with microseconds ("2026-12-01T09:00:00.000123Z", always 27 characters) and occurrence
// instants in whole seconds ("2026-12-01T09:00:00Z", always 20 characters). Their one home is
// core/time_text.hpp; the audit module names them here.

#include "paymand/audit/record.hpp"
#include "paymand/core/time_text.hpp"

namespace paymand::audit {

using core::format_ts;
using core::format_utc;
using core::parse_ts;
using core::parse_utc;
using core::ts_length;
using core::utc_length;

}  // namespace paymand::audit
