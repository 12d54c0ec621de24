#include "paymand/reply/balance.hpp"

#include "paymand/money/parse.hpp"
#include "paymand/reply/reply_text.hpp"
#include "reply/json_tree.hpp"
#include "reply/markdown.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace paymand::reply {
namespace {

using namespace detail;

std::optional<balance_kind> kind_of_label(std::string_view label_lower)
{
    if (contains(label_lower, "pending")) return balance_kind::pending;
    if (contains(label_lower, "spendable")) return balance_kind::spendable;
    if (contains(label_lower, "available")) return balance_kind::available;
    if (contains(label_lower, "total")) return balance_kind::total;
    if (contains(label_lower, "balance")) return balance_kind::plain;
    return std::nullopt;
}

std::optional<std::string> currency_code_in(std::string_view value)
{
    std::string v = clean(value);
    while (!v.empty() && (v.back() == '.' || v.back() == ',')) v.pop_back();
    if (v.size() < 3 || v.size() > 4) return std::nullopt;
    std::string up;
    for (char c : v) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return std::nullopt;
        up += static_cast<char>(c >= 'a' ? c - 'a' + 'A' : c);
    }
    return up;
}

// Words that, placed before "wallet", do not name one. "Main" and "Primary" are not among
// them: they are common wallet names, and a rule asking for the Main wallet must be able to
// read "the Main wallet has ...".
bool generic_wallet_word(std::string_view key)
{
    static const std::set<std::string_view> generic{"",      "your",    "my", "the", "this",
                                                    "that",  "default", "a",  "an",  "each",
                                                    "every", "other",   "one"};
    return generic.count(key) > 0;
}

// The wallet a sentence attributes its figures to: "the Operations wallet", "your
// Operations wallet", "wallet named Operations". Empty when it names none or several.
std::optional<std::string> wallet_in_sentence(std::string_view text)
{
    const std::string low = lower(text);
    std::set<std::string> names;
    std::string first;
    static const std::set<std::string_view> stops{"the", "your", "my",   "of",  "in",  "for",
                                                  "a",   "an",   "is",   "has", "on",  "from",
                                                  "and", "to",   "with", "at",  "per", "each"};
    for (std::size_t pos = low.find("wallet"); pos != std::string::npos;
         pos = low.find("wallet", pos + 6)) {
        const bool word_end = pos + 6 >= low.size() ||
                              !std::isalpha(static_cast<unsigned char>(low[pos + 6])) ||
                              low.compare(pos + 6, 1, "s") == 0;
        if (!word_end || (pos > 0 && std::isalpha(static_cast<unsigned char>(low[pos - 1]))))
            continue;
        // Words before "wallet" back to a stop word or punctuation.
        std::size_t start = pos;
        std::size_t cursor = pos;
        while (cursor > 0) {
            std::size_t end = cursor;
            while (end > 0 && low[end - 1] == ' ') --end;
            std::size_t begin = end;
            while (begin > 0 && low[begin - 1] != ' ' && low[begin - 1] != ',' &&
                   low[begin - 1] != ':' && low[begin - 1] != '(' && low[begin - 1] != '.')
                --begin;
            if (begin == end) break;
            const std::string word = low.substr(begin, end - begin);
            if (stops.count(word) > 0 || word.back() == '\'' || word == "s") break;
            start = begin;
            cursor = begin;
        }
        std::string name(text.substr(start, pos - start));
        std::string key = name_key(name);
        // "TSD wallet": a currency code (known, or written in capitals), not a wallet's name;
        // "Main wallet" or "Ops wallet" name wallets.
        if (auto code = currency_code_in(key); code && key.size() <= 4) {
            const std::string written = clean(name);
            const bool capitals = std::none_of(written.begin(), written.end(),
                                               [](char c) { return c >= 'a' && c <= 'z'; });
            if (capitals || money::currency::find(*code)) continue;
        }
        if (generic_wallet_word(key)) {
            // "wallet named X" / "wallet called X"
            for (std::string_view lead : {" named ", " called "}) {
                if (low.compare(pos + 6, lead.size(), lead) == 0) {
                    std::size_t b = pos + 6 + lead.size();
                    std::size_t e = b;
                    while (e < low.size() && low[e] != ',' && low[e] != ' ' && low[e] != ':') ++e;
                    key = name_key(text.substr(b, e - b));
                    name = std::string(text.substr(b, e - b));
                }
            }
        }
        if (generic_wallet_word(key)) continue;
        if (names.insert(key).second && first.empty()) first = name;
    }
    if (names.size() != 1) return std::nullopt;
    return bounded(clean(first));
}

