#pragma once

// The sandbox agent's understanding of a prompt: a pure function from text to an intent.
// It recognises the prompts paymand renders and the phrasings in Payman's documentation;
// anything else is `unknown` (the agent then politely declines). Deterministic, no state.

#include "sandbox/money.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace paymand::sandbox {

enum class intent_kind {
    balance,        // list wallets and/or their balances
    payment,        // send an amount to a payee
    list_payees,    // list payees
    create_payee,   // create a payee
    transactions,   // show the last N transactions
    create_wallet,  // create a wallet
    unknown,
};

// The family a fault can select: "balance", "payment", "payees" (list and create),
// "transactions", "wallets" (creation) or "unknown".
std::string_view prompt_family(intent_kind kind);

// Prompts longer than this are declined without being interpreted.
inline constexpr std::size_t max_prompt_chars = 2000;

struct intent {
    intent_kind kind = intent_kind::unknown;
    // When set, the prompt was recognised but cannot be carried out as written (bad amount,
    // missing name): the agent asks for the missing detail (state input-required).
    std::string problem;

    bool mentions_balance = false;  // balance: the prompt asks for balances, not just wallets

    // payment
    std::optional<minor_units> amount;
    std::string amount_text;
    std::string currency;  // upper case; empty when the prompt names none
    std::string payee;     // as written (create_payee: the new payee's name)
    std::string wallet;    // source wallet as written; empty when none named
    std::string memo;

    // create_payee
    std::string email;

    // transactions
    int count = 10;

    // create_wallet: name in `wallet`, currency in `currency`
};

intent interpret(std::string_view prompt);

}  // namespace paymand::sandbox
