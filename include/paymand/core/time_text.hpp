#pragma once

// UTC instants as text, RFC 3339 with "Z": the one home of paymand's time stamps.
//   format_utc        "2026-12-01T09:00:00Z"         whole seconds (occurrence instants)
//   format_utc_millis "2026-12-01T09:00:00.000Z"     milliseconds (Payman's request metadata)
//   format_ts         "2026-12-01T09:00:00.000123Z"  microseconds (audit record stamps)
// Each shape has a fixed length; the audit log's readers rely on it.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::core {

using utc_seconds = std::chrono::sys_seconds;
using utc_micros = std::chrono::sys_time<std::chrono::microseconds>;

inline constexpr std::size_t utc_length = 20;
inline constexpr std::size_t utc_millis_length = 24;
inline constexpr std::size_t ts_length = 27;

std::string format_utc(utc_seconds t);
std::string format_utc_millis(std::chrono::system_clock::time_point t);
std::string format_ts(utc_micros t);

// A wall-clock minute without a zone, appended to `out` as occurrence identities write it,
// "YYYY-MM-DDTHH:MM", or `compact` as memo tags do, "YYYYMMDDTHHMM". A field wider than its
// digits (a year past 9999, a negative one) is written whole, as fmt's {:04} and {:02} would.
void append_minute(std::string& out, int year, int month, int day, int hour, int minute,
                   bool compact);

// Strict: exactly the shapes above, years 0001-9999, valid calendar dates, no leap seconds.
std::optional<utc_micros> parse_ts(std::string_view s) noexcept;
std::optional<utc_seconds> parse_utc(std::string_view s) noexcept;

}  // namespace paymand::core
