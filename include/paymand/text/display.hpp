#pragma once

// Untrusted text (a server's reply, a task id, a payee from a file) made safe for a human's
// terminal or the journal: nothing in it can move the cursor, recolour the screen, end a line
// or reorder what follows (bidi overrides). The audit log keeps the exact text (JSON-escaped);
// only what people read is escaped.

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

namespace paymand::text {

// Code points that print nothing visible or reorder text: C1 controls, the soft hyphen, the
// Arabic letter mark, zero-width and bidi characters (U+202A..U+202E, U+2066..U+2069, ...),
// line and paragraph separators, word joiners and invisible operators, the BOM, interlinear
// annotation and tag characters.
bool invisible(char32_t cp) noexcept;

struct escape_limits {
    std::size_t code_points = std::numeric_limits<std::size_t>::max();
    std::size_t bytes = std::numeric_limits<std::size_t>::max();  // of the output
    bool quotes = true;  // escape '"' and '\' (inside a quoted value)
};

// Appends `value` to `out` escaped: \n, \r and \t as such; other control bytes (< 0x20, 0x7f)
// and bytes that are not valid UTF-8 as \xNN; invisible() code points as \uXXXX (\UXXXXXXXX
// above U+FFFF); with `quotes`, '"' and '\' with a backslash. Stops before a limit would be
// passed; returns how many bytes of `value` were consumed.
std::size_t append_escaped(std::string& out, std::string_view value, escape_limits limits);

// All of `text` escaped as above, quotes left as they are: one line, safe to print. Text that
// is already safe comes back unchanged.
std::string escape_for_display(std::string_view text);

// `text` as a JSON string literal, quotes included, that a parser reads back exactly (invalid
// UTF-8 becomes U+FFFD) and whose bytes hold no control, C1, bidi or invisible character:
// those are written as \uXXXX escapes (surrogate pairs above U+FFFF).
std::string json_quote(std::string_view text);

// `text` fit for HTML element content and attribute values: & < > " ' as entities.
std::string html_escape(std::string_view text);

}  // namespace paymand::text
