#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace paymand::text {

// What a single word means to an agent that reads a prompt. The lists match whole words and
// are defence in depth: they cover English, German, French, Spanish, Italian, Portuguese and
// Dutch (ASCII case folding; callers drop diacritics on Latin letters first) and Russian
// (Cyrillic case folding, 'ё' read as 'е'). docs/prompts.md lists every word.
enum class word_class {
    ordinary,
    payment_verb,  // send, pay, transfer, zahlen, paga, заплати, ... (moves or releases money)
    instruction_word,  // ignore, forget, instead, please, then, ask, ignoriere, забудь, ...
                       // (steers the agent away from, or past, the request it was given)
    currency_word,     // TSD, USD, EUR, dollar(s), cents, bitcoin, рублей, ...
    number_word,       // thousand, million, tausend, миллион, ...
};

// Classifies one word (no spaces). Latin words are compared after ASCII lower-casing; a word
// of Cyrillic letters after Cyrillic lower-casing. Words of other scripts are `ordinary`
// (CJK text is searched with `find_cjk_term`). Quantity words are not a word class here:
// templates legitimately say "balance"; see `is_quantity_word`.
word_class classify_word(std::string_view word);

// True for a word that reads as an amount of money rather than a name, in the languages of
// `classify_word`: balance, funds, remaining, everything, twice, saldo, остаток, ... Names
// and memos refuse them; prompt templates may use them ("what's my wallet balance?").
bool is_quantity_word(std::string_view word);

// True for an upper-case ISO 4217 code ("EUR", "TRY", "ALL"). Written in capitals these
// read as currencies even when the lower-case word is ordinary English, so names reject them.
bool is_iso_currency_code(std::string_view word) noexcept;

// How a term found inside Chinese, Japanese or Korean text reads.
enum class cjk_meaning {
    instruction,  // 忽略, 指令, 支付, 转账, 無視, 送金, 무시, 송금, ... (steering or payment)
    currency,  // 美元, 人民币, 달러, ...
    amount,  // a balance word (余额, 残高, 잔액) or a numeral with a magnitude (一万, 5億)
};

struct cjk_term {
    std::size_t offset;  // byte offset of the term in the searched text
    std::size_t length;  // its length in bytes
    cjk_meaning meaning;
};

// CJK scripts do not separate words with spaces, so listed terms are found as substrings of
// `run` (UTF-8 letters of one word). A magnitude character (万 萬 亿 億, the currency units 元
// 块 円 ...) counts only directly after a numeral (一万, 十万), or at the start of `run` when
// `after_digit` says ASCII digits precede it (5万): alone it is part of many names (万达).
// Returns the first term by position.
std::optional<cjk_term> find_cjk_term(std::string_view run, bool after_digit = false);

}  // namespace paymand::text
