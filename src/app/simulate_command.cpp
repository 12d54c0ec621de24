#include "app/simulate_command.hpp"

#include "app/time_args.hpp"
#include "paymand/audit/time_format.hpp"
#include "paymand/daemon/load.hpp"
#include "paymand/inspect/balances.hpp"
#include "paymand/inspect/rule_review.hpp"
#include "paymand/inspect/simulation.hpp"
#include "paymand/money/currency.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace paymand::app {

namespace {

struct simulate_args {
    std::string config = "/etc/paymand/paymand.yaml";
    std::string from;
    std::string to;
    std::string balance;
    std::string balances;
    std::string format = "table";
    std::vector<std::string> paths;
};

// CSV field: quoted when it holds a separator, a quote or a line break (RFC 4180).
std::string csv(std::string_view field)
{
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
    std::string out = "\"";
    for (char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string amount_text(const inspect::simulated_occurrence& o)
{
    return o.amount ? money::format_with_code(*o.amount) : std::string();
}

void print_table(const inspect::simulation_result& r)
{
    for (const auto& o : r.occurrences) {
        std::string what;
        switch (o.what) {
        case inspect::verdict::pay:
            what = fmt::format("would pay {} to {}", amount_text(o), o.payee);
            break;
        case inspect::verdict::limit:
            what = fmt::format("refused by limit {}: {}", o.limit, o.detail);
            break;
        case inspect::verdict::condition:
            what = fmt::format("condition not met: {}", o.detail);
            break;
        default:
            what = fmt::format("{}: {}", inspect::to_string(o.what), o.detail);
            break;
        }
        fmt::print("{}  {:<40}  {}\n", audit::format_utc(o.utc), o.occurrence, what);
    }
    std::string counts;
    for (const auto& [v, n] : r.counts)
        counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", inspect::to_string(v), n);
    fmt::print("\n{} occurrences: {}\n", r.occurrences.size(), counts);
    if (r.per_currency.empty()) {
        fmt::print("no payments would be made\n");
        return;
    }
    const auto row = [](std::string_view label, const inspect::total& t, std::string_view code) {
        fmt::print("  {:<32}  {:>5} payment{}  {:>20}\n", label, t.count, t.count == 1 ? " " : "s",
                   inspect::format_total(t.minor_units, code));
    };
    fmt::print("\ntotals per payee:\n");
    for (const auto& [key, t] : r.per_payee) row(std::get<0>(key), t, std::get<1>(key));
    fmt::print("totals per month:\n");
    for (const auto& [key, t] : r.per_month) row(std::get<0>(key), t, std::get<1>(key));
    fmt::print("totals per currency:\n");
    for (const auto& [code, t] : r.per_currency) row(code, t, code);
}

void print_csv(const inspect::simulation_result& r)
{
    fmt::print("utc,occurrence,rule,verdict,payee,amount,currency,limit,detail\n");
    for (const auto& o : r.occurrences) {
        fmt::print("{},{},{},{},{},{},{},{},{}\n", audit::format_utc(o.utc), csv(o.occurrence),
                   csv(o.rule), inspect::to_string(o.what), csv(o.payee),
                   o.amount ? money::format_decimal(*o.amount) : "",
                   o.amount ? std::string(o.amount->unit().code()) : "", csv(o.limit),
                   csv(o.detail));
    }
}

boost::json::array totals_json(const auto& totals)
{
    boost::json::array out;
    for (const auto& [key, t] : totals) {
        boost::json::object item;
        std::string code;
        if constexpr (std::is_same_v<std::decay_t<decltype(key)>, std::string>) {
            code = key;
        } else {
            item["key"] = std::get<0>(key);
            code = std::get<1>(key);
        }
        item["currency"] = code;
        item["count"] = t.count;
        auto unit = money::currency::find(code);
        item["amount"] =
            unit ? money::format_decimal(money::amount(*unit, t.minor_units)) : std::string();
        out.push_back(std::move(item));
    }
    return out;
}

void print_json(const inspect::simulation_result& r, const simulate_args& a)
{
    boost::json::array occurrences;
    for (const auto& o : r.occurrences) {
        boost::json::object item{{"occurrence", o.occurrence},
                                 {"rule", o.rule},
                                 {"utc", audit::format_utc(o.utc)},
                                 {"verdict", inspect::to_string(o.what)}};
        if (o.amount) {
            item["amount"] = money::format_decimal(*o.amount);
            item["currency"] = std::string(o.amount->unit().code());
        }
        if (!o.payee.empty()) item["payee"] = o.payee;
        if (!o.limit.empty()) item["limit"] = o.limit;
        if (!o.detail.empty()) item["detail"] = o.detail;
        occurrences.push_back(std::move(item));
    }
    boost::json::object counts;
    for (const auto& [v, n] : r.counts) counts[inspect::to_string(v)] = n;
    boost::json::object doc{{"from", a.from},
                            {"to", a.to},
                            {"occurrences", std::move(occurrences)},
                            {"counts", std::move(counts)},
                            {"per_payee", totals_json(r.per_payee)},
                            {"per_month", totals_json(r.per_month)},
                            {"per_currency", totals_json(r.per_currency)}};
    std::cout << boost::json::serialize(doc) << "\n";
}

int run_simulate(const simulate_args& a)
{
    yaml::diagnostics diags;
    std::vector<std::filesystem::path> paths(a.paths.begin(), a.paths.end());
    auto loaded = daemon::load_configuration(a.config, diags, paths);
    if (!loaded) {
        std::cerr << diags.to_string();
        return exit_failure;
    }
    const auto* zone = loaded->config.policy.zone;
    auto from = parse_instant_arg(a.from, zone);
    auto to = parse_instant_arg(a.to, zone, true);
    for (const auto* bad : {&from, &to}) {
        if (!*bad) {
            std::cerr << "paymand simulate: " << (bad == &from ? "--from " : "--to ")
                      << bad->error().message << "\n";
            return exit_usage;
        }
    }
    if (*to <= *from) {
        std::cerr << "paymand simulate: --to must lie after --from\n";
        return exit_usage;
    }
    engine::assumed_balances balances;
    if (!a.balance.empty()) {
        auto amount = inspect::parse_balance(a.balance);
        if (!amount) {
            std::cerr << "paymand simulate: --balance " << amount.error() << "\n";
            return exit_usage;
        }
        balances.fallback = *amount;
    } else if (!a.balances.empty()) {
        auto file = inspect::load_balances_file(a.balances, diags);
        if (!file) {
            std::cerr << diags.to_string();
            return exit_failure;
        }
        balances = std::move(*file);
    }
    auto result = inspect::simulate({.rules = loaded->rules,
                                     .policy = loaded->config.policy,
                                     .settings = loaded->config.engine,
                                     .prompts = loaded->prompts,
                                     .client_id = loaded->config.client_id,
                                     .from = *from,
                                     .to = *to,
                                     .balances = std::move(balances)});
    if (a.format == "json")
        print_json(result, a);
    else if (a.format == "csv")
        print_csv(result);
    else
        print_table(result);
    return exit_ok;
}

}  // namespace

command add_simulate_command(CLI::App& parent)
{
    auto a = std::make_shared<simulate_args>();
    auto* cmd = parent.add_subcommand(
        "simulate", "Run the real engine over a period on a virtual clock, with no network");
    cmd->add_option("-c,--config", a->config, "Configuration file")->capture_default_str();
    cmd->add_option("--from", a->from,
                    "First day (midnight in the configured zone) or 2027-01-01T00:00:00Z")
        ->required();
    cmd->add_option("--to", a->to, "Last day, included, or an exclusive UTC time stamp")
        ->required();
    auto* balance = cmd->add_option("--balance", a->balance,
                                    "Every wallet holds this (e.g. 1500.00 or 1500.00 USD)");
    auto* balances = cmd->add_option("--balances", a->balances,
                                     "YAML file of wallet: balance (key `default` for the rest)");
    balance->excludes(balances);
    cmd->add_option("--format", a->format, "Output format")
        ->check(CLI::IsMember({"table", "json", "csv"}))
        ->capture_default_str();
    cmd->add_option("paths", a->paths,
                    "Rule files or directories to simulate instead of the configured "
                    "rules_directory (try a change before it takes effect)");
    cmd->footer(
        "For each occurrence: whether it would pay, be refused by its condition or a limit\n"
        "(which, with figures), or be skipped; then totals per payee, month and currency.\n"
        "Limits start from no spending and count the simulated payments; balances stay as\n"
        "given (without --balance/--balances every condition is unclear, so not met).\n"
        "Nothing is sent and nothing is written.\n"
        "Exit codes: 0 ok, 1 configuration, rules or balances file do not load, 2 usage.\n"
        "Example: paymand simulate --from 2027-01-01 --to 2027-12-31 --balance 5000.00\n"
        "Example: paymand simulate --from 2027-01-01 --to 2027-03-31 --balances b.yaml "
        "--format csv rules-next/");
    return {cmd, [a] { return run_simulate(*a); }};
}

}  // namespace paymand::app
