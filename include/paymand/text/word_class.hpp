#pragma once

#include <string_view>

namespace paymand::text {

// What a single word means to an agent that reads a prompt. The lists are case-insensitive and
// match whole words (letters only, ASCII case folding; diacritics on Latin letters ignored).
enum class word_class {
    ordinary,
    payment_verb,      // send, pay, transfer, wire, refund, approve, ... (moves or releases money)
    instruction_word,  // ignore, forget, disregard, instead, execute, please, ... (steers the
                       // agent)
    currency_word,     // TSD, USD, EUR, dollar(s), cents, bitcoin, ...
    number_word,       // thousand, million, billion, hundred, ...
};

// Classifies one word (no spaces). Words of other scripts are `ordinary` except for Latin
// look-alikes folded first (Cyrillic 'е' in "sеnd" is caught by the mixed-script rule instead).
word_class classify_word(std::string_view word);

// True for an upper-case ISO 4217 code ("EUR", "TRY", "ALL"). Written in capitals these
// read as currencies even when the lower-case word is ordinary English, so names reject them.
bool is_iso_currency_code(std::string_view word) noexcept;

}  // namespace paymand::text
