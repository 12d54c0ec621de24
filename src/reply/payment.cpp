#include "paymand/reply/payment.hpp"

#include "paymand/money/parse.hpp"
#include "paymand/reply/phrase_set.hpp"
#include "paymand/reply/reply_text.hpp"
#include "reply/json_tree.hpp"
#include "reply/markdown.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>

namespace paymand::reply {
namespace {

using namespace detail;

struct phrase {
    std::string_view text;
    failure_reason reason;
};

constexpr std::array completed_phrases = std::to_array<std::string_view>({
    "successfully sent",
    "successfully transferred",
    "successfully paid",
    "successfully processed",
    "successfully completed",
    "sent successfully",
    "transferred successfully",
    "paid successfully",
    "processed successfully",
    "completed successfully",
    "has been sent",
    "have been sent",
    "was sent",
    "has been transferred",
    "was transferred",
    "has been paid",
    "was paid",
    "has been processed",
    "was processed",
    "has been completed",
    "i've sent",
    "i have sent",
    "i sent",
    "payment completed",
    "payment is complete",
    "payment was successful",
    "payment successful",
    "payment succeeded",
    "transfer completed",
    "transfer was successful",
    "transaction completed",
    "transaction was successful",
    "transaction successful",
    "is on its way",
    "payment of",
    "payment sent",
    "transfer complete",
    "payment complete",
});

constexpr std::array failure_phrases = std::to_array<phrase>({
    {"insufficient", failure_reason::insufficient_funds},
    {"not enough funds", failure_reason::insufficient_funds},
    {"not enough balance", failure_reason::insufficient_funds},
    {"not have enough", failure_reason::insufficient_funds},
    {"don't have enough", failure_reason::insufficient_funds},
    {"exceeds your available balance", failure_reason::insufficient_funds},
    {"exceeds your balance", failure_reason::insufficient_funds},
    {"exceeds the available balance", failure_reason::insufficient_funds},
    {"couldn't find", failure_reason::unknown_payee},
    {"could not find", failure_reason::unknown_payee},
    {"unable to find", failure_reason::unknown_payee},
    {"no payee", failure_reason::unknown_payee},
    {"unknown payee", failure_reason::unknown_payee},
    {"payee not found", failure_reason::unknown_payee},
    {"not a registered payee", failure_reason::unknown_payee},
    {"isn't a registered payee", failure_reason::unknown_payee},
    {"not in your payee", failure_reason::unknown_payee},
    {"does not exist", failure_reason::unknown_payee},
    {"doesn't exist", failure_reason::unknown_payee},
    {"exceeds the limit", failure_reason::limit_exceeded},
    {"exceeds your limit", failure_reason::limit_exceeded},
    {"exceeds the per-transaction limit", failure_reason::limit_exceeded},
    {"limit exceeded", failure_reason::limit_exceeded},
    {"over the limit", failure_reason::limit_exceeded},
    {"above the limit", failure_reason::limit_exceeded},
    {"spending limit", failure_reason::limit_exceeded},
    {"not authorized", failure_reason::not_permitted},
    {"not authorised", failure_reason::not_permitted},
    {"don't have permission", failure_reason::not_permitted},
    {"do not have permission", failure_reason::not_permitted},
    {"not permitted", failure_reason::not_permitted},
    {"not allowed to", failure_reason::not_permitted},
    {"missing scope", failure_reason::not_permitted},
    {"doesn't include permission", failure_reason::not_permitted},
    {"does not include permission", failure_reason::not_permitted},
    {"doesn't have permission", failure_reason::not_permitted},
    {"scope is required", failure_reason::not_permitted},
    {"required scope", failure_reason::not_permitted},
    {"invalid amount", failure_reason::invalid_request},
    {"invalid payee", failure_reason::invalid_request},
    {"invalid request", failure_reason::invalid_request},
    {"failed", failure_reason::other},
    {"unable to", failure_reason::other},
    {"could not", failure_reason::other},
    {"couldn't", failure_reason::other},
    {"can't", failure_reason::other},
    {"cannot", failure_reason::other},
    {"was not sent", failure_reason::other},
    {"wasn't sent", failure_reason::other},
    {"not been sent", failure_reason::other},
    {"not processed", failure_reason::other},
    {"declined", failure_reason::other},
    {"rejected", failure_reason::other},
    {"unsuccessful", failure_reason::other},
    {"an error", failure_reason::other},
});

constexpr std::array input_phrases = std::to_array<std::string_view>({
    "flagged for approval",   "requires approval",    "require approval",     "needs approval",
    "need approval",          "pending approval",     "awaiting approval",    "sent for approval",
    "submitted for approval", "waiting for approval", "approval is required", "approval required",
    "please confirm",         "can you confirm",      "could you confirm",    "confirm that you",
    "confirm the payment",    "want me to proceed",   "like me to proceed",   "shall i proceed",
    "should i proceed",       "want me to send",      "like me to send",      "please provide",
    "which wallet",           "which payee",          "did you mean",         "more information",
    "more details",
});

constexpr std::array negations = std::to_array<std::string_view>({
    " not ",
    "n't ",
    " never ",
    " no ",
    "unable",
    "failed",
    "cannot",
});

// What one pass over a sentence found in each of the lists above.
struct sentence_cues {
    std::optional<failure_reason> failure;  // the first specific reason, else `other`
    bool done = false;
    bool input = false;
    bool negated = false;
};

// The lists above as one phrase_set, in their order: a sentence is scanned once for all.
const phrase_set& cue_set()
{
    static const phrase_set set([] {
        std::vector<std::string_view> all;
        for (const auto& p : failure_phrases) all.push_back(p.text);
        all.insert(all.end(), completed_phrases.begin(), completed_phrases.end());
        all.insert(all.end(), input_phrases.begin(), input_phrases.end());
        all.insert(all.end(), negations.begin(), negations.end());
        return all;
    }());
    return set;
}

sentence_cues cues_of(std::string_view sentence)
{
    const auto found = cue_set().find(sentence);
    sentence_cues out;
    std::size_t at = 0;
    for (const auto& p : failure_phrases)
        if (found.test(at++) && (!out.failure || *out.failure == failure_reason::other))
            out.failure = p.reason;
    const auto any_of_next = [&](std::size_t count) {
        bool any = false;
        for (std::size_t i = 0; i < count; ++i) any = found.test(at++) || any;
        return any;
    };
    out.done = any_of_next(completed_phrases.size());
    out.input = any_of_next(input_phrases.size());
    out.negated = any_of_next(negations.size());
    return out;
}

// Sentences of the cleaned reply, lower-cased with a leading and trailing space.
std::vector<std::string> sentences(const std::vector<md_line>& lines)
{
    std::vector<std::string> out;
    for (const auto& line : lines) {
        if (line.blank) continue;
        const std::string low = lower(line.text);
        std::size_t start = 0;
        for (std::size_t i = 0; i <= low.size(); ++i) {
            const bool end = i == low.size() ||
                             ((low[i] == '.' || low[i] == '!' || low[i] == '?' || low[i] == ';') &&
                              (i + 1 == low.size() || low[i + 1] == ' '));
            if (!end) continue;
            if (i > start) {
                std::string sentence(1, ' ');
                sentence.append(low, start, i - start);
                if (i < low.size() && low[i] == '?') sentence += '?';
                sentence += ' ';
                out.push_back(std::move(sentence));
            }
            start = i + 1;
        }
    }
    return out;
}

struct claim {
    std::optional<std::string> figure;
    std::optional<std::string> currency;
    std::optional<std::string> payee;
};

void collect_claims(const std::vector<md_line>& lines, std::vector<claim>& claims)
{
    for (const auto& line : lines) {
        if (line.blank) continue;
        const std::string& text = line.text;
        if (auto lv = label_value(text)) {
            const auto& [label, value] = *lv;
            if (label == "recipient" || label == "payee" || label == "to" || label == "paid to" ||
                label == "sent to") {
                claims.push_back({std::nullopt, std::nullopt, name_after(value, 0)});
                continue;
            }
            if (label == "amount" || label == "amount sent" || label == "amount paid") {
                const auto tokens = find_numbers(value);
                for (const auto& tok : tokens)
                    claims.push_back({tok.figure, tok.code, std::nullopt});
                continue;
            }
        }
        const std::string low = lower(text);
        for (std::string_view lead : {"payment to ", "transfer to ", "sent to ", "paid to "}) {
            for (auto pos = low.find(lead); pos != std::string::npos;
                 pos = low.find(lead, pos + lead.size())) {
                if (pos > 0 && low[pos - 1] != ' ') continue;
                auto name = name_after(text, pos + lead.size());
                if (name.empty()) continue;
                // "payment to John Doe (5,000.00 TSD)": the amount in brackets is the payment's.
                const std::size_t after = pos + lead.size() + name.size();
                claim c{std::nullopt, std::nullopt, std::move(name)};
                if (after + 2 < text.size() && text.compare(after, 2, " (") == 0) {
                    const auto inner = find_numbers(std::string_view(text).substr(after + 2));
                    if (!inner.empty() && inner.front().begin == 0 &&
                        (inner.front().code || inner.front().dollar_sign)) {
                        c.figure = inner.front().figure;
                        c.currency = inner.front().code;
                    }
                }
                claims.push_back(std::move(c));
            }
        }
        const auto tokens = find_numbers(text);
        for (const auto& tok : tokens) {
            if (!tok.code && !tok.dollar_sign) continue;
            std::string_view rest = std::string_view(text).substr(tok.end);
            claim c{tok.figure, tok.code, std::nullopt};
            // "100 TSD was sent to John Doe": the figure is the payment's.
            bool passive = false;
            for (std::string_view verb :
                 {" was sent", " has been sent", " was paid", " has been paid", " was transferred",
                  " has been transferred"}) {
                if (rest.rfind(verb, 0) == 0) {
                    passive = true;
                    rest.remove_prefix(verb.size());
                }
            }
            if (rest.rfind(" to ", 0) == 0)
                c.payee = name_after(text, static_cast<std::size_t>(rest.data() - text.data()) + 4);
            // Only figures tied to the payment: followed by "to <payee>", or introduced by a
            // payment word ("payment of $100", "sent 100 TSD").
            const std::string before = lower(std::string_view(text).substr(0, tok.begin));
            const bool introduced =
                before.size() >= 2 &&
                (before.ends_with("payment of ") || before.ends_with("sent ") ||
                 before.ends_with("send ") || before.ends_with("transfer of ") ||
                 before.ends_with("transferred ") || before.ends_with("paid ") ||
                 before.ends_with("pay "));
            if (c.payee || introduced || passive) claims.push_back(std::move(c));
        }
    }
}

// --- what a reply states beyond its main claim ------------------------------------------

// A figure that states a balance, judged by the text before it on its line: "balance: $900.00",
// "new balance is 900.00 TSD", "spendable balance (50.00 TSD)".
bool balance_figure(std::string_view before)
{
    std::string b = lower(before);
    const auto trim_end = [&] {
        while (!b.empty() && (b.back() == ' ' || b.back() == ':' || b.back() == '(')) b.pop_back();
    };
    trim_end();
    for (bool again = true; again;) {
        again = false;
        for (std::string_view w : {" is", " now", " of", " was"}) {
            if (b.ends_with(w)) {
                b.resize(b.size() - w.size());
                trim_end();
                again = true;
            }
        }
    }
    return b.ends_with("balance");
}

bool ascii_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// The line with its memo blanked out ("Memo: X" to the end of the sentence, "memo: "X"" to the
// closing quote): a memo is the rule's own text, so the names in it are not payees. Amounts are
// still read in it (a memo cannot hold one).
std::string without_memos(std::string_view text)
{
    std::string out(text);
    const std::string low = lower(text);
    for (std::size_t pos = low.find("memo"); pos != std::string::npos;
         pos = low.find("memo", pos + 1)) {
        if ((pos > 0 && ascii_letter(low[pos - 1])) ||
            (pos + 4 < low.size() && ascii_letter(low[pos + 4])))
            continue;
        std::size_t i = pos + 4;
        while (i < low.size() && (low[i] == ':' || low[i] == ' ')) ++i;
        std::size_t end = i;
        if (i < low.size() && low[i] == '"') {
            end = low.find('"', i + 1);
            end = end == std::string::npos ? low.size() : end + 1;
        } else {
            while (end < low.size() && !((low[end] == '.' || low[end] == ')') &&
                                         (end + 1 == low.size() || low[end + 1] == ' ')))
                ++end;
        }
        std::fill(out.begin() + static_cast<std::ptrdiff_t>(pos),
                  out.begin() + static_cast<std::ptrdiff_t>(end), ' ');
    }
    return out;
}

std::vector<std::string_view> words_of(std::string_view text)
{
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == ' ') {
            ++i;
            continue;
        }
        std::size_t e = text.find(' ', i);
        if (e == std::string_view::npos) e = text.size();
        out.push_back(text.substr(i, e - i));
        i = e;
    }
    return out;
}

