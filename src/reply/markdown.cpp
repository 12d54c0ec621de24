#include "reply/markdown.hpp"

#include "paymand/text/word_class.hpp"

#include <algorithm>
#include <array>
#include <set>

namespace paymand::reply::detail {
namespace {

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}
bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}
bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || is_upper(c);
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// A currency code adjacent to a number: upper-case ISO code, or our table's codes in any case.
std::optional<std::string> code_word(std::string_view word)
{
    if (word.size() < 3 || word.size() > 4) return std::nullopt;
    std::string up;
    for (char c : word) {
        if (!is_alpha(c)) return std::nullopt;
        up += static_cast<char>(is_upper(c) ? c : c - 'a' + 'A');
    }
    const bool upper = up == word;
    if (up == "TSD" || up == "USD" || up == "USDC" || up == "USDT") return up;
    if (upper && text::is_iso_currency_code(up)) return up;
    return std::nullopt;
}

}  // namespace

std::string lower(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        if (is_upper(c)) c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::size_t find_spaced(std::string_view text, std::string_view cue, std::size_t from)
{
    const std::string_view rest = cue.substr(1);
    for (auto at = text.find(rest, from + 1); at != std::string_view::npos;
         at = text.find(rest, at + 1))
        if (text[at - 1] == ' ') return at - 1;
    return std::string_view::npos;
}

bool contains(std::string_view haystack, std::string_view needle)
{
    if (needle.size() > 1 && needle.front() == ' ')
        return find_spaced(haystack, needle, 0) != std::string_view::npos;
    return haystack.find(needle) != std::string_view::npos;
}

std::string clean(std::string_view text)
{
    // The bytes clean() may drop or change; every other byte is copied as it is, a run at a time.
    static constexpr auto special = [] {
        std::array<bool, 256> table{};
        for (unsigned char c : std::string_view("*`~_ \t\r\n")) table[c] = true;
        return table;
    }();
    std::string out;
    out.reserve(text.size());
    bool space = false;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t run = i;
        while (run < text.size() && !special[static_cast<unsigned char>(text[run])]) ++run;
        // '_' is emphasis only at a word edge (snake_case names stay).
        if (run == i && text[i] == '_' && i > 0 && i + 1 < text.size() &&
            (is_alpha(text[i - 1]) || is_digit(text[i - 1])) &&
            (is_alpha(text[i + 1]) || is_digit(text[i + 1])))
            run = i + 1;
        if (run > i) {
            if (space) out += ' ';
            space = false;
            out.append(text.substr(i, run - i));
            i = run;
            continue;
        }
        const char c = text[i++];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') space = !out.empty();
    }
    return out;
}

std::vector<md_line> split_lines(std::string_view reply)
{
    std::vector<md_line> lines;
    std::size_t number = 0;
    while (!reply.empty() || number == 0) {
        const std::size_t nl = reply.find('\n');
        std::string_view raw = reply.substr(0, nl);
        reply = nl == std::string_view::npos ? std::string_view{} : reply.substr(nl + 1);
        md_line line;
        line.number = ++number;
        for (char c : raw) {
            if (c == ' ')
                ++line.indent;
            else if (c == '\t')
                line.indent += 4;
            else
                break;
        }
        std::string_view s = trim(raw);
        while (!s.empty() && s.front() == '>') s = trim(s.substr(1));  // block quotes
        if (s.empty()) {
            line.blank = true;
            lines.push_back(std::move(line));
            if (reply.empty()) break;
            continue;
        }
        if (s.front() == '|') {
            line.table_row = true;
            std::string_view body = s.substr(1);
            if (!body.empty() && body.back() == '|') body.remove_suffix(1);
            std::size_t start = 0;
            for (std::size_t i = 0; i <= body.size(); ++i)
                if (i == body.size() || body[i] == '|') {
                    line.cells.push_back(clean(body.substr(start, i - start)));
                    start = i + 1;
                }
            line.text = clean(s);
            lines.push_back(std::move(line));
            if (reply.empty()) break;
            continue;
        }
        if (s.front() == '#') {
            line.heading = true;
            while (!s.empty() && s.front() == '#') s.remove_prefix(1);
        } else if ((s.front() == '-' || s.front() == '*' || s.front() == '+' ||
                    s.substr(0, 3) == "\xE2\x80\xA2") &&
                   s.size() > 1) {
            const std::size_t marker = s.front() == '\xE2' ? 3 : 1;
            if (s.size() > marker && (s[marker] == ' ' || s[marker] == '\t')) {
                line.bullet = true;
                s.remove_prefix(marker);
            }
        } else if (is_digit(s.front())) {
            std::size_t i = 0;
            while (i < s.size() && is_digit(s[i])) ++i;
            if (i <= 3 && i + 1 < s.size() && (s[i] == '.' || s[i] == ')') &&
                (s[i + 1] == ' ' || s[i + 1] == '\t')) {
                line.numbered = true;
                s.remove_prefix(i + 1);
            }
        }
        while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
        line.bold_lead = s.substr(0, 2) == "**" || s.substr(0, 2) == "__";
        line.text = clean(s);
        lines.push_back(std::move(line));
        if (reply.empty()) break;
    }
    return lines;
}

