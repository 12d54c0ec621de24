#include "sandbox/interpreter.hpp"

#include <algorithm>
#include <regex>

namespace paymand::sandbox {

std::string_view prompt_family(intent_kind kind)
{
    switch (kind) {
    case intent_kind::balance:
        return "balance";
    case intent_kind::payment:
        return "payment";
    case intent_kind::list_payees:
    case intent_kind::create_payee:
        return "payees";
    case intent_kind::transactions:
        return "transactions";
    case intent_kind::create_wallet:
        return "wallets";
    case intent_kind::unknown:
        break;
    }
    return "unknown";
}

namespace {

constexpr auto icase = std::regex::ECMAScript | std::regex::icase | std::regex::optimize;

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string upper(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string trim(std::string_view s, std::string_view extra = "")
{
    auto strip = [&](char c) { return is_space(c) || extra.find(c) != std::string_view::npos; };
    while (!s.empty() && strip(s.front())) s.remove_prefix(1);
    while (!s.empty() && strip(s.back())) s.remove_suffix(1);
    return std::string(s);
}

// Collapses runs of white space into one space so that patterns need not care.
std::string normalise(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (is_space(c)) {
            if (!out.empty() && out.back() != ' ') out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return trim(out);
}

bool starts_with_word(std::string_view text, std::string_view word)
{
    return text.size() > word.size() && lower(text.substr(0, word.size())) == word &&
           text[word.size()] == ' ';
}

std::string strip_prefix_words(std::string s, std::initializer_list<std::string_view> words)
{
    bool again = true;
    while (again) {
        again = false;
        for (auto w : words) {
            if (starts_with_word(s, w)) {
                s = trim(std::string_view(s).substr(w.size()));
                again = true;
            }
        }
    }
    return s;
}

std::string unquote(std::string s)
{
    if (s.size() >= 2 &&
        ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\'')))
        return s.substr(1, s.size() - 2);
    return s;
}

// Finds `marker` (lower case) in `text` case-insensitively at a word boundary; npos if absent.
std::size_t find_word(std::string_view text, std::string_view marker, std::size_t from = 0)
{
    std::string l = lower(text);
    for (auto pos = l.find(marker, from); pos != std::string::npos; pos = l.find(marker, pos + 1)) {
        bool left = pos == 0 || l[pos - 1] == ' ';
        std::size_t end = pos + marker.size();
        bool right = end == l.size() || l[end] == ' ' || l[end] == ':' || l[end] == ',';
        if (left && right) return pos;
    }
    return std::string::npos;
}

// Reads a memo after its marker: a double-quoted string with \" and \\ escapes, a
// single-quoted string, or the rest of the sentence. Returns false when a quote is unbalanced
// or text follows the closing quote.
bool read_memo(std::string_view rest, std::string& memo)
{
    std::string r = trim(rest);
    if (!r.empty() && r.front() == ':') r = trim(std::string_view(r).substr(1));
    if (r.empty()) return false;
    char quote = r.front();
    if (quote == '"' || quote == '\'') {
        std::string out;
        std::size_t i = 1;
        for (; i < r.size(); ++i) {
            char c = r[i];
            if (c == '\\' && quote == '"' && i + 1 < r.size()) {
                out.push_back(r[++i]);
            } else if (c == quote) {
                break;
            } else {
                out.push_back(c);
            }
        }
        if (i >= r.size()) return false;
        if (!trim(std::string_view(r).substr(i + 1), ".!").empty()) return false;
        memo = out;
        return true;
    }
    memo = trim(r, ".!");
    return !memo.empty();
}

// paymand's form: "\"John Doe\" from the \"Operations\" wallet with memo \"rent\"". The quoted
// payee is taken whole, so a name holding "from" or "memo" is not split. False when `tail`
// does not start with a quote.
bool split_quoted_payee(std::string_view tail, std::string& payee, std::string& rest)
{
    if (tail.empty() || tail.front() != '"') return false;
    const auto close = tail.find('"', 1);
    if (close == std::string_view::npos) return false;
    payee = std::string(tail.substr(1, close - 1));
    rest = trim(tail.substr(close + 1));
    return true;
}

// "John Doe from the Operations wallet with memo "rent"" -> payee, wallet, memo; the payee and
// the wallet may stand in double quotes.
void split_payment_tail(std::string tail, intent& out)
{
    std::string quoted_payee;
    std::string rest;
    const bool quoted = split_quoted_payee(tail, quoted_payee, rest);
    if (quoted) tail = rest;
    for (std::string_view marker : {"with memo", "with the memo", "with a memo", "memo"}) {
        auto pos = find_word(tail, marker);
        if (pos == std::string::npos) continue;
        std::string memo;
        if (!read_memo(std::string_view(tail).substr(pos + marker.size()), memo)) {
            out.problem = "I couldn't read the memo: please put it in double quotes.";
            return;
        }
        out.memo = memo;
        tail = trim(std::string_view(tail).substr(0, pos), ",");
        break;
    }
    // The last " from " separates the payee from the source wallet (after a quoted payee, what
    // is left is the wallet clause).
    std::string l = lower(tail);
    auto from = quoted ? (starts_with_word(l, "from") ? 0 : std::string::npos) : l.rfind(" from ");
    if (from != std::string::npos) {
        std::string wallet = trim(std::string_view(tail).substr(from + (quoted ? 5 : 6)), ".!");
        tail = trim(std::string_view(tail).substr(0, from));
        wallet = strip_prefix_words(wallet, {"the", "my", "wallet"});
        std::string lw = lower(wallet);
        if (lw.size() > 7 && lw.ends_with(" wallet"))
            wallet = trim(wallet.substr(0, wallet.size() - 7));
        out.wallet = unquote(wallet);
        if (out.wallet.empty()) out.problem = "Which wallet should I send it from?";
    }
    if (quoted) {
        if (!trim(tail, ".!").empty() && out.problem.empty())
            out.problem = "I couldn't tell which wallet to send it from.";
        out.payee = quoted_payee;
        if (out.payee.empty() && out.problem.empty()) out.problem = "Who should I send it to?";
        return;
    }
    std::string payee = trim(tail, ".!");
    payee = strip_prefix_words(payee, {"the", "payee", "my"});
    out.payee = unquote(payee);
    if (out.payee.empty() && out.problem.empty()) out.problem = "Who should I send it to?";
}

void set_amount(std::string_view text, intent& out)
{
    out.amount_text = std::string(text);
    out.amount = parse_amount(text);
    if (!out.amount)
        out.problem = "I couldn't use the amount \"" + out.amount_text +
                      "\": it must be a positive amount with at most two decimals.";
}

bool match_payment(const std::string& text, intent& out)
{
    static const std::regex send(
        R"(^(?:please )?(?:send|pay|transfer) (?:\$ ?)?([0-9][0-9,]*(?:\.[0-9]+)?)(?: ?([a-z]{3}))? to (.+)$)",
        icase);
    static const std::regex pay_first(
        R"(^(?:please )?pay (.+?) (?:\$ ?)?([0-9][0-9,]*(?:\.[0-9]+)?)(?: ?([a-z]{3}))?(?:( from .*| with .*| memo.*))?$)",
        icase);
    std::smatch m;
    if (std::regex_match(text, m, send)) {
        out.kind = intent_kind::payment;
        set_amount(m[1].str(), out);
        if (m[2].matched) out.currency = upper(m[2].str());
        std::string problem = out.problem;
        split_payment_tail(m[3].str(), out);
        if (!problem.empty()) out.problem = problem;
        return true;
    }
    if (std::regex_match(text, m, pay_first)) {
        out.kind = intent_kind::payment;
        set_amount(m[2].str(), out);
        if (m[3].matched) out.currency = upper(m[3].str());
        std::string problem = out.problem;
        split_payment_tail(m[1].str() + (m[4].matched ? m[4].str() : ""), out);
        if (!problem.empty()) out.problem = problem;
        return true;
    }
    return false;
}

bool plausible_email(std::string_view email)
{
    auto at = email.find('@');
    if (at == 0 || at == std::string_view::npos || email.find('@', at + 1) != email.npos)
        return false;
    auto dot = email.find('.', at);
    if (dot == email.npos || dot == at + 1 || dot + 1 >= email.size()) return false;
    for (unsigned char c : email)
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '(' || c == ')' ||
            c == ',')
            return false;
    return true;
}

bool match_create_payee(const std::string& text, intent& out)
{
    static const std::regex create(
        R"(^(?:please )?(?:create|add|register|set up) (?:a |an )?(?:new )?(?:test )?payee(?: (?:named|called|with the name|with name|for))? (.+?)(?:,? (?:with|and) (?:the |an )?(?:email|e-mail)(?: address)?(?: of)? (\S+?))?[.!]?$)",
        icase);
    std::smatch m;
    if (!std::regex_match(text, m, create)) return false;
    out.kind = intent_kind::create_payee;
    out.payee = unquote(trim(m[1].str(), ",."));
    if (find_word(out.payee, "email") != std::string::npos ||
        find_word(out.payee, "e-mail") != std::string::npos) {
        out.problem = "I couldn't read the payee's email address. What email should I use?";
        return true;
    }
    if (m[2].matched) {
        out.email = trim(m[2].str(), ".,");
        if (!plausible_email(out.email))
            out.problem = "\"" + out.email +
                          "\" doesn't look like an email address. "
                          "What email should I use for the payee?";
    }
    if (out.payee.empty()) out.problem = "What's the payee's name?";
    return true;
}

bool match_create_wallet(const std::string& text, intent& out)
{
    static const std::regex create(
        R"(^(?:please )?(?:create|open|add|make|set up) (?:a |an )?(?:new )?(?:([a-z]{3}) )?wallet(?: (?:named|called) (.+?))?(?: (?:in|with currency|for) ([a-z]{3}))?[.!]?$)",
        icase);
    std::smatch m;
    if (!std::regex_match(text, m, create)) return false;
    out.kind = intent_kind::create_wallet;
    if (m[1].matched) out.currency = upper(m[1].str());
    if (m[3].matched) out.currency = upper(m[3].str());
    if (out.currency.empty()) out.currency = "TSD";
    if (m[2].matched) out.wallet = unquote(trim(m[2].str()));
    if (out.wallet.empty()) out.problem = "What would you like to call the new wallet?";
    return true;
}

bool match_transactions(const std::string& text, intent& out)
{
    std::string l = lower(text);
    if (l.find("transaction") == std::string::npos && l.find("payment history") == l.npos)
        return false;
    static const std::regex last(R"((?:last|latest|recent|past|previous|most recent) ([0-9]{1,6}))",
                                 icase);
    static const std::regex count_first(
        R"(\b([0-9]{1,6}) (?:most recent |latest |recent |last )?transactions?)", icase);
    out.kind = intent_kind::transactions;
    std::smatch m;
    std::string digits;
    if (std::regex_search(text, m, last))
        digits = m[1].str();
    else if (std::regex_search(text, m, count_first))
        digits = m[1].str();
    if (!digits.empty()) {
        int n = std::stoi(digits);
        if (n < 1 || n > 100)
            out.problem = "I can show between 1 and 100 transactions at a time.";
        else
            out.count = n;
    }
    return true;
}

}  // namespace

