#include "sandbox/agent.hpp"

#include <date/date.h>

#include <algorithm>

namespace paymand::sandbox {

namespace {

bool has_scope(const std::vector<std::string>& scopes, std::string_view scope)
{
    return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

// Built with += : GCC 12 warns falsely (-Wrestrict) about "literal" + std::string&&.
std::string dollars(minor_units amount)
{
    std::string out = "$";
    out += format_grouped(amount);
    return out;
}

std::string with_currency(minor_units amount, std::string_view currency)
{
    return format_grouped(amount) + " " + std::string(currency);
}

// "TEST_RAILS" -> "Test Rails"
std::string display_type(std::string_view type)
{
    std::string out;
    bool start = true;
    for (char c : type) {
        if (c == '_' || c == ' ') {
            out.push_back(' ');
            start = true;
        } else if (start) {
            out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
            start = false;
        } else {
            out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
        }
    }
    return out;
}

std::string plural(std::size_t n, std::string_view word)
{
    return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

std::string scope_purpose(std::string_view scope)
{
    if (scope == "read_balance") return "view wallet balances";
    if (scope == "read_list_wallets") return "view your wallets";
    if (scope == "read_list_payees") return "view your payees";
    if (scope == "read_list_transactions") return "view your transaction history";
    if (scope == "write_create_payee") return "create payees";
    if (scope == "write_send_payment") return "send payments";
    return "create wallets";
}

// Whole words of a wallet name found in the prompt (case-insensitive).
bool mentions(std::string_view text, std::string_view name)
{
    if (name.empty() || name.size() > text.size()) return false;
    for (std::size_t i = 0; i + name.size() <= text.size(); ++i) {
        if (!iequals(text.substr(i, name.size()), name)) continue;
        auto boundary = [](char c) {
            return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
        };
        bool left = i == 0 || boundary(text[i - 1]);
        bool right = i + name.size() == text.size() || boundary(text[i + name.size()]);
        if (left && right) return true;
    }
    return false;
}

}  // namespace

std::string_view required_scope(const intent& in)
{
    switch (in.kind) {
    case intent_kind::balance:
        return in.mentions_balance ? "read_balance" : "read_list_wallets";
    case intent_kind::payment:
        return "write_send_payment";
    case intent_kind::list_payees:
        return "read_list_payees";
    case intent_kind::create_payee:
        return "write_create_payee";
    case intent_kind::transactions:
        return "read_list_transactions";
    case intent_kind::create_wallet:
        return "write_create_wallet";
    case intent_kind::unknown:
        break;
    }
    return {};
}

std::size_t agent::pick(std::size_t n)
{
    return static_cast<std::size_t>(rng_() % n);
}

agent_answer agent::decline(std::string_view text)
{
    agent_answer a;
    a.text = std::string(text);
    return a;
}

agent_answer agent::answer(ledger_state& state, const agent_request& request)
{
    std::string memory_key;
    if (request.idempotency_key) {
        memory_key = request.client->id + '\n' + *request.idempotency_key;
        auto it = state.answers.find(memory_key);
        if (it != state.answers.end()) {
            agent_answer a;
            a.state = it->second.state;
            a.text = it->second.text;
            a.kind = interpret(request.text).kind;
            a.replayed = true;
            return a;
        }
    }
    intent in = interpret(request.text);
    agent_answer a = run(state, request, in);
    a.kind = in.kind;
    // A refusal for a missing scope did nothing, so it is not the key's answer.
    if (request.idempotency_key && a.missing_scope.empty()) {
        state.answers[memory_key] = remembered_answer{a.state, a.text};
        a.changed = true;
    }
    return a;
}

agent_answer agent::run(ledger_state& state, const agent_request& request, const intent& in)
{
    if (in.kind == intent_kind::unknown) {
        static constexpr std::string_view refusals[] = {
            "I'm sorry, I can't help with that. I can show your wallets and balances, list or "
            "create payees, send payments to your payees, show your recent transactions, or "
            "create a new wallet.",
            "Sorry, that's not something I can do. Try asking me to list your wallets, show your "
            "payees, send a payment, or show your last few transactions.",
            "I'm not able to help with that request. I can help you with wallets, balances, "
            "payees, payments and transaction history."};
        return decline(refusals[pick(std::size(refusals))]);
    }
    std::string_view scope = required_scope(in);
    bool allowed = has_scope(*request.scopes, scope) ||
                   (in.kind == intent_kind::balance && has_scope(*request.scopes, "read_balance"));
    if (!allowed) {
        agent_answer a;
        a.missing_scope = std::string(scope);
        static constexpr std::string_view forms[] = {
            "I'm sorry, but this app doesn't have permission to {} (missing scope `{}`).",
            "I can't do that: the access granted to this app doesn't include permission to {} "
            "(scope `{}`).",
            "Unfortunately I'm not authorized to {} for this app. The `{}` scope is required."};
        std::string text(forms[pick(std::size(forms))]);
        auto first = text.find("{}");
        text.replace(first, 2, scope_purpose(scope));
        text.replace(text.find("{}"), 2, scope);
        a.text = text;
        return a;
    }
    if (!in.problem.empty()) {
        agent_answer a;
        a.state = "input-required";
        a.text = in.problem;
        return a;
    }
    switch (in.kind) {
    case intent_kind::balance:
        return balances(state, request, in);
    case intent_kind::payment:
        return pay(state, request, in);
    case intent_kind::list_payees:
        return payees(state);
    case intent_kind::create_payee:
        return create_payee(state, in);
    case intent_kind::transactions:
        return transactions(state, in);
    case intent_kind::create_wallet:
        return create_wallet(state, in);
    case intent_kind::unknown:
        break;
    }
    return decline("I'm sorry, I can't help with that.");
}

agent_answer agent::balances(ledger_state& state, const agent_request& request, const intent&)
{
    bool show_balances = has_scope(*request.scopes, "read_balance");
    std::vector<const wallet*> shown;
    for (const auto& w : state.wallets)
        if (mentions(request.text, w.name)) shown.push_back(&w);
    if (shown.empty())
        for (const auto& w : state.wallets) shown.push_back(&w);
    if (shown.empty())
        return decline("You don't have any wallets yet. Would you like me to create one?");

    std::string text;
    if (!show_balances) {
        text = "Here are your wallets:\n\n";
        int i = 1;
        for (const auto* w : shown)
            text += std::to_string(i++) + ". **" + w->name + "** (" + w->currency +
                    ") - paytag: " + w->paytag + "\n";
        text += "\nI don't have access to their balances with the current permissions.";
        return decline(text);
    }
    switch (pick(3)) {
    case 0: {
        text = shown.size() == 1 && shown.size() < state.wallets.size()
                   ? "Here's the balance of your **" + shown[0]->name + "** wallet:\n\n"
                   : "Here are your wallets and their balances:\n\n";
        int i = 1;
        for (const auto* w : shown) {
            text += std::to_string(i++) + ". **" + w->name + "**\n";
            text += "   - Paytag: " + w->paytag + "\n";
            text += "   - Spendable Balance: " + dollars(w->balance) + "\n";
            text += "   - Pending Balance: $0.00\n";
            text += "   - Currency: " + w->currency + "\n";
        }
        text += "\nIs there anything else you'd like to do with your wallets?";
        break;
    }
    case 1: {
        text = "You have " + plural(shown.size(), "wallet") + ":\n\n";
        text += "| Wallet | Paytag | Currency | Spendable Balance | Pending Balance |\n";
        text += "|---|---|---|---|---|\n";
        for (const auto* w : shown)
            text += "| " + w->name + " | " + w->paytag + " | " + w->currency + " | " +
                    with_currency(w->balance, w->currency) + " | " + with_currency(0, w->currency) +
                    " |\n";
        text += "\nLet me know if you'd like to send a payment from one of them.";
        break;
    }
    default: {
        text = "Sure! Here's an overview of your wallet" +
               std::string(shown.size() == 1 ? "" : "s") + ":\n\n";
        for (const auto* w : shown)
            text += "- Your **" + w->name + "** wallet has a spendable balance of " +
                    with_currency(w->balance, w->currency) + ".\n";
        text += "\nWould you like to do anything else?";
        break;
    }
    }
    return decline(text);
}

agent_answer agent::payees(ledger_state& state)
{
    if (state.payees.empty())
        return decline("You don't have any payees yet. Would you like me to create one?");
    std::string text;
    switch (pick(3)) {
    case 0: {
        text = "Here are your payees:\n\n";
        int i = 1;
        for (const auto& p : state.payees)
            text += std::to_string(i++) + ". " + p.name +
                    (p.email.empty() ? "" : " (" + p.email + ")") + " - " + display_type(p.type) +
                    "\n";
        text += "\nWould you like to send a payment to any of them?";
        break;
    }
    case 1: {
        text = "You have " + plural(state.payees.size(), "payee") + ":\n\n";
        text += "| # | Name | Email | Type |\n|---|---|---|---|\n";
        int i = 1;
        for (const auto& p : state.payees)
            text += "| " + std::to_string(i++) + " | " + p.name + " | " +
                    (p.email.empty() ? "-" : p.email) + " | " + display_type(p.type) + " |\n";
        break;
    }
    default: {
        text = "I found " + plural(state.payees.size(), "payee") + " on your account:\n\n";
        for (const auto& p : state.payees)
            text += "- **" + p.name + "**" + (p.email.empty() ? "" : " - " + p.email) + " (" +
                    display_type(p.type) + ")\n";
        text += "\nLet me know if you want to add another one.";
        break;
    }
    }
    return decline(text);
}

agent_answer agent::create_payee(ledger_state& state, const intent& in)
{
    if (const payee* existing = state.find_payee(in.payee);
        existing && iequals(existing->name, in.payee))
        return decline("A payee named **" + existing->name +
                       "** already exists, so I didn't create another one.");
    payee p{in.payee, in.email, "TEST_RAILS"};
    state.payees.push_back(p);
    agent_answer a;
    a.changed = true;
    std::string email = p.email.empty() ? "" : " (" + p.email + ")";
    switch (pick(3)) {
    case 0:
        a.text = "I've created a new payee **" + p.name + "**" + email +
                 ". You can now send payments to them.";
        break;
    case 1:
        a.text = "Done! **" + p.name + "** has been added to your payees" + email +
                 " as a Test Rails payee.";
        break;
    default:
        a.text = "The payee " + p.name + email +
                 " was created successfully. Would you like to send them a payment?";
        break;
    }
    return a;
}

namespace {

// The wallet a payment is made from: the one named, or the only (or default) one holding the
// currency. Nullptr when the agent must answer instead; `a` then holds the answer.
wallet* paying_wallet(ledger_state& state, const intent& in, agent_answer& a)
{
    if (!in.wallet.empty()) {
        wallet* from = state.find_wallet(in.wallet);
        if (!from) {
            a.state = "input-required";
            a.text = "I couldn't find a wallet named **" + in.wallet +
                     "**. Which wallet should I send the payment from?";
        }
        return from;
    }
    std::vector<wallet*> candidates;
    for (auto& w : state.wallets)
        if (in.currency.empty() || w.currency == in.currency) candidates.push_back(&w);
    if (candidates.empty()) {
        a.text = in.currency.empty()
                     ? "You don't have a wallet to send this payment from."
                     : "You don't have a " + in.currency + " wallet to send this payment from.";
        return nullptr;
    }
    wallet* from = nullptr;
    if (candidates.size() == 1) from = candidates.front();
    for (auto* w : candidates)
        if (w->name == state.default_wallet) from = w;
    if (!from) {
        a.state = "input-required";
        a.text = "You have several wallets that could make this payment. Which one should I "
                 "use?\n\n";
        int i = 1;
        for (const auto* w : candidates)
            a.text += std::to_string(i++) + ". **" + w->name + "** (" + w->currency + ")\n";
    }
    return from;
}

// The answer to a payment above the client's per-transaction limit, in wording `choice`.
std::string over_limit_text(std::size_t choice, const std::string& money, const payee& to,
                            const std::string& limit)
{
    if (choice == 0)
        return "This payment of " + money + " to **" + to.name +
               "** exceeds your per-transaction limit of " + limit +
               ", so it has been **flagged for approval**. It has not been sent; it needs "
               "approval in the Payman dashboard.";
    return "The payment to " + to.name + " (" + money + ") is above the per-transaction limit (" +
           limit + "). It has been flagged for approval, and no money has moved yet.";
}

// The answer to a payment the wallet cannot cover, in wording `choice`.
std::string no_funds_text(std::size_t choice, const std::string& money, const payee& to,
                          const wallet& from)
{
    if (choice == 0)
        return "I couldn't send " + money + " to **" + to.name + "**: the **" + from.name +
               "** wallet has insufficient funds (spendable balance " + dollars(from.balance) +
               ").";
    return "Sorry, the payment failed due to insufficient funds. Your " + from.name +
           " wallet only has " + with_currency(from.balance, from.currency) +
           " available, and the payment needs " + money + ".";
}

// The answer to a payment made, in wording `choice`.
std::string sent_text(std::size_t choice, const transaction& t, const payee& to, const wallet& from)
{
    const std::string money = with_currency(t.amount, from.currency);
    switch (choice) {
    case 0: {
        std::string text = "Done! I've sent **" + dollars(t.amount) + " " + from.currency +
                           "** to **" + to.name + "** from your **" + from.name + "** wallet.\n\n";
        if (!t.memo.empty()) text += "- Memo: " + t.memo + "\n";
        return text + "- Remaining spendable balance: " + dollars(from.balance) +
               "\n\nAnything else I can help with?";
    }
    case 1:
        return "Payment successful. " + money + " was sent to " + to.name + " from the " +
               from.name + " wallet" + (t.memo.empty() ? "" : " (memo: \"" + t.memo + "\")") +
               ". The wallet's new balance is " + with_currency(from.balance, from.currency) + ".";
    default:
        return "Payment sent! " + money + " is on its way to **" + to.name + "** from **" +
               from.name + "**." + (t.memo.empty() ? "" : " Memo: " + t.memo + ".") +
               " New balance: " + with_currency(from.balance, from.currency) + ".";
    }
}

}  // namespace

agent_answer agent::pay(ledger_state& state, const agent_request& request, const intent& in)
{
    agent_answer a;
    const payee* to = state.find_payee(in.payee);
    if (!to) {
        a.state = "input-required";
        a.text = "I couldn't find a payee named **" + in.payee +
                 "**. Would you like me to create this payee first?";
        return a;
    }
    wallet* from = paying_wallet(state, in, a);
    if (!from) return a;
    if (!in.currency.empty() && in.currency != from->currency) {
        a.text = "I can't send " + in.currency + " from the **" + from->name +
                 "** wallet: it holds " + from->currency + ". No payment was made.";
        return a;
    }
    minor_units amount = *in.amount;
    std::string money = with_currency(amount, from->currency);
    if (request.client->per_transaction_limit && amount > *request.client->per_transaction_limit) {
        a.state = "input-required";
        std::string limit = with_currency(*request.client->per_transaction_limit, from->currency);
        a.text = over_limit_text(pick(2), money, *to, limit);
        return a;
    }
    if (from->balance < amount) {
        a.text = no_funds_text(pick(2), money, *to, *from);
        return a;
    }
    from->balance -= amount;
    transaction t;
    t.seq = state.next_seq++;
    t.time = request.now;
    t.client_id = request.client->id;
    t.wallet = from->name;
    t.payee = to->name;
    t.amount = amount;
    t.currency = from->currency;
    t.memo = in.memo;
    t.idempotency_key = request.idempotency_key;
    t.task_id = std::string(request.task_id);
    state.transactions.push_back(t);
    a.changed = true;
    a.text = sent_text(pick(3), t, *to, *from);
    return a;
}

agent_answer agent::transactions(ledger_state& state, const intent& in)
{
    if (state.transactions.empty()) return decline("You don't have any transactions yet.");
    std::size_t n =
        std::min<std::size_t>(static_cast<std::size_t>(in.count), state.transactions.size());
    std::vector<const transaction*> recent;
    for (std::size_t i = 0; i < n; ++i)
        recent.push_back(&state.transactions[state.transactions.size() - 1 - i]);
    auto day = [](time_point t) { return date::format("%F", t); };
    auto minute = [](time_point t) {
        return date::format("%F %H:%M", std::chrono::floor<std::chrono::minutes>(t));
    };
    std::string text;
    switch (pick(3)) {
    case 0: {
        text = n == 1 ? "Here is your most recent transaction:\n\n"
                      : "Here are your last " + std::to_string(n) + " transactions:\n\n";
        int i = 1;
        for (const auto* t : recent)
            text += std::to_string(i++) + ". " + minute(t->time) + " UTC - " +
                    format_plain(t->amount) + " " + t->currency + " to " + t->payee +
                    (t->memo.empty() ? "" : " - " + t->memo) + "\n";
        break;
    }
    case 1: {
        text = "Your " + plural(n, "most recent transaction") + ":\n\n";
        text += "| Date | Payee | Amount | Wallet | Memo |\n|---|---|---|---|---|\n";
        for (const auto* t : recent)
            text += "| " + day(t->time) + " | " + t->payee + " | " +
                    with_currency(t->amount, t->currency) + " | " + t->wallet + " | " +
                    (t->memo.empty() ? "-" : t->memo) + " |\n";
        break;
    }
    default: {
        text = "Sure, here " + std::string(n == 1 ? "is" : "are") + " the latest " +
               plural(n, "transaction") + ":\n\n";
        for (const auto* t : recent)
            text += "- **" + day(t->time) + "**: sent " + dollars(t->amount) + " " + t->currency +
                    " to " + t->payee + " from " + t->wallet +
                    (t->memo.empty() ? "" : " (memo: " + t->memo + ")") + "\n";
        break;
    }
    }
    if (n < static_cast<std::size_t>(in.count)) text += "\nThat's all of your transactions so far.";
    return decline(text);
}

agent_answer agent::create_wallet(ledger_state& state, const intent& in)
{
    if (state.find_wallet(in.wallet))
        return decline("You already have a wallet named **" + in.wallet + "**.");
    wallet w{in.wallet, in.currency, 0, default_paytag(in.wallet, in.currency)};
    state.wallets.push_back(w);
    agent_answer a;
    a.changed = true;
    switch (pick(2)) {
    case 0:
        a.text = "I've created a new " + w.currency + " wallet **" + w.name + "** (paytag " +
                 w.paytag + "). Its spendable balance is $0.00.";
        break;
    default:
        a.text = "Your new wallet **" + w.name + "** is ready. Currency: " + w.currency +
                 ", Spendable Balance: $0.00.";
        break;
    }
    return a;
}

}  // namespace paymand::sandbox
