#include "paymand/reply/payment.hpp"

#include "paymand/money/parse.hpp"
#include "paymand/reply/reply_text.hpp"
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

bool negated(std::string_view sentence)
{
    return std::any_of(negations.begin(), negations.end(),
                       [&](std::string_view n) { return contains(sentence, n); });
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

std::optional<failure_reason> find_failure(std::string_view sentence)
{
    std::optional<failure_reason> best;
    for (const auto& p : failure_phrases) {
        if (!contains(sentence, p.text)) continue;
        if (!best || *best == failure_reason::other) best = p.reason;
    }
    return best;
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
        if (auto f = find_failure(s)) {
            if (!failure || *failure == failure_reason::other) failure = f;
        }
        if (std::any_of(input_phrases.begin(), input_phrases.end(),
                        [&](std::string_view p) { return contains(s, p); }))
            input = true;
        const bool says_done = std::any_of(completed_phrases.begin(), completed_phrases.end(),
                                           [&](std::string_view p) { return contains(s, p); });
        const bool opens_with_done = s.rfind(" sent ", 0) == 0 || s.rfind(" paid ", 0) == 0 ||
                                     s.rfind(" transferred ", 0) == 0;
        if ((says_done || opens_with_done) && !negated(s) && !contains(s, "approval") &&
            !contains(s, "?"))
            completed = true;
    }

    std::vector<claim> claims;
    collect_claims(lines, claims);
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
        if (out.claims_conflict) {
            out.explanation = "the reply reports success but names more than one amount or payee";
            return out;
        }
        out.outcome = payment_outcome::completed;
        out.explanation = "the reply reports the payment as made";
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
    return stated ? claim_check::matches : claim_check::not_stated;
}

}  // namespace paymand::reply