// A word with trailing punctuation and a possessive "'s" removed.
struct word_part {
    std::string text;
    bool punctuated = false;  // punctuation followed it: it closes a phrase
    bool possessive = false;  // "Eve's"
};

word_part name_part(std::string_view w)
{
    word_part out{std::string(w)};
    while (!out.text.empty() &&
           std::string_view(".,;:!?)\"").find(out.text.back()) != std::string::npos) {
        out.text.pop_back();
        out.punctuated = true;
    }
    for (std::string_view s : {"'s", "\xE2\x80\x99s"}) {
        if (out.text.size() > s.size() && out.text.ends_with(s)) {
            out.text.resize(out.text.size() - s.size());
            out.possessive = true;
        }
    }
    return out;
}

// A word that can begin a name: an ASCII capital, or a letter outside ASCII that has case or is
// CJK (lead bytes of Latin, Greek, Cyrillic... and of the CJK blocks; not punctuation or emoji).
bool name_word(std::string_view w)
{
    if (w.empty()) return false;
    const auto c = static_cast<unsigned char>(w[0]);
    if (!((c >= 'A' && c <= 'Z') || (c >= 0xC3 && c <= 0xDF) || (c >= 0xE3 && c <= 0xE9)))
        return false;
    // Words an agent capitalises that are not payees: pronouns, sentence openers, its own
    // terms, dates.
    static const std::set<std::string_view> not_names{
        "i",       "i've",    "i'm",       "you",       "your",        "we",      "the",
        "this",    "that",    "it",        "a",         "an",          "and",     "also",
        "he",      "she",     "they",      "here",      "there",       "let",     "what",
        "payment", "done",    "sure",      "yes",       "ok",          "great",   "memo",
        "note",    "status",  "transfer",  "id",        "all",         "amount",  "payee",
        "wallet",  "new",     "my",        "payman",    "transaction", "tsd",     "usd",
        "today",   "monday",  "tuesday",   "wednesday", "thursday",    "friday",  "saturday",
        "sunday",  "january", "february",  "march",     "april",       "may",     "june",
        "july",    "august",  "september", "october",   "november",    "december"};
    return !not_names.contains(lower(name_part(w).text));
}

