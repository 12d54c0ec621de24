#pragma once

// Instants given on the command line (`check --after`, `next --after`, `simulate --from/--to`):
// a UTC time stamp "2026-12-01T09:00:00Z", or a date "2026-12-01", which means the start of
// that day in a given zone (the policy's).

#include <date/tz.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::app {

struct instant_arg {
    std::optional<std::chrono::sys_seconds> value;
    std::string error;  // set when value is empty
};

// `day_after` moves a plain date to the start of the next day: "--to 2027-12-31" includes the
// 31st.
instant_arg parse_instant_arg(std::string_view text, const date::time_zone* zone,
                              bool day_after = false);

}  // namespace paymand::app
