#pragma once

#include "paymand/prompt/prompt_errc.hpp"

#include <boost/system/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace paymand::prompt {

// Which text a template produces; each kind has its own allowed and required placeholders.
enum class template_kind {
    pay,              // {{amount}} {{currency}} {{payee}}, all required
    pay_from_wallet,  // clause appended to pay when a wallet is named: {{wallet}} required
    pay_memo,         // clause appended to pay when a memo is given: {{memo}} required
    balance,          // the default wallet's balance: no placeholders
    wallet_balance,   // one wallet's balance: {{wallet}} required
    payees,           // list payees: no placeholders
    transactions,     // recent transactions: {{count}} required
    memo,             // a rule's memo: {{date}} {{month}} {{year}} {{rule}}, all optional
};

// "pay", "pay_from_wallet", ...: the key used in configuration and in messages.
std::string_view template_name(template_kind kind) noexcept;

struct template_part {
    bool is_placeholder;
    std::string text;  // literal text, or the placeholder's name without braces
};

// A parsed, validated template. Construction is the only way to get one, so holding one means
// its placeholders and literal text passed the checks for its kind.
class prompt_template {
public:
    // Parses `text` ("send {{amount}} {{currency}} to {{payee}}"). Refuses: empty text, more
    // than 200 bytes, malformed or unknown placeholders, missing required or duplicated ones,
    // and literal text outside the grammar (prompt kinds: ASCII letters, single spaces, ' , -
    // inside, '?' or '.' only at the end, '"' only directly around a placeholder, no digits, no
    // currency or number words, no instruction words, exactly one payment verb in `pay` and
    // none elsewhere; memo kind: the safe-text memo grammar, checked by expanding it).
    static core::result<prompt_template> parse(template_kind kind, std::string_view text);

    template_kind kind() const noexcept { return kind_; }
    const std::vector<template_part>& parts() const noexcept { return parts_; }

private:
    prompt_template(template_kind kind, std::vector<template_part> parts)
        : kind_(kind), parts_(std::move(parts))
    {
    }
    template_kind kind_;
    std::vector<template_part> parts_;
};

}  // namespace paymand::prompt
