#pragma once

#include "paymand/text/text_errc.hpp"

#include <boost/system/result.hpp>

#include <cstddef>
#include <string_view>

namespace paymand::text {

// The kinds of value that are interpolated into a prompt. Each has its own grammar and bound;
// docs/prompts.md writes the grammar down.
enum class text_field {
    payee_name,   // a payee as known to Payman, at most 64 code points
    wallet_name,  // a wallet as known to Payman, at most 64 code points
    memo,         // a payment memo (after placeholder expansion), at most 140 code points
                  // not counting a paymand memo tag (pm:<rule>:<YYYYMMDD>T<HHMM>)
};

// "payee name", "wallet name", "memo": used in messages.
std::string_view field_label(text_field field) noexcept;

// Maximum length of the field in Unicode code points.
std::size_t max_length(text_field field) noexcept;

// Checks `value` against the field's grammar. Success means the value can be placed in a
// prompt verbatim: valid UTF-8, words of letters (any script, no look-alike compatibility
// forms) or ASCII digits joined by single spaces, only . , ' - & (memos also : / _ # and
// a paymand memo tag) in their allowed places, no sentence break followed by more words, no
// steering or payment words, currency words or codes, number or quantity words (word lists of
// the languages named in word_class.hpp, CJK terms found inside words), no amount-like tokens
// (9,000, 10k, 1e4, x10000). The word lists are defence in depth; docs/prompts.md says what
// they cover. Pure; thread-safe.
core::result<void> check_text(text_field field, std::string_view value);

}  // namespace paymand::text