// The word (between spaces) that starts at or after `i`, or an empty view at the end; `i`
// moves past it.
std::string_view next_word(std::string_view text, std::size_t& i)
{
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t begin = i;
    i = std::min(text.find(' ', begin), text.size());
    return text.substr(begin, i - begin);
}

// The word that ends at or before `end`, or an empty view at the start; `end` moves before it.
std::string_view previous_word(std::string_view text, std::size_t& end)
{
    while (end > 0 && text[end - 1] == ' ') --end;
    const std::size_t stop = end;
    const std::size_t space = end == 0 ? std::string_view::npos : text.rfind(' ', end - 1);
    end = space == std::string_view::npos ? 0 : space + 1;
    const std::string_view word = text.substr(end, stop - end);
    if (end > 0) --end;
    return word;
}

// The capitalised words starting at `pos`: "Eve Smith" in "to Eve Smith, as asked".
std::string name_from(std::string_view text, std::size_t pos)
{
    std::string name;
    for (auto w = next_word(text, pos); !w.empty(); w = next_word(text, pos)) {
        if (!name_word(w)) break;
        const auto part = name_part(w);
        if (!name.empty()) name += ' ';
        name += part.text;
        if (part.punctuated || part.possessive) break;
    }
    return name;
}

// The capitalised words ending at `pos`: "Eve Smith" in "Eve Smith received", "Eve" in
// "Eve's wallet" (with `pos` after the "'s").
std::string name_before(std::string_view text, std::size_t pos)
{
    std::string name;
    for (auto w = previous_word(text, pos); !w.empty(); w = previous_word(text, pos)) {
        if (!name_word(w)) break;
        const auto part = name_part(w);
        // A word closing an earlier phrase ("Done!") is not part of the name; a possessive is
        // only its last word.
        if (!name.empty() && (part.punctuated || part.possessive)) break;
        if (name.empty() && part.punctuated) break;
        name = name.empty() ? part.text : part.text + " " + name;
    }
    return name;
}

