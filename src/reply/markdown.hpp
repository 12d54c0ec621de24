#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Shared reading of markdown prose for the reply parsers. Internal to paymand_core.
namespace paymand::reply::detail {

struct md_line {
    std::size_t number = 0;  // 1-based
    std::size_t indent = 0;  // leading spaces (a tab counts 4)
    bool blank = false;
    bool numbered = false;           // "1. ..." or "1) ..."
    bool bullet = false;             // "- ...", "* ...", "+ ..."
    bool heading = false;            // "# ..."
    bool table_row = false;          // "| a | b |"
    bool bold_lead = false;          // the text after any list marker starts with "**" or "__"
    std::string text;                // markers and emphasis removed, whitespace collapsed
    std::vector<std::string> cells;  // table rows: cells, each cleaned like text
};

std::vector<md_line> split_lines(std::string_view reply);

// Removes emphasis (* _ ` ~), collapses whitespace, trims.
std::string clean(std::string_view text);

std::string lower(std::string_view text);
// text.find(cue, from) for a cue that starts with a space (most phrases do): it looks for the
// rest of the cue, rarer in prose than a space, and checks the space before it.
std::size_t find_spaced(std::string_view text, std::string_view cue, std::size_t from);
bool contains(std::string_view haystack, std::string_view needle);

// A number in prose with what is attached to it.
struct money_token {
    std::size_t begin = 0;  // in the cleaned text
    std::size_t end = 0;
    std::string figure;               // "-1,234.56": sign and digits only
    std::optional<std::string> code;  // an adjacent currency code or a symbol that names one
    bool dollar_sign = false;         // "$" (which Payman uses for TSD too)
};

// Numbers that may be money: excludes parts of dates, times, words and identifiers.
std::vector<money_token> find_numbers(std::string_view text);

// "Label: value" split at the first ':' when the label is short; empty when not such a line.
std::optional<std::pair<std::string, std::string>> label_value(std::string_view text);

// True for a table separator row (cells of '-' and ':').
bool is_separator_row(const md_line& line);

// Reduces a name for comparison: lower case, collapsed spaces, no trailing '.', no leading
// "the ", no trailing " wallet".
std::string name_key(std::string_view name);

// The name that starts at `pos` (after "to " or "from "): words up to punctuation or a word
// such as "from", "with", "for", "successfully"; a trailing '.' is dropped.
std::string name_after(std::string_view text, std::size_t pos);

// Bounded copy of untrusted text for results (at most 128 bytes, cut at a UTF-8 boundary).
std::string bounded(std::string_view text);

}  // namespace paymand::reply::detail
