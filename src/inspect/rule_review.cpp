#include "paymand/inspect/rule_review.hpp"

#include "paymand/limits/spending_ledger.hpp"
#include "paymand/money/amount.hpp"
#include "paymand/money/currency.hpp"
#include "paymand/rules/condition.hpp"
#include "paymand/rules/payment_limits.hpp"
#include "paymand/schedule/identity.hpp"
#include "paymand/schedule/occurrence.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <variant>

namespace paymand::inspect {

namespace {

enum scope_index { send_payment, read_balance, read_payees, read_transactions, scope_count };

constexpr std::array<const char*, scope_count> scope_names{
    "write_send_payment", "read_balance", "read_list_payees", "read_list_transactions"};

std::string join(const std::vector<std::string>& items)
{
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ", ";
        out += item;
    }
    return out;
}

}  // namespace

std::vector<scope_need> required_scopes(const rules::rule_set& rules)
{
    std::array<std::vector<std::string>, scope_count> users;
    for (const auto& r : rules.rules()) {
        if (!r.enabled) continue;
        if (r.pays()) users[send_payment].push_back(r.id);
        if (r.when) users[read_balance].push_back(r.id);
        if (const auto* report = std::get_if<rules::report_action>(&r.what)) {
            switch (report->what) {
            case rules::report_kind::balance:
                users[read_balance].push_back(r.id);
                break;
            case rules::report_kind::payees:
                users[read_payees].push_back(r.id);
                break;
            case rules::report_kind::transactions:
                users[read_transactions].push_back(r.id);
                break;
            }
        }
    }
    std::vector<scope_need> needs;
    for (std::size_t i = 0; i < scope_count; ++i) {
        std::vector<std::string> why;
        if (i == send_payment && !users[i].empty())
            why.push_back("pay rules: " + join(users[i]));
        else if (i == read_balance && !users[i].empty())
            why.push_back("balance conditions and reports: " + join(users[i]));
        else if (i == read_payees && !users[i].empty())
            why.push_back("payee reports: " + join(users[i]));
        else if (i == read_transactions) {
            if (!users[i].empty()) why.push_back("transaction reports: " + join(users[i]));
            if (!users[send_payment].empty())
                why.push_back("confirming payments and reconciling in-doubt ones of pay rules");
        }
        if (!why.empty()) {
            std::string text;
            for (const auto& w : why) text += (text.empty() ? "" : "; ") + w;
            needs.push_back({scope_names[i], std::move(text)});
        }
    }
    return needs;
}

std::optional<solo_limit_hit> first_limit_alone(const rules::rule& rule,
                                                const rules::policy& policy,
                                                std::chrono::sys_seconds from,
                                                std::chrono::sys_seconds to,
                                                std::size_t max_occurrences)
{
    const auto* pay = rule.payment();
    if (pay == nullptr || !rule.enabled) return std::nullopt;
    limits::spending_ledger ledger(policy.zone);
    auto occurrences =
        schedule::occurrences_between(rule.calendar, rule.zone, from, to, max_occurrences);
    std::size_t paid = 0;
    for (const auto& occ : occurrences) {
        auto proposal = rules::proposed_payment(*pay, occ.instant);
        auto decision = limits::check_payment(policy.limits, ledger, proposal);
        if (!decision.allowed)
            return solo_limit_hit{
                .identity = schedule::to_string(schedule::occurrence_id{rule.id, occ.local}),
                .instant = occ.instant,
                .limit = rules::limit_label(decision.limit, *pay),
                .reason = decision.reason,
                .paid_before = paid};
        ledger.add({.amount = proposal.amount,
                    .currency = proposal.currency,
                    .payee = proposal.payee,
                    .instant = occ.instant});
        ++paid;
    }
    return std::nullopt;
}

std::string describe_action(const rules::rule& rule)
{
    std::string text;
    if (const auto* pay = rule.payment()) {
        text = fmt::format("pay {} to {}", money::format_with_code(pay->amount), pay->payee);
        if (pay->wallet) text += fmt::format(" from {}", *pay->wallet);
    } else if (const auto* report = std::get_if<rules::report_action>(&rule.what)) {
        text = fmt::format("report {}", rules::to_string(report->what));
    }
    if (rule.when) text += " when " + rules::describe(*rule.when);
    return text;
}

std::string format_total(std::int64_t minor_units, std::string_view currency_code)
{
    auto unit = money::currency::find(currency_code);
    return unit ? money::format_with_code(money::amount(*unit, minor_units))
                : fmt::format("{} {}", minor_units, currency_code);
}

std::string format_local(const schedule::zone& zone, std::chrono::sys_seconds instant)
{
    auto info = zone.sys_info_at(instant);
    auto local = date::local_seconds((instant + info.offset).time_since_epoch());
    return date::format("%Y-%m-%d %H:%M ", std::chrono::floor<std::chrono::minutes>(local)) +
           info.abbrev;
}

std::string format_relative(std::chrono::sys_seconds from, std::chrono::sys_seconds at)
{
    if (at == from) return "now";
    const auto span = at > from ? at - from : from - at;
    const auto d = std::chrono::floor<std::chrono::days>(span);
    const auto h = std::chrono::floor<std::chrono::hours>(span - d);
    const auto m = std::chrono::floor<std::chrono::minutes>(span - d - h);
    std::string text;
    if (d.count() > 0) {
        text = h.count() > 0 ? fmt::format("{} d {} h", d.count(), h.count())
                             : fmt::format("{} d", d.count());
    } else if (h.count() > 0) {
        text = m.count() > 0 ? fmt::format("{} h {} min", h.count(), m.count())
                             : fmt::format("{} h", h.count());
    } else if (m.count() > 0) {
        text = fmt::format("{} min", m.count());
    } else {
        text = fmt::format("{} s", span.count());
    }
    return at > from ? "in " + text : text + " ago";
}

std::string schedule_table(const std::vector<const rules::rule*>& rules)
{
    std::size_t id_width = 4;
    std::size_t zone_width = 4;
    std::size_t written_width = 21;
    for (const auto* r : rules) {
        id_width = std::max(id_width, r->id.size());
        zone_width = std::max(zone_width, r->zone.name().size());
        written_width = std::max(written_width, r->calendar.written().size());
    }
    std::string out = fmt::format("{:<{}}  {:<{}}  {:<{}}  {}\n", "rule", id_width, "zone",
                                  zone_width, "schedule (as written)", written_width, "normalised");
    for (const auto* r : rules) {
        out +=
            fmt::format("{:<{}}  {:<{}}  {:<{}}  {}\n", r->id, id_width, r->zone.name(), zone_width,
                        r->calendar.written(), written_width, r->calendar.normalised());
    }
    return out;
}

}  // namespace paymand::inspect
