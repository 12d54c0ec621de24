#pragma once

// The two time stamps of the audit log, both UTC and RFC 3339 with "Z": record time stamps
// with microseconds ("2026-12-01T09:00:00.000123Z", always 27 characters) and occurrence
// instants in whole seconds ("2026-12-01T09:00:00Z", always 20 characters).

#include "paymand/audit/record.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace paymand::audit {

inline constexpr std::size_t ts_length = 27;
inline constexpr std::size_t utc_length = 20;

std::string format_ts(utc_micros t);
std::string format_utc(utc_seconds t);

// Strict: exactly the shapes above, years 0001-9999, valid calendar dates, no leap seconds.
std::optional<utc_micros> parse_ts(std::string_view s) noexcept;
std::optional<utc_seconds> parse_utc(std::string_view s) noexcept;

}  // namespace paymand::audit
