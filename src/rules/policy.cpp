#include "paymand/rules/policy.hpp"

#include "paymand/text/suggest.hpp"
#include "paymand/yaml/document.hpp"
#include "paymand/yaml/quote.hpp"
#include "rules/fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace paymand::rules {

using yaml::presence;

bool policy::allows_payee(std::string_view payee) const
{
    return any_payee || std::find(payees.begin(), payees.end(), payee) != payees.end();
}

bool policy::allows_wallet(std::string_view wallet) const
{
    return any_wallet || std::find(wallets.begin(), wallets.end(), wallet) != wallets.end();
}

namespace {

constexpr auto max_interval = std::chrono::seconds(366 * 86400);

bool is_word(const yaml::field& f, std::string_view word)
{
    return f.value.IsScalar() && f.value.Tag() == "?" && f.value.Scalar() == word;
}

// `TSD: {daily: 500, monthly: 2000}` under a payee's `limits:`.
void read_payee_limits(const yaml::reader& in, const yaml::field& f, const std::string& payee,
                       limits::limits_config& out)
{
    if (!f.value.IsMap()) {
        in.error(f, fmt::format("limits of payee \"{}\" must map currency codes to daily and "
                                "monthly totals, e.g. TSD: {{daily: 500.00}}",
                                payee));
        return;
    }
    for (auto it = f.value.begin(); it != f.value.end(); ++it) {
        if (!it->first.IsScalar()) continue;
        yaml::field code_field{it->first.Scalar(), it->first, it->first};
        auto unit = detail::read_currency(in, code_field);
        auto m = in.read_mapping(it->second, {{"daily"}, {"monthly"}},
                                 fmt::format("limits of payee \"{}\"", payee));
        if (!unit || !m) continue;
        limits::payee_currency_limits lim;
        if (const auto* d = m->find("daily"))
            if (auto a = detail::read_amount(in, *d, *unit)) lim.daily = a->minor_units();
        if (const auto* d = m->find("monthly"))
            if (auto a = detail::read_amount(in, *d, *unit)) lim.monthly = a->minor_units();
        if (m->fields().empty())
            in.error(it->second, fmt::format("limits of payee \"{}\" in {} name neither daily "
                                             "nor monthly",
                                             payee, unit->code()));
        out.payees[payee][std::string(unit->code())] = lim;
    }
}

void read_payees(const yaml::reader& in, const yaml::field& f, policy& out)
{
    if (is_word(f, "any")) {
        out.any_payee = true;
        return;
    }
    if (f.value.IsScalar()) {
        in.error(f, fmt::format("\"payees\" must be a list of payees or the word any, got {}",
                                yaml::quote_value(f.value.Scalar())));
        return;
    }
    auto items = in.sequence(f);
    if (!items) return;
    if (items->empty())
        in.error(f, "\"payees\" is an empty list, so no rule could pay anyone; list the "
                    "payees or write `payees: any`");
    std::set<std::string> seen;
    for (const auto& item : *items) {
        std::optional<std::string> name;
        YAML::Node name_node = item;
        yaml::field limits_field;
        bool has_limits = false;
        if (item.IsMap()) {
            auto m = in.read_mapping(item, {{"name", presence::required}, {"limits"}}, "payee");
            if (!m) continue;
            if (const auto* n = m->find("name")) {
                name = detail::read_safe_text(in, *n, detail::text_kind::payee);
                name_node = n->value;
            }
            if (const auto* l = m->find("limits")) {
                limits_field = *l;
                has_limits = true;
            }
        } else {
            yaml::field as_field{"payee", item, item};
            name = detail::read_safe_text(in, as_field, detail::text_kind::payee);
        }
        if (!name) continue;
        if (!seen.insert(*name).second) {
            in.error(name_node, fmt::format("payee \"{}\" is listed twice", *name));
            continue;
        }
        out.payees.push_back(*name);
        if (has_limits) read_payee_limits(in, limits_field, *name, out.limits);
    }
}

void read_wallets(const yaml::reader& in, const yaml::field& f, policy& out)
{
    if (f.value.IsScalar() || f.value.IsNull()) {
        in.error(f, "\"wallets\" must be a list of the wallet names rules may use, e.g. "
                    "wallets: [Main]; there is no `any`, since a wallet name goes into prompts");
        return;
    }
    auto items = in.sequence(f);
    if (!items) return;
    if (items->empty())
        in.error(f, "\"wallets\" is an empty list; list the wallets rules may name, or remove "
                    "the key if no rule names a wallet");
    std::set<std::string> seen;
    const YAML::Node* default_node = nullptr;
    for (const auto& item : *items) {
        std::optional<std::string> name;
        YAML::Node name_node = item;
        bool is_default = false;
        if (item.IsMap()) {
            auto m = in.read_mapping(item, {{"name", presence::required}, {"default"}}, "wallet");
            if (!m) continue;
            if (const auto* n = m->find("name")) {
                name = detail::read_safe_text(in, *n, detail::text_kind::wallet);
                name_node = n->value;
            }
            is_default = in.boolean_or(*m, "default", false);
        } else {
            yaml::field as_field{"wallet", item, item};
            name = detail::read_safe_text(in, as_field, detail::text_kind::wallet);
        }
        if (!name) continue;
        if (!seen.insert(*name).second) {
            in.error(name_node, fmt::format("wallet \"{}\" is listed twice", *name));
            continue;
        }
        out.wallets.push_back(*name);
        if (!is_default) continue;
        if (default_node != nullptr) {
            in.error(name_node, fmt::format("wallet \"{}\" is a second default wallet (the first "
                                            "is at line {}); mark exactly one default: true",
                                            *name, default_node->Mark().line + 1));
            continue;
        }
        default_node = &item;
        out.default_wallet = *name;
    }
}

void read_currency_limits(const yaml::reader& in, const yaml::field& f, policy& out)
{
    if (!f.value.IsMap()) {
        in.error(f, "\"currencies\" must map currency codes to their limits, e.g. "
                    "TSD: {per_transaction: 500.00}");
        return;
    }
    if (f.value.size() == 0)
        in.error(f, "\"currencies\" is empty, so every payment would be refused");
    for (auto it = f.value.begin(); it != f.value.end(); ++it) {
        if (!it->first.IsScalar()) continue;
        yaml::field code_field{it->first.Scalar(), it->first, it->first};
        auto unit = detail::read_currency(in, code_field);
        auto m = in.read_mapping(it->second,
                                 {{"per_transaction", presence::required},
                                  {"daily"},
                                  {"monthly"},
                                  {"payee_daily"},
                                  {"payee_monthly"}},
                                 fmt::format("limits for {}", it->first.Scalar()));
        if (!unit || !m) continue;
        limits::currency_limits lim;
        auto amount = [&](std::string_view key, std::optional<std::int64_t>& into) {
            if (const auto* a = m->find(key))
                if (auto v = detail::read_amount(in, *a, *unit)) into = v->minor_units();
        };
        amount("per_transaction", lim.per_transaction);
        amount("daily", lim.daily);
        amount("monthly", lim.monthly);
        amount("payee_daily", lim.payee_daily);
        amount("payee_monthly", lim.payee_monthly);
        if (lim.daily && lim.monthly && *lim.daily > *lim.monthly)
            in.error(*m->find("daily"),
                     fmt::format("daily limit for {} is above its monthly limit", unit->code()));
        out.limits.currencies[std::string(unit->code())] = lim;
    }
}

void read_limits(const yaml::reader& in, const yaml::field& f, policy& out)
{
    if (is_word(f, "none")) {
        out.limits.enabled = false;
        return;
    }
    if (f.value.IsScalar() || f.value.IsNull()) {
        in.error(f, "\"limits\" must be a mapping with the limits, or the word none to run "
                    "without limits");
        return;
    }
    auto m = in.read_mapping(
        f.value, {{"currencies", presence::required}, {"max_payments_per_day"}}, "limits");
    if (!m) return;
    if (const auto* c = m->find("currencies")) read_currency_limits(in, *c, out);
    if (const auto* n = m->find("max_payments_per_day"))
        if (auto v = in.integer(*n, 1, 1'000'000)) out.limits.max_payments_per_day = *v;
}

}  // namespace

