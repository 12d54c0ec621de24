#include "paymand/reply/transactions.hpp"

#include "paymand/money/parse.hpp"
#include "paymand/reply/reply_text.hpp"
#include "reply/markdown.hpp"

#include <array>

namespace paymand::reply {
namespace {

using namespace detail;
using namespace std::chrono;

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int digits_value(std::string_view s)
{
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

constexpr std::array<std::string_view, 12> months{"jan", "feb", "mar", "apr", "may", "jun",
                                                  "jul", "aug", "sep", "oct", "nov", "dec"};

std::optional<unsigned> month_word(std::string_view word)
{
    if (word.size() < 3) return std::nullopt;
    const std::string low = lower(word.substr(0, 3));
    for (unsigned m = 0; m < months.size(); ++m)
        if (months[m] == low) return m + 1;
    return std::nullopt;
}

// The first date in `text`: 2026-12-01 (also inside 2026-12-01T09:00:00Z), "December 1, 2026",
// "Dec 1 2026" or "1 Dec 2026".
std::optional<year_month_day> find_date(std::string_view text)
{
    for (std::size_t i = 0; i + 10 <= text.size(); ++i) {
        if ((i > 0 && is_digit(text[i - 1])) || text[i + 4] != '-' || text[i + 7] != '-') continue;
        const auto part = text.substr(i, 10);
        bool ok = true;
        for (std::size_t k = 0; k < 10; ++k)
            if (k != 4 && k != 7 && !is_digit(part[k])) ok = false;
        if (!ok || (i + 10 < text.size() && is_digit(text[i + 10]))) continue;
        const year_month_day d{year{digits_value(part.substr(0, 4))},
                               month{static_cast<unsigned>(digits_value(part.substr(5, 2)))},
                               day{static_cast<unsigned>(digits_value(part.substr(8, 2)))}};
        if (d.ok()) return d;
    }
    // Words: month name with day and year around it.
    std::vector<std::string_view> words;
    for (std::size_t i = 0; i < text.size();) {
        while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
        std::size_t e = i;
        while (e < text.size() && text[e] != ' ' && text[e] != ',') ++e;
        if (e > i) words.push_back(text.substr(i, e - i));
        i = e;
    }
    const auto number = [](std::string_view w, std::size_t max_digits) -> std::optional<int> {
        if (w.empty() || w.size() > max_digits) return std::nullopt;
        for (char c : w)
            if (!is_digit(c)) return std::nullopt;
        return digits_value(w);
    };
    for (std::size_t w = 0; w < words.size(); ++w) {
        const auto m = month_word(words[w]);
        if (!m || words[w].size() > 9) continue;
        std::optional<int> d;
        std::optional<int> y;
        if (w + 2 < words.size()) d = number(words[w + 1], 2), y = number(words[w + 2], 4);
        if ((!d || !y) && w >= 1 && w + 1 < words.size())
            d = number(words[w - 1], 2), y = number(words[w + 1], 4);
        if (!d || !y) continue;
        const year_month_day date{year{*y}, month{*m}, day{static_cast<unsigned>(*d)}};
        if (date.ok()) return date;
    }
    return std::nullopt;
}

// Memo text after "memo" ("memo: Rent", "memo \"Rent\"", "(memo: Rent)").
std::optional<std::string> find_memo(std::string_view text)
{
    const std::string low = lower(text);
    std::size_t pos = std::string::npos;
    for (std::string_view key : {"memo", "description", "note", "reference"}) {
        pos = low.find(key);
        if (pos != std::string::npos) {
            pos += key.size();
            break;
        }
    }
    if (pos == std::string::npos) return std::nullopt;
    while (pos < text.size() && (text[pos] == ':' || text[pos] == ' ')) ++pos;
    std::string_view rest = text.substr(pos);
    if (!rest.empty() && (rest.front() == '"' || rest.front() == '\'')) {
        const char q = rest.front();
        const std::size_t close = rest.find(q, 1);
        return bounded(rest.substr(1, close == std::string_view::npos ? rest.npos : close - 1));
    }
    if (rest.size() >= 3 && rest.substr(0, 3) == "\xE2\x80\x9C") {  // “
        const std::size_t close = rest.find("\xE2\x80\x9D");
        return bounded(rest.substr(3, close == std::string_view::npos ? rest.npos : close - 3));
    }
    const std::size_t paren = rest.find(')');
    if (paren != std::string_view::npos) rest = rest.substr(0, paren);
    while (!rest.empty() && (rest.back() == ' ' || rest.back() == '.')) rest.remove_suffix(1);
    if (rest.empty()) return std::nullopt;
    return bounded(rest);
}

void set_amount(transaction_entry& e, const money_token& tok)
{
    e.figure = tok.figure;
    if (!e.figure.empty() && e.figure.front() == '-') {
        e.figure.erase(0, 1);
        if (e.dir == direction::unknown) e.dir = direction::sent;
    }
    if (tok.code) e.currency = tok.code;
}

void fill_from_text(transaction_entry& e, std::string_view text)
{
    if (auto lv = label_value(text)) {
        const auto& [label, value] = *lv;
        if (label == "date" || label == "time" || label == "date and time") {
            if (!e.date) e.date = find_date(value);
            return;
        }
        if (label == "amount") {
            for (const auto& tok : find_numbers(value)) {
                if (e.figure.empty()) set_amount(e, tok);
                break;
            }
            return;
        }
        if (label == "currency") {
            const std::string v = clean(value);
            if (v.size() >= 3 && v.size() <= 4) {
                std::string up;
                for (char c : v) up += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
                e.currency = up;
            }
            return;
        }
        if (label == "to" || label == "recipient" || label == "payee" || label == "paid to") {
            e.counterparty = name_after(value, 0);
            e.dir = direction::sent;
            return;
        }
        if (label == "from" || label == "sender") {
            e.counterparty = name_after(value, 0);
            e.dir = direction::received;
            return;
        }
        if (label == "memo" || label == "description" || label == "note" || label == "reference") {
            std::string_view v = value;
            if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
            if (!v.empty()) e.memo = bounded(v);
            return;
        }
        if (label == "type" || label == "direction") {
            const std::string v = lower(value);
            if (contains(v, "sent") || contains(v, "debit") || contains(v, "payment") ||
                contains(v, "outgoing"))
                e.dir = direction::sent;
            else if (contains(v, "receiv") || contains(v, "credit") || contains(v, "incoming") ||
                     contains(v, "deposit"))
                e.dir = direction::received;
            return;
        }
    }
    if (!e.date) e.date = find_date(text);
    const std::string low = lower(text);
    if (e.figure.empty()) {
        for (const auto& tok : find_numbers(text)) {
            if (!tok.code && !tok.dollar_sign) continue;
            set_amount(e, tok);
            const std::string_view rest = std::string_view(text).substr(tok.end);
            std::size_t name_at = std::string_view::npos;
            if (rest.rfind(" to ", 0) == 0) {
                name_at = tok.end + 4;
                e.dir = direction::sent;
            } else if (rest.rfind(" from ", 0) == 0) {
                name_at = tok.end + 6;
                e.dir = direction::received;
            }
            if (name_at != std::string_view::npos) {
                e.counterparty = name_after(text, name_at);
                // "100 TSD to John Doe - Rent December": what follows a dash is the memo.
                const std::size_t after = name_at + e.counterparty->size();
                for (std::string_view dash : {" - ", " \xE2\x80\x93 ", " \xE2\x80\x94 "}) {
                    if (after <= text.size() && text.substr(after).rfind(dash, 0) == 0 &&
                        !find_memo(text)) {
                        std::string_view memo = text.substr(after + dash.size());
                        while (!memo.empty() && memo.back() == ' ') memo.remove_suffix(1);
                        if (!memo.empty()) e.memo = bounded(memo);
                    }
                }
            }
            break;
        }
    }
    if (e.dir == direction::unknown) {
        if (contains(low, "sent") || contains(low, "paid") || contains(low, "payment to"))
            e.dir = direction::sent;
        else if (contains(low, "received") || contains(low, "deposit"))
            e.dir = direction::received;
    }
    if (!e.counterparty) {
        if (auto to = low.find(" to "); to != std::string::npos)
            e.counterparty = name_after(text, to + 4);
        else if (auto from = low.find(" from "); from != std::string::npos)
            e.counterparty = name_after(text, from + 6);
        if (e.counterparty && e.counterparty->empty()) e.counterparty.reset();
    }
    if (!e.memo) e.memo = find_memo(text);
}

void finish(transaction_entry& e, std::string_view raw_text, std::vector<transaction_entry>& out)
{
    if (e.figure.empty()) return;
    if (!e.tag) e.tag = prompt::find_memo_tag(raw_text);
    if (e.currency)
        if (auto unit = money::currency::find(*e.currency))
            if (auto a = money::parse_amount(e.figure, *unit, {.allow_grouping = true}))
                e.amount = *a;
    out.push_back(std::move(e));
}

std::size_t read_table(const std::vector<md_line>& lines, std::size_t i,
                       std::vector<transaction_entry>& out)
{
    const md_line& header = lines[i];
    if (i + 1 >= lines.size() || !is_separator_row(lines[i + 1])) return i;
    std::optional<std::size_t> date_col, amount_col, currency_col, party_col, memo_col, type_col;
    for (std::size_t c = 0; c < header.cells.size(); ++c) {
        const std::string h = lower(header.cells[c]);
        if (contains(h, "date") || contains(h, "time"))
            date_col = c;
        else if (contains(h, "amount"))
            amount_col = c;
        else if (contains(h, "currency"))
            currency_col = c;
        else if (contains(h, "payee") || contains(h, "recipient") || h == "to" ||
                 contains(h, "counterparty") || contains(h, "name") || h == "from")
            party_col = c;
        else if (contains(h, "memo") || contains(h, "description") || contains(h, "note") ||
                 contains(h, "reference"))
            memo_col = c;
        else if (contains(h, "type") || contains(h, "direction"))
            type_col = c;
    }
    std::size_t r = i + 2;
    for (; r < lines.size() && lines[r].table_row; ++r) {
        const md_line& row = lines[r];
        const auto cell = [&](std::optional<std::size_t> c) -> std::string_view {
            return c && *c < row.cells.size() ? std::string_view(row.cells[*c]) : "";
        };
        transaction_entry e;
        e.line = row.number;
        if (type_col) fill_from_text(e, "type: " + std::string(cell(type_col)));
        if (date_col) e.date = find_date(cell(date_col));
        if (amount_col)
            for (const auto& tok : find_numbers(cell(amount_col))) {
                set_amount(e, tok);
                break;
            }
        if (currency_col) fill_from_text(e, "currency: " + std::string(cell(currency_col)));
        if (party_col && !cell(party_col).empty()) e.counterparty = bounded(cell(party_col));
        if (memo_col && !cell(memo_col).empty()) e.memo = bounded(cell(memo_col));
        finish(e, row.text, out);
    }
    return r - 1;
}

}  // namespace

std::vector<transaction_entry> read_transactions(std::string_view reply)
{
    std::vector<transaction_entry> out;
    if (reply.size() > max_reply_bytes) return out;
    const auto lines = split_lines(reply);
    std::optional<transaction_entry> current;
    std::string current_text;
    std::size_t current_indent = 0;
    const auto flush = [&] {
        if (current) finish(*current, current_text, out);
        current.reset();
        current_text.clear();
    };
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const md_line& line = lines[i];
        if (line.table_row) {
            flush();
            i = read_table(lines, i, out);
            continue;
        }
        if (line.blank || line.heading) continue;
        const bool starts_item = (line.numbered || line.bullet) &&
                                 (!current || line.indent <= current_indent) &&
                                 !(current && label_value(line.text) && line.bullet);
        if (starts_item || (!current && (find_date(line.text) || line.numbered))) {
            flush();
            current.emplace();
            current->line = line.number;
            current_indent = line.indent;
        } else if (!current) {
            continue;
        }
        current_text += line.text;
        current_text += '\n';
        fill_from_text(*current, line.text);
    }
    flush();
    return out;
}

}  // namespace paymand::reply