intent interpret(std::string_view prompt)
{
    intent out;
    if (prompt.size() > max_prompt_chars) return out;
    std::string text = trim(normalise(prompt), "?!.");
    if (text.empty()) return out;
    std::string l = lower(text);

    if (match_payment(text, out)) return out;
    if (match_create_payee(text, out)) return out;
    if (match_create_wallet(text, out)) return out;
    // Operations the agent does not offer are declined, never mistaken for a listing.
    for (auto verb : {"delete", "remove", "cancel", "update", "rename", "refund", "edit"})
        if (find_word(l, verb) != std::string::npos) return out;
    if (match_transactions(text, out)) return out;

    bool asks = false;
    for (auto verb : {"list", "show", "get", "display", "what", "who", "which", "how much", "give",
                      "tell", "see", "check", "view", "all", "my"})
        if (find_word(l, verb) != std::string::npos) asks = true;

    if ((l.find("payee") != std::string::npos || l.find("recipient") != std::string::npos) &&
        asks) {
        out.kind = intent_kind::list_payees;
        return out;
    }
    bool balance = l.find("balance") != std::string::npos || l.find("how much") != l.npos ||
                   l.find("funds") != l.npos;
    if (balance || (l.find("wallet") != std::string::npos && asks)) {
        out.kind = intent_kind::balance;
        out.mentions_balance = balance;
        return out;
    }
    return out;
}

}  // namespace paymand::sandbox