struct block {
    std::optional<std::string> wallet;
    std::optional<std::string> currency;
    std::size_t first_entry = 0;
    bool numbered = false;
};

class prose_reader {
public:
    std::vector<balance_entry> read(std::string_view reply)
    {
        const auto lines = split_lines(reply);
        bool after_blank = false;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const md_line& line = lines[i];
            if (line.blank) {
                after_blank = true;
                if (!current_.numbered) close_block();
                continue;
            }
            if (line.table_row) {
                close_block();
                i = read_table(lines, i);
                after_blank = false;
                continue;
            }
            const auto lv = label_value(line.text);
            const bool label_kind = lv && (kind_of_label(lv->first) || lv->first == "currency" ||
                                           lv->first == "wallet" || lv->first == "wallet name");
            if ((line.numbered || line.bullet) && wallet_header(line)) {
                after_blank = false;
                continue;
            }
            if (line.numbered && !lv) {
                close_block();
                current_.numbered = true;
                sentence(line.text, line.number);
            } else if (current_.numbered && after_blank && line.indent == 0 && !line.bullet &&
                       !label_kind) {
                close_block();
                sentence(line.text, line.number);
            } else if (lv) {
                labelled(*lv, line);
            } else {
                sentence(line.text, line.number);
            }
            after_blank = false;
        }
        close_block();
        return std::move(entries_);
    }