// Names the prose gives money to, outside memos.
void collect_names(std::string_view line, std::vector<std::string>& names)
{
    const std::string text = without_memos(line);
    const std::string low = lower(text);
    const auto add = [&](std::string name) {
        if (!name.empty()) names.push_back(bounded(name));
    };
    for (std::string_view cue : {" to ", " for ", " credited ", " paid ", " sent ", " into ",
                                 " paying ", " sending ", " transferred ", " crediting "}) {
        for (auto pos = find_spaced(low, cue, 0); pos != std::string::npos;
             pos = find_spaced(low, cue, pos + 1))
            add(name_from(text, pos + cue.size()));
        if (low.starts_with(cue.substr(1))) add(name_from(text, cue.size() - 1));
    }
    for (std::string_view cue :
         {" received", " got ", " was paid", " was credited", " has been paid",
          " has been credited", " was also paid", " is paid"})
        for (auto pos = find_spaced(low, cue, 0); pos != std::string::npos;
             pos = find_spaced(low, cue, pos + 1))
            add(name_before(text, pos));
    // A possessive belongs to the word it ends: "Eve's wallet" names Eve.
    for (std::string_view cue : {"'s ", "\xE2\x80\x99s "})
        for (auto pos = low.find(cue); pos != std::string::npos; pos = low.find(cue, pos + 1))
            add(name_before(text, pos + cue.size() - 1));
}

