#pragma once

#include <span>

namespace paymand::text::detail {

// What the safe-text grammar needs to know about a non-ASCII code point.
enum class char_kind : unsigned char {
    letter,           // general category L*, without a compatibility decomposition
    compat_letter,    // a letter that is a compatibility variant (fullwidth, math, circled, ...)
    mark,             // Mn, Mc: combining marks
    format,           // Cf: bidi controls, zero-width characters, BOM, ...
    currency_symbol,  // Sc
    space,            // Zs, Zl, Zp
    other_digit,      // digits and numerals other than ASCII 0-9
};

struct char_range {
    char32_t first;
    char32_t last;
    char_kind kind;
};

struct latin_fold {
    char32_t code_point;
    char base;  // ASCII lower-case base letter
};

// Sorted, non-overlapping; code points not covered are "other" (punctuation, symbols, ...).
std::span<const char_range> char_ranges() noexcept;
// Sorted by code point: Latin letters with diacritics and their base letter.
std::span<const latin_fold> latin_folds() noexcept;

}  // namespace paymand::text::detail