private:
    // "1. **Operations Wallet** (paytag: ops)", "2. Reserve - Spendable Balance: 5 TSD": opens a
    // wallet block named by the text before '(' ':' or " - ", and reads the rest of the line.
    bool wallet_header(const md_line& line)
    {
        const std::string& text = line.text;
        std::size_t cut = text.find_first_of("(:");
        if (auto dash = text.find(" - "); dash != std::string::npos && dash < cut) cut = dash;
        const std::string name = text.substr(0, std::min(cut, text.size()));
        const std::string key = lower(clean(name));
        if (name_key(name).empty() || kind_of_label(key) || key == "currency" || key == "wallet" ||
            key == "wallet name" || key == "name" || name.size() > 64 ||
            std::count(key.begin(), key.end(), ' ') > 4 ||
            key.find_first_of("0123456789$") != std::string::npos)
            return false;
        std::string rest = cut == std::string::npos ? std::string() : text.substr(cut);
        while (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
        // "(TSD)" right after the name states the wallet's currency.
        std::optional<std::string> currency;
        if (rest.size() >= 5 && rest.front() == '(') {
            const std::size_t close = rest.find(')');
            if (close != std::string::npos && close <= 5) {
                currency = currency_code_in(rest.substr(1, close - 1));
                if (currency) rest.erase(0, close + 1);
            }
        }
        // A bullet is a wallet only when it looks like one: bold name or a currency after it.
        if (line.bullet && !line.bold_lead && !currency) return false;
        close_block();
        current_.numbered = true;
        current_.wallet = bounded(clean(name));
        current_.currency = currency;
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == ':' || rest.front() == '-'))
            rest.erase(0, 1);
        if (rest.empty()) return true;
        md_line sub = line;
        sub.numbered = false;
        sub.text = rest;
        if (auto lv = label_value(rest); lv && kind_of_label(lv->first))
            labelled(*lv, sub);
        else
            sentence(rest, line.number);
        return true;
    }

    void close_block()
    {
        for (std::size_t i = current_.first_entry; i < entries_.size(); ++i) {
            if (!entries_[i].wallet && current_.wallet) entries_[i].wallet = current_.wallet;
            if (!entries_[i].currency && current_.currency)
                entries_[i].currency = current_.currency;
        }
        current_ = block{};
        current_.first_entry = entries_.size();
    }

    void add(const money_token& tok, balance_kind kind, std::optional<std::string> wallet,
             std::size_t line)
    {
        balance_entry e;
        e.wallet = std::move(wallet);
        e.currency = tok.code;
        e.figure = tok.figure;
        e.kind = kind;
        e.line = line;
        entries_.push_back(std::move(e));
    }

    void labelled(const std::pair<std::string, std::string>& lv, const md_line& line)
    {
        const auto& [label, value] = lv;
        if (label == "currency" || label == "currency code") {
            if (auto code = currency_code_in(value)) {
                if (current_.currency && *current_.currency != *code)
                    current_.currency.emplace(1, '?');
                else
                    current_.currency = code;
            }
            return;
        }
        if (label == "wallet" || label == "wallet name" || label == "name") {
            if (!current_.wallet && !name_key(value).empty())
                current_.wallet = bounded(clean(value));
            return;
        }
        const auto kind = kind_of_label(label);
        if (!kind) {
            sentence(line.text, line.number);
            return;
        }
        // "Spendable Balance: $1,000.00": every number is a figure of that kind, unless the
        // value is itself a sentence naming another wallet.
        const auto wallet = wallet_in_sentence(line.text);
        for (const auto& tok : find_numbers(value)) add(tok, *kind, wallet, line.number);
    }

    void sentence(std::string_view text, std::size_t line)
    {
        const auto tokens = find_numbers(text);
        if (tokens.empty()) return;
        const auto wallet = wallet_in_sentence(text);
        const std::string low = lower(text);
        for (std::size_t t = 0; t < tokens.size(); ++t) {
            const auto& tok = tokens[t];
            if (!tok.code && !tok.dollar_sign) continue;  // "3 wallets", "5 transactions"
            // The words between this figure and its neighbours, cut at ',' or ';', say which
            // balance it is: "spendable balance of $5", "$5 pending".
            std::size_t before_from = t == 0 ? 0 : tokens[t - 1].end;
            if (auto cut = low.find_last_of(",;", tok.begin);
                cut != std::string::npos && cut >= before_from && cut < tok.begin)
                before_from = cut + 1;
            std::size_t after_to = t + 1 < tokens.size() ? tokens[t + 1].begin : low.size();
            if (auto cut = low.find_first_of(",;", tok.end); cut != std::string::npos)
                after_to = std::min(after_to, cut);
            const std::string_view before =
                std::string_view(low).substr(before_from, tok.begin - before_from);
            const std::string_view after = std::string_view(low).substr(
                tok.end, std::min<std::size_t>(after_to - tok.end, 24));
            balance_kind kind = balance_kind::plain;
            if (auto k = kind_of_label(after); k && *k == balance_kind::pending)
                kind = balance_kind::pending;
            else if (auto kb = kind_of_label(before))
                kind = *kb;
            else if (auto ka = kind_of_label(after))
                kind = *ka;
            add(tok, kind, wallet, line);
        }
    }

    std::size_t read_table(const std::vector<md_line>& lines, std::size_t i)
    {
        const md_line& header = lines[i];
        if (i + 1 >= lines.size() || !is_separator_row(lines[i + 1])) {
            sentence(header.text, header.number);
            return i;
        }
        std::optional<std::size_t> wallet_col;
        std::optional<std::size_t> currency_col;
        std::vector<std::pair<std::size_t, balance_kind>> figure_cols;
        for (std::size_t c = 0; c < header.cells.size(); ++c) {
            const std::string h = lower(header.cells[c]);
            if (contains(h, "currency"))
                currency_col = c;
            else if (auto k = kind_of_label(h))
                figure_cols.emplace_back(c, *k);
            else if (contains(h, "amount"))
                figure_cols.emplace_back(c, balance_kind::plain);
            else if (contains(h, "wallet") || contains(h, "name") || contains(h, "account"))
                wallet_col = c;
        }
        std::size_t r = i + 2;
        for (; r < lines.size() && lines[r].table_row; ++r) {
            const md_line& row = lines[r];
            if (is_separator_row(row)) continue;
            std::optional<std::string> wallet;
            if (wallet_col && *wallet_col < row.cells.size() &&
                !name_key(row.cells[*wallet_col]).empty())
                wallet = bounded(row.cells[*wallet_col]);
            std::optional<std::string> currency;
            if (currency_col && *currency_col < row.cells.size())
                currency = currency_code_in(row.cells[*currency_col]);
            for (const auto& [col, kind] : figure_cols) {
                if (col >= row.cells.size()) continue;
                for (auto tok : find_numbers(row.cells[col])) {
                    if (!tok.code) tok.code = currency;
                    add(tok, kind, wallet, row.number);
                }
            }
        }
        return r - 1;
    }

    std::vector<balance_entry> entries_;
    block current_;
};

