#pragma once

// Operational logging for paymand's executables (the audit log is separate: see audit/).
// Three formats: `journal` (sd-daemon priority prefixes such as "<6>", no timestamp of our
// own: journald adds it), `text` (timestamped lines for a terminal) and `json` (one object a
// line for log shippers). `automatic` picks journal when stderr is connected to journald
// (JOURNAL_STREAM names stderr's device and inode), else text.

#include "paymand/text/word_table.hpp"

#include <spdlog/formatter.h>
#include <spdlog/logger.h>

#include <memory>
#include <optional>
#include <string_view>

namespace paymand::log {

enum class log_format { automatic, text, journal, json };

// The words of `logging.format`.
inline constexpr auto log_format_words = text::make_word_table<log_format>({
    {log_format::automatic, "auto"},
    {log_format::text, "text"},
    {log_format::journal, "journal"},
    {log_format::json, "json"},
});

struct log_config {
    log_format format = log_format::automatic;
    spdlog::level::level_enum level = spdlog::level::info;
};

// The format `automatic` resolves to for this process (reads JOURNAL_STREAM and fstat(2)).
log_format resolve_format(log_format requested);

// The line formatter for a format (`automatic` is resolved first). No control, C1 or bidi
// character of a message reaches a line as such: text and journal lines show it escaped for
// display (text/display.hpp), JSON lines as a \uXXXX escape that parses back to the exact text.
std::unique_ptr<spdlog::formatter> make_formatter(log_format format);

// A logger writing to stderr in the given format. Never throws for a valid format.
std::shared_ptr<spdlog::logger> make_stderr_logger(std::string name, const log_config& config);

// Installs make_stderr_logger(...) as spdlog's default logger.
void init_default_logger(std::string name, const log_config& config);

}  // namespace paymand::log