// Amounts with a currency anywhere in the line that are not balance figures.
void collect_amounts(std::string_view text, std::vector<payment_reading::stated_amount>& out)
{
    for (const auto& tok : find_numbers(text)) {
        if (!tok.code && !tok.dollar_sign) continue;
        if (balance_figure(text.substr(0, tok.begin))) continue;
        out.push_back({tok.figure, tok.code});
    }
}

// --- JSON blocks ---------------------------------------------------------------------------

bool key_is(std::string_view key, std::initializer_list<std::string_view> names)
{
    std::string k;
    for (char c : lower(key))
        if (c != '_' && c != '-') k += c;
    return std::find(names.begin(), names.end(), k) != names.end();
}

// Every payee and amount a JSON document describes. `in_payee`: inside a payee object, whose
// "name" is the payee.
void walk_payment_json(const json_node& node, bool in_payee, payment_reading& out)
{
    if (node.type == json_node::kind::array) {
        for (const auto& item : node.values) walk_payment_json(item, in_payee, out);
        return;
    }
    if (node.type != json_node::kind::object) return;
    std::optional<std::string> currency;
    for (std::size_t i = 0; i < node.keys.size(); ++i)
        if (key_is(node.keys[i], {"currency", "currencycode"}) &&
            node.values[i].type == json_node::kind::string)
            currency = node.values[i].text;
    for (std::size_t i = 0; i < node.keys.size(); ++i) {
        const auto& key = node.keys[i];
        const auto& v = node.values[i];
        const bool payee_key = key_is(key, {"payee", "recipient", "to", "payeename",
                                            "recipientname", "beneficiary", "destination"}) ||
                               (in_payee && key_is(key, {"name", "displayname"}));
        if (v.type == json_node::kind::object || v.type == json_node::kind::array) {
            walk_payment_json(v, payee_key, out);
            continue;
        }
        if (payee_key && v.type == json_node::kind::string) {
            out.names.push_back(bounded(v.text));
        } else if (key_is(key, {"amount", "value", "total", "sum", "amountsent", "amountpaid"}) &&
                   (v.type == json_node::kind::number || v.type == json_node::kind::string)) {
            // "100.00", "$100.00" or "100.00 TSD": the figure, and the code when written.
            auto tokens = find_numbers(v.text);
            if (tokens.size() == 1)
                out.amounts.push_back(
                    {tokens.front().figure, tokens.front().code ? tokens.front().code : currency});
            else
                out.amounts.push_back({bounded(v.text), currency});
        }
    }
}