std::vector<money_token> find_numbers(std::string_view text)
{
    std::vector<money_token> out;
    for (std::size_t i = 0; i < text.size();) {
        if (!is_digit(text[i])) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        while (i < text.size() &&
               (is_digit(text[i]) || ((text[i] == ',' || text[i] == '.') && i + 1 < text.size() &&
                                      is_digit(text[i + 1]))))
            ++i;
        std::size_t end = i;
        // Part of a word, identifier, date, time or version: not money.
        const char before = start > 0 ? text[start - 1] : ' ';
        const char after = end < text.size() ? text[end] : ' ';
        if (is_alpha(before) || before == '_' || before == '/' || before == ':' ||
            (before == '-' && start >= 2 && is_digit(text[start - 2])) || is_alpha(after) ||
            after == '_' || after == '/' || after == ':' ||
            (after == '-' && end + 1 < text.size() && is_digit(text[end + 1])) || (after == '%')) {
            // A code glued after the number ("100TSD") is still money.
            if (!(is_alpha(after) && code_word(text.substr(end, 3)) &&
                  (end + 3 >= text.size() || !is_alpha(text[end + 3])))) {
                continue;
            }
        }
        money_token tok;
        tok.begin = start;
        tok.figure = std::string(text.substr(start, end - start));
        // Prefix: sign and currency symbol in either order ("-$5", "$-5", "−5", "TSD 5").
        std::size_t p = start;
        bool negative = false;
        const auto take_sign = [&] {
            if (p > 0 && text[p - 1] == '-') {
                negative = true;
                --p;
            } else if (p >= 3 && text.substr(p - 3, 3) == "\xE2\x88\x92") {  // U+2212 minus
                negative = true;
                p -= 3;
            }
        };
        take_sign();
        if (p > 0 && text[p - 1] == '$') {
            tok.dollar_sign = true;
            --p;
        } else if (p >= 3 && text.substr(p - 3, 3) == "\xE2\x82\xAC") {
            tok.code = "EUR";
            p -= 3;
        } else if (p >= 2 && text.substr(p - 2, 2) == "\xC2\xA3") {
            tok.code = "GBP";
            p -= 2;
        }
        if (!negative) take_sign();
        if (p >= 4 && text[p - 1] == ' ') {
            std::size_t w = p - 1;
            while (w > 0 && is_alpha(text[w - 1])) --w;
            if (w == 0 || !is_alpha(text[w - 1])) {
                if (auto code = code_word(text.substr(w, p - 1 - w)); code && !tok.code) {
                    tok.code = code;
                    p = w;
                }
            }
        }
        // Suffix: " TSD", "TSD", " (TSD)".
        std::size_t q = end;
        if (q < text.size() && text[q] == ' ') ++q;
        const bool paren = q < text.size() && text[q] == '(';
        if (paren) ++q;
        std::size_t w = q;
        while (w < text.size() && is_alpha(text[w])) ++w;
        if (w > q && (!paren || (w < text.size() && text[w] == ')'))) {
            if (auto code = code_word(text.substr(q, w - q))) {
                if (paren) ++w;
                if (!tok.code)
                    tok.code = code;
                else if (*tok.code != *code)
                    tok.code.emplace(1, '?');  // "€5 USD": contradictory
                end = w;
            }
        }
        if (negative) tok.figure = std::string("-").append(tok.figure);
        tok.begin = p;
        tok.end = end;
        out.push_back(std::move(tok));
        i = end;
    }
    return out;
}

std::optional<std::pair<std::string, std::string>> label_value(std::string_view text)
{
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 40) return std::nullopt;
    std::string_view label = trim(text.substr(0, colon));
    for (char c : label)
        if (!is_alpha(c) && c != ' ' && c != '-' && c != '(' && c != ')') return std::nullopt;
    return std::make_pair(lower(label), std::string(trim(text.substr(colon + 1))));
}

bool is_separator_row(const md_line& line)
{
    if (!line.table_row) return false;
    for (const auto& cell : line.cells)
        for (char c : cell)
            if (c != '-' && c != ':' && c != ' ') return false;
    return true;
}

std::string name_key(std::string_view name)
{
    std::string key = lower(clean(name));
    while (!key.empty() && (key.back() == '.' || key.back() == ',')) key.pop_back();
    if (key.rfind("the ", 0) == 0) key.erase(0, 4);
    if (key.size() > 7 && key.compare(key.size() - 7, 7, " wallet") == 0) key.erase(key.size() - 7);
    return key;
}

std::string bounded(std::string_view text)
{
    if (text.size() <= 128) return std::string(text);
    std::size_t cut = 128;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return std::string(text.substr(0, cut));
}

// Words after "to " that end a payee name.
static bool stop_word(std::string_view w)
{
    static const std::set<std::string_view> stops{
        "from",  "with", "for", "on",           "using",   "via",  "and",  "has",
        "have",  "was",  "is",  "successfully", "at",      "as",   "but",  "because",
        "which", "it",   "the", "memo",         "in",      "were", "will", "this",
        "today", "now",  "so",  "since",        "exceeds", "would"};
    return stops.count(lower(w)) > 0;
}

std::string name_after(std::string_view text, std::size_t pos)
{
    std::string name;
    std::size_t i = pos;
    while (i < text.size()) {
        std::size_t e = i;
        while (e < text.size() && text[e] != ' ' && text[e] != ',' && text[e] != ';' &&
               text[e] != '!' && text[e] != '?' && text[e] != '(' && text[e] != ')' &&
               text[e] != '"')
            ++e;
        std::string_view word = text.substr(i, e - i);
        const bool dash = word == "-" || word == "\xE2\x80\x93" || word == "\xE2\x80\x94";
        if (word.empty() || dash || stop_word(word)) break;
        const bool sentence_end =
            word.size() > 1 && word.back() == '.' && (e >= text.size() || text[e] == ' ');
        if (!name.empty()) name += ' ';
        name += word;
        if (sentence_end || e >= text.size() || text[e] != ' ') break;
        i = e + 1;
    }
    while (!name.empty() && (name.back() == '.' || name.back() == ':')) name.pop_back();
    return bounded(name);
}

}  // namespace paymand::reply::detail
