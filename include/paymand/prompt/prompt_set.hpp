#pragma once

#include "paymand/money/amount.hpp"
#include "paymand/prompt/prompt_errc.hpp"
#include "paymand/prompt/prompt_template.hpp"
#include "paymand/text/safe_text.hpp"

#include <boost/system/result.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::prompt {

// Template texts as configured; the defaults follow Payman's documented phrasing.
struct prompt_texts {
    std::string pay = "send {{amount}} {{currency}} to \"{{payee}}\"";
    std::string pay_from_wallet = "from the \"{{wallet}}\" wallet";
    std::string pay_memo = "with memo \"{{memo}}\"";
    std::string balance = "what's my wallet balance?";
    std::string wallet_balance = "what is the balance of the \"{{wallet}}\" wallet?";
    std::string payees = "list all payees";
    std::string transactions = "show my last {{count}} transactions";
};

// One payment to put into words. The memo is already expanded (see memo.hpp).
struct pay_prompt {
    money::amount amount;
    std::string payee;
    std::optional<std::string> wallet;
    std::optional<std::string> memo;
};

// Validated templates for every prompt paymand sends. Rendering re-checks every value with the
// safe-text grammar, so a value that slipped past loading still cannot reach the agent.
// Immutable after load; safe to share between threads.
class prompt_set {
public:
    // Validates all templates, collecting every error (not just the first) into `errors`.
    static std::optional<prompt_set> load(const prompt_texts& texts,
                                          std::vector<core::error>& errors);
    // The defaults; they always validate.
    static prompt_set defaults();

    // "send 100.00 TSD to "John Doe" from the "Operations" wallet with memo "Rent December 2026"".
    // Refuses a non-positive amount and any value outside the safe-text grammar.
    core::result<std::string> render_pay(const pay_prompt& p) const;
    // The default wallet's balance when `wallet` is empty, else that wallet's.
    core::result<std::string>
    render_balance(std::optional<std::string_view> wallet = std::nullopt) const;
    core::result<std::string> render_payees() const;
    // `count` in 1..100.
    core::result<std::string> render_transactions(int count) const;

private:
    struct checked_names;

    explicit prompt_set(std::vector<prompt_template> templates);
    const prompt_template& get(template_kind kind) const;
    // The safe-text check of a payee's or wallet's name, done once per distinct name.
    core::result<void> check_name(text::text_field field, std::string_view name) const;

    std::vector<prompt_template> templates_;  // indexed by template_kind
    std::shared_ptr<checked_names> checked_;  // shared by copies: a name's check never changes
};

}  // namespace paymand::prompt