std::optional<balance_kind> json_kind(std::string_view key)
{
    std::string k;
    for (char c : lower(key))
        if (c != '_' && c != '-' && c != ' ') k += c;
    if (k == "amount" || k == "value" || k == "currentbalance") return balance_kind::plain;
    return kind_of_label(k);
}

void walk_json(const json_node& node, std::optional<std::string> wallet,
               std::optional<std::string> currency, std::vector<balance_entry>& out)
{
    if (node.type == json_node::kind::array) {
        for (const auto& item : node.values) walk_json(item, wallet, currency, out);
        return;
    }
    if (node.type != json_node::kind::object) return;
    for (std::size_t i = 0; i < node.keys.size(); ++i) {
        const std::string k = lower(node.keys[i]);
        const json_node& v = node.values[i];
        if (v.type != json_node::kind::string) continue;
        if (k == "currency" || k == "currencycode" || k == "currency_code") {
            if (auto code = currency_code_in(v.text)) currency = code;
        } else if (k == "wallet" || k == "walletname" || k == "wallet_name" || k == "name" ||
                   k == "label") {
            wallet = bounded(clean(v.text));
        }
    }
    for (std::size_t i = 0; i < node.keys.size(); ++i) {
        const json_node& v = node.values[i];
        const auto kind = json_kind(node.keys[i]);
        if (v.type == json_node::kind::object || v.type == json_node::kind::array) {
            walk_json(v, wallet, currency, out);
            continue;
        }
        if (!kind) continue;
        balance_entry e;
        e.wallet = wallet;
        e.currency = currency;
        e.kind = *kind;
        if (v.type == json_node::kind::number) {
            e.figure = v.text;
        } else if (v.type == json_node::kind::string) {
            const auto tokens = find_numbers(clean(v.text));
            if (tokens.size() != 1) continue;
            e.figure = tokens.front().figure;
            if (tokens.front().code) e.currency = tokens.front().code;
        } else {
            continue;
        }
        out.push_back(std::move(e));
    }
}

balance_reading unclear(unclear_balance why, std::string explanation)
{
    return {std::nullopt, why, std::move(explanation)};
}

}  // namespace

std::vector<balance_entry> extract_balances(std::string_view reply)
{
    if (auto doc = reply_json(reply)) {
        std::vector<balance_entry> out;
        walk_json(*doc, std::nullopt, std::nullopt, out);
        return out;
    }
    return prose_reader{}.read(reply);
}

