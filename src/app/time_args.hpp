#pragma once

// Instants given on the command line (`check --after`, `next --after`, `simulate --from/--to`):
// a UTC time stamp "2026-12-01T09:00:00Z", or a date "2026-12-01", which means the start of
// that day in a given zone (the policy's).

#include "paymand/core/error.hpp"

#include <date/tz.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::app {

// The instant a --from, --to or --after argument names (a date, local midnight in `zone`, or
// a UTC time stamp), or an error saying what it should be.
// `day_after` moves a plain date to the start of the next day: "--to 2027-12-31" includes the
// 31st.
core::result<std::chrono::sys_seconds>
parse_instant_arg(std::string_view text, const date::time_zone* zone, bool day_after = false);

}  // namespace paymand::app
