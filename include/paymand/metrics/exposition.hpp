#pragma once

// Text pieces of the Prometheus text exposition format 0.0.4: escaping and exact decimals.
// Numbers are kept as integers (counts, nanoseconds, microseconds) and only written as
// decimal text here, so no floating-point rounding ever reaches a scrape.

#include <cstdint>
#include <string>
#include <string_view>

namespace paymand::metrics {

// The Content-Type of a scrape answer.
inline constexpr std::string_view exposition_content_type =
    "text/plain; version=0.0.4; charset=utf-8";

// A label value as it goes between the double quotes: '\' -> "\\", '"' -> "\"", LF -> "\n".
std::string escape_label_value(std::string_view value);

// HELP text: '\' -> "\\", LF -> "\n" (double quotes stay as they are there).
std::string escape_help(std::string_view text);

// `magnitude / 10^scale` written exactly, with trailing fractional zeros dropped and a '-' in
// front when `negative` (and magnitude is not zero): (1500000, 6) -> "1.5", (5000, 6) ->
// "0.005", (30, 0) -> "30", (0, 9) -> "0". `scale` is at most 18.
std::string format_decimal(std::uint64_t magnitude, unsigned scale, bool negative = false);

// A signed count of 10^-scale units written as format_decimal does.
std::string format_signed_decimal(std::int64_t value, unsigned scale);

}  // namespace paymand::metrics
