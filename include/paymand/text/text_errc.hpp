#pragma once

#include "paymand/core/error.hpp"

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace paymand::text {

// Why a piece of text was refused as a prompt value. Values are stable.
enum class text_errc {
    empty = 1,
    too_long,                 // more code points than the field allows
    invalid_utf8,             // malformed, overlong, surrogate or out-of-range sequence
    control_character,        // C0/C1 controls, newlines, tabs
    format_character,         // bidi overrides/isolates/marks, zero-width characters, BOM
    forbidden_character,      // quotes, braces, backticks, brackets, symbols, other punctuation
    compatibility_character,  // look-alike letters: fullwidth, mathematical, circled, ligatures
    bad_spacing,              // leading/trailing space, two spaces in a row, other space kinds
    misplaced_punctuation,    // . , ' - & at the start of a word, doubled, or where not allowed
    sentence_break,           // '.' ending a sentence that more words follow ("Bob. Also ...")
    instruction_word,         // send, pay, transfer, ignore, approve, ...
    currency_word,            // TSD, USD, EUR, dollars, ...
    amount_like,              // 9000.00, 1,000, $5, 10k, million
    mixed_script,             // one word mixing Latin with Greek or Cyrillic letters
    stray_mark,               // a combining mark with no letter before it, or too many marks
    role_marker,              // a speaker label: "User:", "Human:hi", a word ending in ':'
    tag_shaped,               // 'pm:' starting a word other than paymand's own final tag
};

const boost::system::error_category& text_category() noexcept;
boost::system::error_code make_error_code(text_errc e) noexcept;

// A refusal is a core::error: the code, the byte offset of the offending character or word in
// the checked text, and a message that names the field, the rule and the position, e.g. "payee
// name: instruction word 'send' at offset 5 is not allowed". Messages never echo control or
// format characters.

}  // namespace paymand::text

template <>
struct boost::system::is_error_code_enum<paymand::text::text_errc> : std::true_type {
};
