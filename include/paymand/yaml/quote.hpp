#pragma once

// Showing a value taken from an input file inside a diagnostic. Values are untrusted: they may
// be huge, span lines or carry terminal and bidi controls, and a message must stay one short,
// honest line whatever the file holds.

#include <cstddef>
#include <string>
#include <string_view>

namespace paymand::yaml {

// At most this many code points of a value are shown.
inline constexpr std::size_t max_quoted_code_points = 64;

// `value` in double quotes, safe to print on one line: `"` and `\` are escaped with a
// backslash; \n, \r and \t as such; other control bytes (< 0x20, 0x7f) and bytes that are not
// valid UTF-8 as \xNN; C1 controls and invisible format or bidi characters (U+200B..U+200F,
// U+202A..U+202E, U+2066..U+2069, U+FEFF, ...) as \uXXXX (\UXXXXXXXX above U+FFFF). Only the first
// 64 code points are shown; a longer value is cut there and followed by "...(N bytes)", N being its
// full size, e.g. "aaaa...a"...(70000 bytes). Pure; never throws other than std::bad_alloc.
std::string quote_value(std::string_view value);

// The longest diagnostic message kept, in bytes.
inline constexpr std::size_t max_message_size = 1024;

// A whole message made safe to print as one line, for messages built by modules that echo
// input without quote_value (the schedule parser's tokens, a time zone's name): control bytes
// (< 0x20, 0x7f), invalid UTF-8 and invisible or bidi characters escaped as quote_value does;
// cut at max_message_size bytes (on a code point boundary) with "..." appended. Text that is
// already safe comes back unchanged. diagnostics::error applies it to every message.
std::string one_line(std::string_view message);

}  // namespace paymand::yaml