policy parse_policy_sections(const yaml::mapping& root, const yaml::reader& in)
{
    policy out;
    out.zone = &detail::utc_zone().tz();
    if (const auto* f = root.find("timezone")) {
        if (auto zone = detail::read_zone(in, *f)) {
            out.zone = &zone->tz();
            out.timezone = std::string(zone->name());
        }
    }
    if (const auto* f = root.find("min_pay_interval"))
        if (auto d = in.duration(*f, std::chrono::seconds(1), max_interval))
            out.min_pay_interval = *d;
    if (const auto* f = root.find("payees")) read_payees(in, *f, out);
    if (const auto* f = root.find("wallets")) read_wallets(in, *f, out);
    if (const auto* f = root.find("limits")) read_limits(in, *f, out);
    return out;
}

std::optional<policy> load_policy_file(const std::filesystem::path& path, const std::string& file,
                                       yaml::diagnostics& diags)
{
    auto before = diags.size();
    auto root = yaml::load_file(path, file, diags);
    if (!root) return std::nullopt;
    yaml::reader in(file, diags);
    auto m = in.read_mapping(*root, policy_keys, "policy");
    if (!m) return std::nullopt;
    auto result = parse_policy_sections(*m, in);
    if (diags.size() != before) return std::nullopt;
    return result;
}

std::string wallet_refusal(const policy& pol, std::string_view wallet)
{
    if (pol.wallets.empty())
        return fmt::format("wallet {} is not in the wallets allow-list: the config has no "
                           "wallets: key, so no rule may name a wallet; the admin must add "
                           "`wallets: [{}]` to the configuration",
                           yaml::quote_value(wallet), yaml::quote_value(wallet));
    std::string listed;
    const std::string* nearest = nullptr;
    std::size_t best = 3;  // suggest only within two edits
    for (const auto& w : pol.wallets) {
        if (!listed.empty()) listed += ", ";
        listed += w;
        if (auto d = text::edit_distance(w, wallet); d < best) {
            best = d;
            nearest = &w;
        }
    }
    if (nearest != nullptr)
        return fmt::format("wallet {} is not in the wallets allow-list of the config; did "
                           "you mean \"{}\"?",
                           yaml::quote_value(wallet), *nearest);
    return fmt::format("wallet {} is not in the wallets allow-list of the config (listed: "
                       "{}); the admin must add it under wallets:",
                       yaml::quote_value(wallet), listed);
}

policy permissive_policy()
{
    policy p;
    p.any_payee = true;
    p.any_wallet = true;
    p.limits.enabled = false;
    p.zone = &detail::utc_zone().tz();
    return p;
}

}  // namespace paymand::rules