balance_reading read_balance(std::string_view reply, const balance_query& query)
{
    if (reply.size() > max_reply_bytes)
        return unclear(
            unclear_balance::reply_too_long,
            fmt::format("reply of {} bytes is longer than {}", reply.size(), max_reply_bytes));
    const auto entries = extract_balances(reply);
    if (entries.empty()) return unclear(unclear_balance::no_figure, "the reply states no balance");

    const std::string code(query.currency.code());
    std::vector<const balance_entry*> candidates;
    if (query.wallet) {
        const std::string want = name_key(*query.wallet);
        bool any_unnamed = false;
        for (const auto& e : entries) {
            if (!e.wallet)
                any_unnamed = true;
            else if (name_key(*e.wallet) == want)
                candidates.push_back(&e);
        }
        // A figure attributed to no wallet may be about the asked one: it cannot give the
        // value, but a different figure makes the reading unclear.
        if (!candidates.empty())
            for (const auto& e : entries)
                if (!e.wallet) candidates.push_back(&e);
        if (candidates.empty())
            return any_unnamed ? unclear(unclear_balance::unnamed_wallet,
                                         "the reply does not say which wallet its figures "
                                         "belong to")
                               : unclear(unclear_balance::wallet_not_found,
                                         "the reply does not mention the asked wallet");
    } else {
        std::set<std::string> wallets;
        std::set<std::string> wallets_in_currency;
        for (const auto& e : entries) {
            if (!e.wallet) continue;
            wallets.insert(name_key(*e.wallet));
            if (e.currency == code) wallets_in_currency.insert(name_key(*e.wallet));
        }
        for (const auto& e : entries) {
            if (wallets.size() <= 1 || (e.wallet && wallets_in_currency.size() == 1 &&
                                        wallets_in_currency.count(name_key(*e.wallet)) > 0))
                candidates.push_back(&e);
        }
        if (wallets_in_currency.size() > 1)
            return unclear(unclear_balance::ambiguous_wallet,
                           fmt::format("the reply lists {} wallets in {}; name the wallet",
                                       wallets_in_currency.size(), code));
        if (candidates.empty())
            return unclear(unclear_balance::other_currency,
                           fmt::format("the reply gives no {} balance", code));
    }

    std::vector<const balance_entry*> in_currency;
    bool other_currency = false;
    bool stated = false;
    for (const auto* e : candidates) {
        if (!e->currency) {
            in_currency.push_back(e);  // kept for conflict checks, not enough on its own
        } else if (*e->currency == code) {
            in_currency.push_back(e);
            stated = true;
        } else {
            other_currency = true;
        }
    }
    if (!stated)
        return other_currency
                   ? unclear(unclear_balance::other_currency,
                             fmt::format("the reply gives the balance in another currency, not {}",
                                         code))
                   : unclear(unclear_balance::currency_not_stated,
                             "the reply does not state the currency of its figures");

    std::vector<const balance_entry*> chosen;
    for (const auto* e : in_currency)
        if (e->kind == balance_kind::spendable || e->kind == balance_kind::available ||
            e->kind == balance_kind::plain)
            chosen.push_back(e);
    if (chosen.empty())
        for (const auto* e : in_currency)
            if (e->kind == balance_kind::total) chosen.push_back(e);
    if (chosen.empty())
        return unclear(unclear_balance::no_figure, "the reply states only a pending balance");

    std::optional<money::amount> value;
    for (const auto* e : chosen) {
        auto parsed = money::parse_amount(e->figure, query.currency,
                                          {.sign = money::sign_rule::any, .allow_grouping = true});
        if (!parsed)
            return unclear(unclear_balance::malformed_figure,
                           fmt::format("a balance figure is unusable: {}", parsed.error().message));
        if (value && !(*value == *parsed))
            return unclear(unclear_balance::conflicting_figures,
                           fmt::format("the reply states two different balances: {} and {}",
                                       money::format_with_code(*value),
                                       money::format_with_code(*parsed)));
        value = *parsed;
    }
    if (value->minor_units() < 0)
        return unclear(
            unclear_balance::negative,
            fmt::format("the reply states a negative balance {}", money::format_with_code(*value)));
    return {value, unclear_balance::none,
            fmt::format("balance {}", money::format_with_code(*value))};
}

}  // namespace paymand::reply
