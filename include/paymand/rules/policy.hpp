#pragma once

// The admin's policy: the sections of config/paymand.yaml that bound what rules may do.
// Rules are edited by ops; these sections belong to whoever runs the daemon, and a rule can
// narrow them (max_amount) but never widen them.
//
//   timezone: Europe/Berlin        # default zone for rules and for limit calendars (UTC)
//   min_pay_interval: 1h           # a pay rule may not fire more often (default 1h)
//   payees:                        # or the explicit word `any`
//     - John Doe
//     - name: Acme Cleaning Ltd.
//       limits: {TSD: {daily: 500.00, monthly: 2000.00}}
//   wallets:                       # the wallets a rule may name (no `any`)
//     - Main
//     - name: Operations
//       default: true                # pay rules naming no wallet pay from it
//   limits:                        # or the explicit word `none`
//     max_payments_per_day: 20
//     currencies:
//       TSD: {per_transaction: 1500.00, daily: 2000.00, monthly: 10000.00,
//             payee_daily: 1500.00, payee_monthly: 5000.00}

#include "paymand/limits/limits_config.hpp"
#include "paymand/yaml/reader.hpp"

#include <date/tz.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace paymand::rules {

struct policy {
    // true only for an explicit `payees: any`.
    bool any_payee = false;
    // Allowed payee names, exactly as Payman knows them, in config order.
    std::vector<std::string> payees;
    // Allowed wallet names, exactly as Payman knows them, in config order. Without a
    // `wallets:` key no rule may name a wallet (fail closed: a wallet name reaches a prompt).
    std::vector<std::string> wallets;
    // The `default: true` wallet: pay rules that name no wallet pay from it, named in the prompt.
    std::optional<std::string> default_wallet;
    // Only permissive_policy() sets this; no configuration can.
    bool any_wallet = false;
    limits::limits_config limits;
    std::chrono::seconds min_pay_interval{3600};
    std::string timezone = "UTC";
    const date::time_zone* zone = nullptr;  // resolved `timezone`; never null after parsing

    // Whether a rule may pay `payee` (exact match, or any payee allowed).
    bool allows_payee(std::string_view payee) const;
    // Whether a rule may name `wallet` (exact match).
    bool allows_wallet(std::string_view wallet) const;
};

// The policy's keys and whether they must be present, for a config loader to merge into its
// own key table: payees and limits are required, the others optional.
inline constexpr std::array<yaml::key_rule, 5> policy_keys{{
    {"timezone", yaml::presence::optional},
    {"min_pay_interval", yaml::presence::optional},
    {"payees", yaml::presence::required},
    {"wallets", yaml::presence::optional},
    {"limits", yaml::presence::required},
}};

// Reads the policy keys from `root`, a mapping the caller has already checked against a key
// table including `policy_keys` (so a missing payees/limits key is reported there). Every
// problem is added to the reader's diagnostics; the returned policy is meaningful only when
// none were added.
policy parse_policy_sections(const yaml::mapping& root, const yaml::reader& in);

// Loads a file holding only the policy keys (tests, examples). nullopt on any error, all of
// them in `diags`.
std::optional<policy> load_policy_file(const std::filesystem::path& path, const std::string& file,
                                       yaml::diagnostics& diags);

// The error for a rule naming `wallet` that the policy does not allow: the fix-it names the
// key to add, and a listed wallet that differs only in case or spacing when there is one.
std::string wallet_refusal(const policy& pol, std::string_view wallet);

// A policy allowing any payee and any wallet without limits, in UTC: for tools that check
// rules alone.
policy permissive_policy();

}  // namespace paymand::rules
