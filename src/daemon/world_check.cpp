#include "paymand/daemon/world_check.hpp"

#include "paymand/core/clock.hpp"
#include "paymand/grant/stored_grant.hpp"
#include "paymand/text/display.hpp"
#include "paymand/text/word_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>
#include <utility>

namespace paymand::daemon {

namespace {

constexpr auto state_words = text::make_word_table<credentials_state>({
    {credentials_state::not_checked, "not_checked"},
    {credentials_state::checking, "checking"},
    {credentials_state::verified, "verified"},
    {credentials_state::not_verified, "not_verified"},
    {credentials_state::lacking, "lacking"},
    {credentials_state::refused, "refused"},
});

// At most this many rule ids after a name in a finding; the rest are counted.
constexpr std::size_t max_rules_named = 3;

std::string rules_text(const std::vector<std::string>& ids)
{
    std::string out;
    for (std::size_t i = 0; i < ids.size() && i < max_rules_named; ++i)
        out += (i == 0 ? "" : ", ") + ids[i];
    if (ids.size() > max_rules_named)
        out += fmt::format(" and {} more", ids.size() - max_rules_named);
    return out;
}

char lower(char c)
{
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool word_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           (static_cast<unsigned char>(c) & 0x80) != 0;
}

std::string_view trim_left(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    return s;
}

bool has_scope(const std::set<std::string>& granted, std::string_view scope)
{
    return granted.contains(std::string(scope));
}

std::set<std::string> scope_set(std::string_view granted)
{
    auto list = grant::split_scopes(granted);
    return {list.begin(), list.end()};
}

// Is the token error the credential's refusal (not reachability, not a missing API)?
bool refuses_credential(const payman::client_error& e)
{
    if (e.code == payman::payman_errc::grant_refused) return true;
    return e.code == payman::payman_errc::token_refused && e.http_status != 404 &&
           e.http_status != 0;
}

// Checks each name of `named` against a listing; the findings and how many were found.
void look_up(const std::map<std::string, std::vector<std::string>>& named,
             const std::optional<listing_answer>& answer, std::string_view what,
             std::string_view question_scope, std::vector<std::string>& lacking,
             std::vector<std::string>& unverified, std::size_t& found)
{
    if (named.empty()) return;
    if (!answer) {
        unverified.push_back(fmt::format("{}s not looked up: the credential is not granted {}",
                                         what, question_scope));
        return;
    }
    if (!*answer) {
        unverified.push_back(
            fmt::format("the {} listing failed: {}", what, answer->error().message));
        return;
    }
    const auto& reply = **answer;
    const auto entries = listing_entries(reply);
    std::vector<std::string> missing;
    for (const auto& [name, ids] : named) {
        if (listing_names(reply, name))
            ++found;
        else
            missing.push_back(fmt::format("{} '{}' (rules: {}) is not among the {} {}s Payman "
                                          "lists",
                                          what, text::escape_for_display(name), rules_text(ids),
                                          entries, what));
    }
    if (missing.empty()) return;
    if (entries == 0) {
        // Nothing that reads as a list: a refusal or prose we cannot read proves nothing.
        unverified.push_back(fmt::format("the {} listing could not be read (no list in the "
                                         "agent's reply)",
                                         what));
        return;
    }
    lacking.insert(lacking.end(), missing.begin(), missing.end());
}

std::string counted(std::size_t n, std::string_view what)
{
    return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

}  // namespace

std::string_view to_string(credentials_state s) noexcept
{
    return state_words.word(s, "unknown");
}

std::optional<credentials_state> parse_credentials_state(std::string_view text) noexcept
{
    return state_words.parse(text);
}

world_needs world_needs_of(const rules::rule_set& rules)
{
    world_needs needs;
    needs.scopes = inspect::required_scopes(rules);
    for (const auto& r : rules.rules()) {
        if (!r.enabled) continue;
        if (const auto* pay = r.payment()) {
            needs.payees[pay->payee].push_back(r.id);
            if (pay->wallet) needs.wallets[*pay->wallet].push_back(r.id);
        }
        if (r.when)
            for (const auto& w : rules::wallets_needed(*r.when)) {
                auto& ids = needs.wallets[w];
                if (ids.empty() || ids.back() != r.id) ids.push_back(r.id);
            }
    }
    return needs;
}

std::optional<std::string> payee_listing_question(const world_needs& needs,
                                                  std::string_view granted)
{
    if (needs.payees.empty()) return std::nullopt;
    const auto scopes = scope_set(granted);
    if (!granted.empty() && !has_scope(scopes, "read_list_payees")) return std::nullopt;
    return std::string("list all payees");
}

std::optional<std::string> wallet_listing_question(const world_needs& needs,
                                                   std::string_view granted)
{
    if (needs.wallets.empty()) return std::nullopt;
    const auto scopes = scope_set(granted);
    if (granted.empty() || has_scope(scopes, "read_list_wallets"))
        return std::string("list all wallets");
    if (has_scope(scopes, "read_balance"))
        return std::string("list all wallets and their balances");
    return std::nullopt;
}

bool listing_names(std::string_view reply, std::string_view name)
{
    // As reply::same_payee: a trailing '.' is not part of the name ("Acme Ltd." is "Acme Ltd").
    while (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.empty() || reply.size() < name.size()) return false;
    for (std::size_t at = 0; at + name.size() <= reply.size(); ++at) {
        bool same = true;
        for (std::size_t i = 0; i < name.size() && same; ++i)
            same = lower(reply[at + i]) == lower(name[i]);
        if (!same) continue;
        const bool starts = at == 0 || !word_char(reply[at - 1]) || !word_char(name.front());
        const auto end = at + name.size();
        const bool ends = end == reply.size() || !word_char(reply[end]) || !word_char(name.back());
        if (starts && ends) return true;
    }
    return false;
}

std::size_t listing_entries(std::string_view reply)
{
    // List items count at the outermost indentation only: "   - Paytag: ..." under a wallet
    // is a detail of the entry above it.
    std::vector<std::size_t> item_indents;
    std::size_t entries = 0;
    std::size_t table_rows = 0;
    const auto end_table = [&] {
        if (table_rows > 0) entries += table_rows - 1;  // its first row is the header
        table_rows = 0;
    };
    while (!reply.empty()) {
        const auto nl = reply.find('\n');
        const auto raw = reply.substr(0, nl);
        reply.remove_prefix(nl == std::string_view::npos ? reply.size() : nl + 1);
        const auto line = trim_left(raw);
        if (line.empty()) continue;
        if (line.front() == '|') {
            if (line.find("---") == std::string_view::npos) ++table_rows;  // not the separator
            continue;
        }
        end_table();
        std::size_t digits = 0;
        while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits])))
            ++digits;
        const bool numbered = digits > 0 && digits + 1 < line.size() &&
                              (line[digits] == '.' || line[digits] == ')') &&
                              line[digits + 1] == ' ';
        if (numbered || line.starts_with("- ") || line.starts_with("* "))
            item_indents.push_back(raw.size() - line.size());
    }
    end_table();
    if (!item_indents.empty()) {
        const auto outer = *std::min_element(item_indents.begin(), item_indents.end());
        entries +=
            static_cast<std::size_t>(std::count(item_indents.begin(), item_indents.end(), outer));
    }
    return entries;
}

