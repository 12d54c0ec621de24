#include "paymand/text/safe_text.hpp"

#include "paymand/text/utf8.hpp"
#include "paymand/text/word_class.hpp"
#include "text/unicode_tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace paymand::text {
namespace {

enum class unit_kind { letter, mark, digit, space, punct };
enum class script { none, latin, greek, cyrillic, other };

struct unit {
    char32_t cp;
    std::size_t offset;
    unit_kind kind;
};

struct span {
    std::size_t begin;  // index into units
    std::size_t end;
};

std::string describe(char32_t cp)
{
    switch (cp) {
    case '\n':
        return "a newline";
    case '\r':
        return "a carriage return";
    case '\t':
        return "a tab";
    case '"':
        return "a double quote";
    case '`':
        return "a backtick";
    case '{':
    case '}':
        return fmt::format("a brace '{}'", static_cast<char>(cp));
    default:
        break;
    }
    if (cp >= 0x21 && cp < 0x7f) return fmt::format("'{}'", static_cast<char>(cp));
    return fmt::format("U+{:04X}", static_cast<std::uint32_t>(cp));
}

core::error fail(text_field field, text_errc code, std::size_t offset, std::string what)
{
    return {make_error_code(code), offset,
            fmt::format("{}: {} at offset {}", field_label(field), what, offset)};
}

const detail::char_range* lookup(char32_t cp)
{
    const auto ranges = detail::char_ranges();
    auto it = std::upper_bound(ranges.begin(), ranges.end(), cp,
                               [](char32_t v, const detail::char_range& r) { return v < r.first; });
    if (it == ranges.begin()) return nullptr;
    --it;
    return cp <= it->last ? &*it : nullptr;
}

bool is_punct_for(text_field field, char32_t cp)
{
    switch (cp) {
    case '.':
    case ',':
    case '\'':
    case '-':
    case '&':
        return true;
    case ':':
    case '/':
    case '_':
    case '#':
        return field == text_field::memo;
    default:
        return false;
    }
}

// Classifies every code point, refusing the first one that has no place in the field.
core::result<void> classify(text_field field, std::string_view value, std::vector<unit>& units)
{
    for (std::size_t i = 0; i < value.size();) {
        const auto d = decode_utf8(value, i);
        if (!d) return fail(field, text_errc::invalid_utf8, i, "invalid UTF-8");
        const char32_t cp = d->code_point;
        unit u{cp, i, unit_kind::letter};
        if (cp < 0x80) {
            if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
                u.kind = unit_kind::letter;
            else if (cp >= '0' && cp <= '9')
                u.kind = unit_kind::digit;
            else if (cp == ' ')
                u.kind = unit_kind::space;
            else if (cp < 0x20 || cp == 0x7f)
                return fail(field, text_errc::control_character, i,
                            fmt::format("control character {}", describe(cp)));
            else if (is_punct_for(field, cp))
                u.kind = unit_kind::punct;
            else if (cp == '$')
                return fail(field, text_errc::amount_like, i, "currency sign '$'");
            else
                return fail(field, text_errc::forbidden_character, i,
                            fmt::format("{} is not allowed", describe(cp)));
        } else if (cp <= 0x9f || cp == 0x2028 || cp == 0x2029) {
            return fail(field, text_errc::control_character, i,
                        fmt::format("control character {}", describe(cp)));
        } else {
            const auto* range = lookup(cp);
            if (range == nullptr)
                return fail(field, text_errc::forbidden_character, i,
                            fmt::format("character {} is not allowed", describe(cp)));
            switch (range->kind) {
            case detail::char_kind::letter:
                u.kind = unit_kind::letter;
                break;
            case detail::char_kind::mark:
                u.kind = unit_kind::mark;
                break;
            case detail::char_kind::compat_letter:
                return fail(field, text_errc::compatibility_character, i,
                            fmt::format("look-alike letter {} (a compatibility form) is not "
                                        "allowed; use the plain letter",
                                        describe(cp)));
            case detail::char_kind::format:
                return fail(field, text_errc::format_character, i,
                            fmt::format("invisible format or bidi character {}", describe(cp)));
            case detail::char_kind::currency_symbol:
                return fail(field, text_errc::amount_like, i,
                            fmt::format("currency sign {}", describe(cp)));
            case detail::char_kind::space:
                return fail(field, text_errc::bad_spacing, i,
                            fmt::format("space character {}; only the plain space U+0020 "
                                        "separates words",
                                        describe(cp)));
            case detail::char_kind::other_digit:
                return fail(field, text_errc::forbidden_character, i,
                            fmt::format("numeral {}; only digits 0-9 are allowed", describe(cp)));
            }
        }
        units.push_back(u);
        i += d->length;
    }
    return {};
}

script script_of(char32_t cp)
{
    if (cp < 0x2B0 || (cp >= 0x1E00 && cp <= 0x1EFF) || (cp >= 0x2C60 && cp <= 0x2C7F) ||
        (cp >= 0xA720 && cp <= 0xA7FF) || (cp >= 0xAB30 && cp <= 0xAB6F))
        return script::latin;
    if ((cp >= 0x370 && cp <= 0x3FF) || (cp >= 0x1F00 && cp <= 0x1FFF)) return script::greek;
    if ((cp >= 0x400 && cp <= 0x52F) || (cp >= 0x1C80 && cp <= 0x1C8F) ||
        (cp >= 0x2DE0 && cp <= 0x2DFF) || (cp >= 0xA640 && cp <= 0xA69F))
        return script::cyrillic;
    return script::other;
}

// Greek and Cyrillic letters that look like Latin ones, after lower-casing.
char confusable(char32_t cp)
{
    if (cp >= 0x410 && cp <= 0x42F) cp += 0x20;
    if (cp >= 0x400 && cp <= 0x40F) cp += 0x50;
    if (cp >= 0x391 && cp <= 0x3A9) cp += 0x20;
    static constexpr std::array<std::pair<char32_t, char>, 36> table{{
        {0x3B1, 'a'}, {0x3B2, 'b'}, {0x3B5, 'e'}, {0x3B7, 'n'}, {0x3B9, 'i'}, {0x3BA, 'k'},
        {0x3BC, 'u'}, {0x3BD, 'v'}, {0x3BF, 'o'}, {0x3C1, 'p'}, {0x3C4, 't'}, {0x3C5, 'u'},
        {0x3C7, 'x'}, {0x3F2, 'c'}, {0x430, 'a'}, {0x432, 'b'}, {0x435, 'e'}, {0x43A, 'k'},
        {0x43C, 'm'}, {0x43D, 'h'}, {0x43E, 'o'}, {0x440, 'p'}, {0x441, 'c'}, {0x442, 't'},
        {0x443, 'y'}, {0x445, 'x'}, {0x450, 'e'}, {0x451, 'e'}, {0x455, 's'}, {0x456, 'i'},
        {0x457, 'i'}, {0x458, 'j'}, {0x4BB, 'h'}, {0x4CF, 'l'}, {0x501, 'd'}, {0x51D, 'w'},
    }};
    for (const auto& [from, to] : table)
        if (from == cp) return to;
    return 0;
}

// The ASCII lower-case reading of letters: diacritics dropped, look-alikes mapped. A letter
// with no Latin reading becomes '?', so the word matches no list.
std::string skeleton(const std::vector<unit>& units, span s)
{
    std::string out;
    const auto folds = detail::latin_folds();
    for (std::size_t i = s.begin; i < s.end; ++i) {
        const char32_t cp = units[i].cp;
        if (units[i].kind == unit_kind::mark) continue;
        if (cp < 0x80) {
            out += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
            continue;
        }
        auto it = std::lower_bound(
            folds.begin(), folds.end(), cp,
            [](const detail::latin_fold& f, char32_t v) { return f.code_point < v; });
        if (it != folds.end() && it->code_point == cp) {
            out += it->base;
        } else if (char c = confusable(cp); c != 0) {
            out += c;
        } else {
            out += '?';
        }
    }
    return out;
}

bool is_core(const unit& u)
{
    return u.kind == unit_kind::letter || u.kind == unit_kind::digit;
}

bool all_digits(const std::vector<unit>& units, span s)
{
    for (std::size_t i = s.begin; i < s.end; ++i)
        if (units[i].kind != unit_kind::digit) return false;
    return true;
}

std::string raw(std::string_view value, const std::vector<unit>& units, span s)
{
    const std::size_t from = units[s.begin].offset;
    const std::size_t to = s.end < units.size() ? units[s.end].offset : value.size();
    return std::string(value.substr(from, to - from));
}

constexpr std::array abbreviations = std::to_array<std::string_view>({
    "ag",  "apr", "aug", "ave", "bros", "co",   "corp", "dec", "dept", "dr", "feb",
    "inc", "jan", "jr",  "jul", "jun",  "ltd",  "mar",  "mr",  "mrs",  "ms", "mt",
    "mx",  "no",  "nov", "oct", "plc",  "prof", "sa",   "sep", "sept", "sr", "st",
});

bool is_abbreviation(std::string_view word)
{
    return std::find(abbreviations.begin(), abbreviations.end(), word) != abbreviations.end();
}

// pm:<rule id>:<YYYYMMDD>T<HHMM>, the tag paymand puts in memos for reconciliation, with a
// final "m" for a manual run.
bool is_memo_tag(std::string_view word)
{
    if (word.ends_with('m')) word.remove_suffix(1);
    if (word.size() < 3 + 1 + 1 + 13 || word.substr(0, 3) != "pm:") return false;
    const std::string_view stamp = word.substr(word.size() - 13);
    const std::string_view id = word.substr(3, word.size() - 3 - 14);
    if (word[word.size() - 14] != ':' || id.empty() || id.size() > 64) return false;
    for (std::size_t i = 0; i < stamp.size(); ++i) {
        const bool ok = i == 8 ? stamp[i] == 'T' : (stamp[i] >= '0' && stamp[i] <= '9');
        if (!ok) return false;
    }
    const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(id.front())) return false;
    return std::all_of(id.begin(), id.end(),
                       [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

// Words that name a speaker to a language model when a ':' follows (compared by skeleton, so
// case and look-alike letters do not matter). Defence in depth: a memo cannot end a word with
// ':' at all, so only the joined form "User:hi" reaches this list.
bool is_role_word(std::string_view skel)
{
    static constexpr std::array<std::string_view, 30> roles{
        "system",  "assistant", "user",    "developer", "admin",       "administrator",
        "ai",      "bot",       "agent",   "model",     "human",       "operator",
        "tool",    "function",  "root",    "owner",     "sysadmin",    "moderator",
        "chatbot", "gpt",       "claude",  "gemini",    "benutzer",    "nutzer",
        "usuario", "sistema",   "systeme", "asistente", "utilisateur", "instruction"};
    return std::find(roles.begin(), roles.end(), skel) != roles.end();
}

class checker {
public:
    checker(text_field field, std::string_view value, const std::vector<unit>& units)
        : field_(field), value_(value), units_(units)
    {
    }

    core::result<void> run()
    {
        if (units_.front().kind == unit_kind::space)
            return fail(field_, text_errc::bad_spacing, 0, "leading space");
        if (units_.back().kind == unit_kind::space)
            return fail(field_, text_errc::bad_spacing, units_.back().offset, "trailing space");
        std::vector<span> words;
        std::size_t start = 0;
        for (std::size_t i = 0; i <= units_.size(); ++i) {
            if (i == units_.size() || units_[i].kind == unit_kind::space) {
                if (i == start)
                    return fail(field_, text_errc::bad_spacing, units_[i].offset,
                                "two spaces in a row");
                words.push_back({start, i});
                start = i + 1;
            }
        }
        for (std::size_t w = 0; w < words.size(); ++w) {
            auto r = check_word(words[w], w == 0, w + 1 == words.size());
            if (!r) return r;
        }
        return {};
    }

private:
    core::error error(text_errc code, std::size_t index, std::string what) const
    {
        return fail(field_, code, units_[index].offset, std::move(what));
    }

    // ',' only ends a word; '#' only starts one (memos).
    static bool inner_joiner_allowed(char32_t cp) { return cp != ',' && cp != '#'; }

    bool trailer_allowed(char32_t cp) const
    {
        return cp == '.' || cp == '\'' || cp == '-' || cp == '&' || cp == ',';
    }

    core::result<void> check_word(span w, bool first, bool last)
    {
        const std::size_t n = w.end - w.begin;
        if (n == 1 && units_[w.begin].cp == '&') {
            if (first || last)
                return error(text_errc::misplaced_punctuation, w.begin,
                             "'&' must stand between two words");
            return {};
        }
        if (field_ == text_field::memo) {
            const std::string word = raw(value_, units_, w);
            if (is_memo_tag(word)) return check_memo_tag(w, word, last);
        }

        std::size_t i = w.begin;
        if (units_[i].cp == '#' && n > 1 && is_core(units_[i + 1])) ++i;
        if (units_[i].cp == ':')
            return error(text_errc::role_marker, i,
                         "a ':' standing apart reads as a speaker label (as in 'User :'); in a "
                         "memo ':' may only join, as in 12:30");
        if (units_[i].kind == unit_kind::punct)
            return error(text_errc::misplaced_punctuation, i,
                         fmt::format("{} at the start of a word", describe(units_[i].cp)));
        if (units_[i].kind == unit_kind::mark)
            return error(text_errc::stray_mark, i, "combining mark at the start of a word");

        std::vector<span> cores;
        std::size_t core_start = i;
        std::size_t marks = 0;
        std::size_t trailer = w.end;
        for (; i < w.end; ++i) {
            const unit& u = units_[i];
            if (u.kind == unit_kind::mark) {
                if (units_[i - 1].kind != unit_kind::letter &&
                    units_[i - 1].kind != unit_kind::mark)
                    return error(
                        text_errc::stray_mark, i,
                        fmt::format("combining mark {} not after a letter", describe(u.cp)));
                if (++marks > 4)
                    return error(text_errc::stray_mark, i, "more than 4 combining marks in a row");
                continue;
            }
            marks = 0;
            if (u.kind != unit_kind::punct) continue;
            cores.push_back({core_start, i});
            if (i + 1 < w.end && is_core(units_[i + 1])) {
                if (u.cp == ',' && units_[i - 1].kind == unit_kind::digit &&
                    units_[i + 1].kind == unit_kind::digit)
                    return error(text_errc::amount_like, w.begin,
                                 fmt::format("amount-like number '{}'", raw(value_, units_, w)));
                if (!inner_joiner_allowed(u.cp))
                    return error(text_errc::misplaced_punctuation, i,
                                 fmt::format("{} inside a word", describe(u.cp)));
                core_start = i + 1;
                continue;
            }
            trailer = i;
            break;
        }
        if (trailer == w.end) cores.push_back({core_start, w.end});
        if (trailer != w.end) {
            const std::size_t length = w.end - trailer;
            const char32_t a = units_[trailer].cp;
            const bool ok =
                (length == 1 && trailer_allowed(a)) ||
                (length == 2 && a != ',' && trailer_allowed(a) && units_[trailer + 1].cp == ',');
            if (a == ':')
                return error(text_errc::role_marker, trailer,
                             is_role_word(skeleton(units_, cores.back()))
                                 ? fmt::format("role marker '{}:' is not allowed",
                                               raw(value_, units_, cores.back()))
                                 : std::string("':' ends a word here, which reads as a speaker "
                                               "label (as in 'User:'); in a memo ':' may only "
                                               "join, as in 12:30"));
            if (!ok) {
                std::size_t bad = trailer;
                if (length > 1) bad = trailer + 1;
                if (!trailer_allowed(a)) bad = trailer;
                return error(text_errc::misplaced_punctuation, bad,
                             fmt::format("{} where a word ends", describe(units_[bad].cp)));
            }
        }

        // A part of a word followed by ':' ("Human:hi", "pm:gym:20261201T0900"): a speaker
        // label or a reconciliation tag to whoever reads it, in any case and in look-alike
        // letters (compared by skeleton). paymand's own tag was handled above.
        for (const auto& core : cores) {
            if (core.end >= w.end || units_[core.end].cp != ':') continue;
            const std::string part = skeleton(units_, core);
            if (part == "pm")
                return error(text_errc::tag_shaped, core.begin,
                             "tag-shaped text: 'pm:' at the start of a word is reserved for "
                             "paymand's own reconciliation tag");
            if (is_role_word(part))
                return error(
                    text_errc::role_marker, core.begin,
                    fmt::format("role marker '{}:' is not allowed", raw(value_, units_, core)));
        }
        auto r = check_scripts(w);
        if (!r) return r;
        r = check_tokens(w, cores);
        if (!r) return r;

        if (trailer != w.end && units_[trailer].cp == '.' && !last) {
            const span tail = cores.back();
            const std::string tail_word = skeleton(units_, tail);
            // An initial is one letter (with its marks): "J.", "É.".
            std::size_t letters = 0;
            for (std::size_t k = tail.begin; k < tail.end; ++k)
                letters += units_[k].kind == unit_kind::letter ? 1 : 0;
            const bool initial = letters == 1 && units_[tail.begin].kind == unit_kind::letter &&
                                 tail_word.size() == 1;
            if (!initial && !is_abbreviation(tail_word))
                return error(text_errc::sentence_break, trailer,
                             "'.' ends a sentence here but more words follow; only initials "
                             "and abbreviations like 'Inc.' may be followed by more words");
        }
        return {};
    }

    core::result<void> check_scripts(span w) const
    {
        script seen = script::none;
        for (std::size_t i = w.begin; i < w.end; ++i) {
            if (units_[i].kind != unit_kind::letter) continue;
            const script s = script_of(units_[i].cp);
            if (s == script::other) continue;
            if (seen == script::none) seen = s;
            if (s != seen)
                return error(text_errc::mixed_script, i,
                             fmt::format("letter {} mixes Latin, Greek or Cyrillic letters in "
                                         "one word",
                                         describe(units_[i].cp)));
        }
        return {};
    }

    // A word's meaning in two readings: `folded` (Latin skeleton: diacritics dropped, Greek and
    // Cyrillic look-alikes mapped) and `native` (the letters as written, case-folded by the word
    // lists; this is the reading that matches Russian words). `shown` is what messages quote.
    core::result<void> check_word_meaning(std::string_view folded, std::string_view native,
                                          std::string_view shown, std::size_t at) const
    {
        for (const std::string_view reading : {folded, native}) {
            switch (classify_word(reading)) {
            case word_class::payment_verb:
            case word_class::instruction_word:
                return error(text_errc::instruction_word, at,
                             fmt::format("instruction word '{}' is not allowed", shown));
            case word_class::currency_word:
                return error(text_errc::currency_word, at,
                             fmt::format("currency word '{}' is not allowed", shown));
            case word_class::number_word:
                return error(text_errc::amount_like, at,
                             fmt::format("number word '{}' is not allowed", shown));
            case word_class::ordinary:
                break;
            }
            if (is_quantity_word(reading))
                return error(text_errc::amount_like, at,
                             fmt::format("quantity word '{}' reads as an amount", shown));
        }
        return {};
    }

    // Chinese, Japanese and Korean words are not separated by spaces: listed terms are found
    // inside the run of letters starting at unit `run`.
    core::result<void> check_cjk_terms(std::string_view letters, std::size_t run,
                                       bool after_digit) const
    {
        const auto term = find_cjk_term(letters, after_digit);
        if (!term) return {};
        const std::size_t offset = units_[run].offset + term->offset;
        const std::string shown(letters.substr(term->offset, term->length));
        switch (term->meaning) {
        case cjk_meaning::instruction:
            return fail(field_, text_errc::instruction_word, offset,
                        fmt::format("instruction word '{}' is not allowed", shown));
        case cjk_meaning::currency:
            return fail(field_, text_errc::currency_word, offset,
                        fmt::format("currency word '{}' is not allowed", shown));
        case cjk_meaning::amount:
            break;
        }
        return fail(field_, text_errc::amount_like, offset,
                    fmt::format("amount-like term '{}' is not allowed", shown));
    }

    core::result<void> check_tokens(span w, const std::vector<span>& cores)
    {
        std::string joined_folded;
        std::string joined_native;
        for (std::size_t c = 0; c < cores.size(); ++c) {
            const span core = cores[c];
            if (c + 1 < cores.size() && units_[core.end - 1].kind == unit_kind::digit &&
                units_[cores[c + 1].begin].kind == unit_kind::digit) {
                const char32_t joiner = units_[core.end].cp;
                if (joiner == '.' || joiner == ',')
                    return error(text_errc::amount_like, core.begin,
                                 fmt::format("amount-like number '{}'", raw(value_, units_, w)));
            }
            if (field_ != text_field::memo && all_digits(units_, core) && core.end - core.begin > 4)
                return error(
                    text_errc::amount_like, core.begin,
                    fmt::format("number '{}' with more than 4 digits", raw(value_, units_, core)));
            // The core as alternating runs of digits and letters ("100usd", "10k", "1e4").
            std::vector<span> runs;
            for (std::size_t run = core.begin; run < core.end;) {
                std::size_t end = run;
                const bool digits = units_[run].kind == unit_kind::digit;
                while (end < core.end && (units_[end].kind == unit_kind::digit) == digits) ++end;
                runs.push_back({run, end});
                run = end;
            }
            for (std::size_t k = 0; k < runs.size(); ++k) {
                const span letters = runs[k];
                if (units_[letters.begin].kind == unit_kind::digit) continue;
                const std::string shown = raw(value_, units_, letters);
                const std::string folded = skeleton(units_, letters);
                auto r = check_word_meaning(folded, shown, shown, letters.begin);
                if (!r) return r;
                if (is_iso_currency_code(shown))
                    return error(text_errc::currency_word, letters.begin,
                                 fmt::format("currency code '{}' is not allowed", shown));
                const bool after_digits = k > 0;
                const bool before_digits = k + 1 < runs.size();
                r = check_cjk_terms(shown, letters.begin, after_digits);
                if (!r) return r;
                // Magnitude suffixes (10k, 2bn; "3M" is a company), exponents (1e4, 2E6) and
                // multipliers (x10000, 10x) make digits read as an amount.
                const bool magnitude =
                    after_digits && (folded == "k" || folded == "kk" || folded == "mn" ||
                                     folded == "bn" || folded == "mm" || shown == "m");
                const bool exponent = after_digits && before_digits && folded == "e";
                const bool multiplier =
                    (after_digits || before_digits) && (shown == "x" || shown == "X");
                if (magnitude || exponent || multiplier)
                    return error(text_errc::amount_like, core.begin,
                                 fmt::format("amount-like token '{}'", raw(value_, units_, core)));
                joined_folded += folded;
                joined_native += shown;
            }
        }
        if (cores.size() > 1) {
            auto r =
                check_word_meaning(joined_folded, joined_native, raw(value_, units_, w), w.begin);
            if (!r) return r;
        }
        return {};
    }

    core::result<void> check_memo_tag(span w, std::string_view word, bool last) const
    {
        if (!last)
            return fail(field_, text_errc::tag_shaped, units_[w.begin].offset,
                        "tag-shaped text: paymand's own tag (pm:<rule>:<date>) only ends a memo, "
                        "and paymand appends it itself");
        if (word.ends_with('m')) word.remove_suffix(1);
        const std::string_view id = word.substr(3, word.size() - 3 - 14);
        std::size_t start = 0;
        for (std::size_t i = 0; i <= id.size(); ++i) {
            if (i < id.size() && id[i] != '.' && id[i] != '_' && id[i] != '-') continue;
            const std::string_view part = id.substr(start, i - start);
            const auto cls = classify_word(part);
            if (cls == word_class::instruction_word || cls == word_class::currency_word ||
                cls == word_class::number_word)
                return fail(field_, text_errc::instruction_word, units_[w.begin].offset + 3 + start,
                            fmt::format("word '{}' in a memo tag is not allowed", part));
            start = i + 1;
        }
        return {};
    }

    text_field field_;
    std::string_view value_;
    const std::vector<unit>& units_;
};

}  // namespace

std::string_view field_label(text_field field) noexcept
{
    switch (field) {
    case text_field::payee_name:
        return "payee name";
    case text_field::wallet_name:
        return "wallet name";
    case text_field::memo:
        return "memo";
    }
    return "text";
}

std::size_t max_length(text_field field) noexcept
{
    return field == text_field::memo ? 140 : 64;
}

core::result<void> check_text(text_field field, std::string_view value)
{
    if (value.empty()) return fail(field, text_errc::empty, 0, "empty");
    if (!is_valid_utf8(value)) {
        std::size_t i = 0;
        while (auto d = decode_utf8(value, i)) i += d->length;
        return fail(field, text_errc::invalid_utf8, i, "invalid UTF-8");
    }
    std::size_t length = 0;
    for (std::size_t i = 0; i < value.size(); i += decode_utf8(value, i)->length) ++length;
    if (field == text_field::memo) {
        // paymand's own reconciliation tag (and the space before it) does not count.
        for (std::size_t start = 0; start <= value.size();) {
            std::size_t end = value.find(' ', start);
            if (end == std::string_view::npos) end = value.size();
            const std::string_view word = value.substr(start, end - start);
            if (is_memo_tag(word)) length -= std::min(length, word.size() + (start > 0 ? 1 : 0));
            start = end + 1;
        }
    }
    if (length > max_length(field))
        return core::error{make_error_code(text_errc::too_long), 0,
                           fmt::format("{}: {} characters, at most {} allowed", field_label(field),
                                       length, max_length(field))};
    std::vector<unit> units;
    auto r = classify(field, value, units);
    if (!r) return r;
    return checker(field, value, units).run();
}

}  // namespace paymand::text