// Reads every fenced block (and a reply that is JSON as a whole). False when a block is not
// JSON: a payment reply paymand cannot read in full is unclear.
bool read_blocks(std::string_view reply, payment_reading& out)
{
    const std::size_t first = reply.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && (reply[first] == '{' || reply[first] == '[')) {
        auto doc = parse_json(reply);
        if (!doc) return false;
        walk_payment_json(*doc, false, out);
        return true;
    }
    for (std::size_t fence = reply.find("```"); fence != std::string_view::npos;) {
        const std::size_t line_end = reply.find('\n', fence);
        if (line_end == std::string_view::npos) return false;
        const std::size_t end = reply.find("```", line_end);
        if (end == std::string_view::npos) return false;
        auto doc = parse_json(reply.substr(line_end + 1, end - line_end - 1));
        if (!doc) return false;
        walk_payment_json(*doc, false, out);
        fence = reply.find("```", end + 3);
    }
    return true;
}

std::string_view reason_words(failure_reason r)
{
    switch (r) {
    case failure_reason::insufficient_funds:
        return "insufficient funds";
    case failure_reason::unknown_payee:
        return "unknown payee";
    case failure_reason::limit_exceeded:
        return "limit exceeded";
    case failure_reason::not_permitted:
        return "not permitted";
    case failure_reason::invalid_request:
        return "invalid request";
    case failure_reason::other:
        return "payment not made";
    case failure_reason::none:
        break;
    }
    return "none";
}

std::string normalise_state(std::string_view state)
{
    std::string out;
    for (char c : lower(state)) out += c == '_' ? '-' : c;
    return out;
}

}  // namespace

payment_reading read_payment(std::string_view reply, std::optional<std::string_view> task_state)
{
    payment_reading out;
    if (reply.size() > max_reply_bytes) {
        out.explanation =
            fmt::format("reply of {} bytes is longer than {}", reply.size(), max_reply_bytes);
        return out;
    }
    const auto lines = split_lines(reply);

    bool completed = false;
    bool input = false;
    std::optional<failure_reason> failure;
    for (const auto& s : sentences(lines)) {
        const auto cues = cues_of(s);
        if (cues.failure && (!failure || *failure == failure_reason::other)) failure = cues.failure;
        if (cues.input) input = true;
        const bool opens_with_done = s.rfind(" sent ", 0) == 0 || s.rfind(" paid ", 0) == 0 ||
                                     s.rfind(" transferred ", 0) == 0;
        if ((cues.done || opens_with_done) && !cues.negated && !contains(s, "approval") &&
            !contains(s, "?"))
            completed = true;
    }

    std::vector<claim> claims;
    collect_claims(lines, claims);
    const bool blocks_read = read_blocks(reply, out);
    for (const auto& line : lines) {
        if (line.blank) continue;
        collect_amounts(line.text, out.amounts);
        collect_names(line.text, out.names);
    }
    std::set<std::string> figures;
    std::set<std::string> currencies;
    std::set<std::string> payees;
    for (const auto& c : claims) {
        if (c.figure) {
            std::string f;
            for (char ch : *c.figure)
                if (ch != ',') f += ch;
            // Bounded like every server string that reaches a record (a 60 KiB "figure"
            // would not fit one).
            if (!figures.count(f) && figures.empty()) out.claimed_figure = bounded(*c.figure);
            figures.insert(f);
        }
        if (c.currency) {
            if (currencies.empty()) out.claimed_currency = *c.currency;
            currencies.insert(*c.currency);
        }
        if (c.payee && !c.payee->empty()) {
            if (payees.empty()) out.claimed_payee = *c.payee;
            payees.insert(name_key(*c.payee));
        }
    }
    // Same figure written "100" and "100.00" is one claim: compare parsed where possible.
    std::set<std::int64_t> values;
    for (const auto& f : figures) {
        if (auto a = money::parse_amount(f, money::currency::find("TSD").value(),
                                         {.sign = money::sign_rule::any, .allow_grouping = true}))
            values.insert(a->minor_units());
        else
            values.insert(-1 - static_cast<std::int64_t>(values.size()));
    }
    out.claims_conflict = values.size() > 1 || currencies.size() > 1 || payees.size() > 1;
    if (out.claimed_figure && out.claimed_currency && !out.claims_conflict) {
        if (auto unit = money::currency::find(*out.claimed_currency))
            if (auto a =
                    money::parse_amount(*out.claimed_figure, *unit,
                                        {.sign = money::sign_rule::any, .allow_grouping = true}))
                out.claimed_amount = *a;
    }

    const std::string state = task_state ? normalise_state(*task_state) : std::string();
    const auto fail_with = [&](failure_reason r, std::string why) {
        out.outcome = payment_outcome::failed;
        out.reason = r;
        out.explanation = std::move(why);
        return out;
    };
    if (state == "input-required") {
        if (completed) {
            out.explanation = "the task waits for input but the reply says the payment was made";
            return out;
        }
        out.outcome = payment_outcome::needs_input;
        out.explanation = "the agent needs input (task state input-required)";
        return out;
    }
    if (state == "failed" || state == "canceled" || state == "cancelled") {
        if (completed) {
            out.explanation = "the task failed but the reply says the payment was made";
            return out;
        }
        const failure_reason r = failure.value_or(failure_reason::other);
        return fail_with(r, fmt::format("task state {}: {}", state, reason_words(r)));
    }
    if (!state.empty() && state != "completed") {
        out.explanation = fmt::format("task state '{}' is not final", bounded(state));
        return out;
    }

    if (completed && (failure || input)) {
        out.explanation = "the reply both reports the payment as made and as not made or pending";
        return out;
    }
    if (completed) {
        if (!blocks_read) {
            out.explanation = "the reply reports success with a code block that is not JSON";
            return out;
        }
        // A success that names more than one amount or payee is a contradiction (check_claims
        // says so), not a guess at which one was paid.
        out.outcome = payment_outcome::completed;
        out.explanation = out.claims_conflict
                              ? "the reply reports success but names more than one amount or payee"
                              : "the reply reports the payment as made";
        return out;
    }
    if (input && (!failure || *failure == failure_reason::limit_exceeded)) {
        out.outcome = payment_outcome::needs_input;
        out.explanation = "the agent asks for approval, confirmation or details";
        return out;
    }
    if (failure)
        return fail_with(*failure, fmt::format("the reply reports {}", reason_words(*failure)));
    out.explanation = "the reply states no outcome";
    return out;
}