credentials_report assess_world(const world_needs& needs, const world_answers& answers,
                                std::chrono::sys_seconds now)
{
    credentials_report report;
    report.checked_at = now;
    if (answers.token_error) {
        const auto& e = *answers.token_error;
        if (refuses_credential(e)) {
            report.state = credentials_state::refused;
            report.summary = "credentials REFUSED by Payman: " + e.message;
        } else {
            report.state = credentials_state::not_verified;
            report.summary = "credentials not verified: no token: " + e.message;
        }
        report.findings.push_back(e.what());
        return report;
    }

    std::vector<std::string> lacking;
    std::vector<std::string> unverified;
    const auto granted = scope_set(answers.granted_scope);
    if (answers.granted_scope.empty()) {
        if (!needs.scopes.empty())
            unverified.push_back("the token answer does not list the granted scopes: the scopes "
                                 "the rules need are not compared");
    } else {
        for (const auto& n : needs.scopes)
            if (!has_scope(granted, n.scope))
                lacking.push_back(fmt::format("scope {} is not granted ({})", n.scope, n.why));
    }
    std::size_t payees = 0;
    std::size_t wallets = 0;
    look_up(needs.payees, answers.payees, "payee", "read_list_payees", lacking, unverified, payees);
    look_up(needs.wallets, answers.wallets, "wallet", "read_list_wallets or read_balance", lacking,
            unverified, wallets);

    report.findings = lacking;
    report.findings.insert(report.findings.end(), unverified.begin(), unverified.end());
    if (!lacking.empty()) {
        report.state = credentials_state::lacking;
        report.summary = fmt::format("credentials accepted, but the rules need what Payman does "
                                     "not grant or list: {}",
                                     lacking.front());
        if (lacking.size() > 1) report.summary += fmt::format(" (and {} more)", lacking.size() - 1);
    } else if (!unverified.empty()) {
        report.state = credentials_state::not_verified;
        report.summary = "credentials accepted; not verified: " + unverified.front();
    } else {
        report.state = credentials_state::verified;
        report.summary = fmt::format("credentials verified: {} granted, {} and {} found in Payman",
                                     needs.scopes.empty() ? "no scope needed, token"
                                                          : "the scopes the rules need",
                                     counted(payees, "payee"), counted(wallets, "wallet"));
    }
    return report;
}

boost::asio::awaitable<credentials_report> async_check_world(payman::client client,
                                                             world_needs needs)
{
    world_answers answers;
    auto token = co_await client.async_access_token();
    const auto now = [] { return core::now_seconds(); };
    if (!token) {
        answers.token_error = token.error();
        co_return assess_world(needs, answers, now());
    }
    answers.granted_scope = client.stats().granted_scope;
    const auto list = [&client](std::string question) -> boost::asio::awaitable<listing_answer> {
        payman::ask_options options;
        options.read_only = true;
        auto reply = co_await client.async_ask(std::move(question), std::move(options));
        listing_answer out = std::string();
        if (!reply)
            out = core::error{.code = reply.error().code, .message = reply.error().what()};
        else if (reply->state != payman::task_state::completed)
            out = core::error{.code = make_error_code(boost::system::errc::protocol_error),
                              .message = fmt::format("the agent answered in state {}",
                                                     payman::to_string(reply->state))};
        else
            out = reply->reply_text();
        co_return out;
    };
    if (auto q = payee_listing_question(needs, answers.granted_scope)) {
        auto answer = co_await list(std::move(*q));
        answers.payees = std::move(answer);
    }
    if (auto q = wallet_listing_question(needs, answers.granted_scope)) {
        auto answer = co_await list(std::move(*q));
        answers.wallets = std::move(answer);
    }
    co_return assess_world(needs, answers, now());
}

}  // namespace paymand::daemon