bool same_payee(std::string_view a, std::string_view b)
{
    return name_key(a) == name_key(b);
}

namespace {

// "John" or "Doe" in a reply about "John Doe" is the same payee; "Eve" is not.
bool part_of_payee(std::string_view name, std::string_view payee)
{
    if (same_payee(name, payee)) return true;
    const std::string payee_key = name_key(payee);
    const auto whole = words_of(payee_key);
    const std::string key = name_key(name);
    for (auto w : words_of(key))
        if (std::find(whole.begin(), whole.end(), w) == whole.end()) return false;
    return !key.empty();
}

}  // namespace

claim_check check_claims(const payment_reading& reading, const money::amount& intended,
                         std::string_view payee)
{
    if (reading.claims_conflict) return claim_check::contradicts;
    bool stated = false;
    if (reading.claimed_currency) {
        stated = true;
        if (*reading.claimed_currency != intended.unit().code()) return claim_check::contradicts;
    }
    if (reading.claimed_figure) {
        stated = true;
        auto a = money::parse_amount(*reading.claimed_figure, intended.unit(),
                                     {.sign = money::sign_rule::any, .allow_grouping = true});
        if (!a || !(*a == intended)) return claim_check::contradicts;
    }
    if (reading.claimed_payee) {
        stated = true;
        if (!same_payee(*reading.claimed_payee, payee)) return claim_check::contradicts;
    }
    for (const auto& a : reading.amounts) {
        stated = true;
        if (a.currency && *a.currency != intended.unit().code()) return claim_check::contradicts;
        auto value = money::parse_amount(a.figure, intended.unit(),
                                         {.sign = money::sign_rule::any, .allow_grouping = true});
        if (!value || !(*value == intended)) return claim_check::contradicts;
    }
    for (const auto& name : reading.names) {
        stated = true;
        if (!part_of_payee(name, payee)) return claim_check::contradicts;
    }
    return stated ? claim_check::matches : claim_check::not_stated;
}

}  // namespace paymand::reply
