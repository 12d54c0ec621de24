#include "app/audit_report_cluster.hpp"

#include "app/audit_format.hpp"
#include "app/audit_log_source.hpp"
#include "app/command.hpp"
#include "app/ledger_read.hpp"
#include "paymand/audit/codec.hpp"
#include "paymand/config/daemon_config.hpp"
#include "paymand/daemon/load.hpp"
#include "paymand/ledger/audit_shipping.hpp"
#include "paymand/money/arithmetic.hpp"

#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include <iostream>
#include <map>
#include <set>
#include <vector>

namespace paymand::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr std::string_view cluster_who = "paymand audit report --cluster";
// Records read per statement: a node's chain is paged through, never held whole.
constexpr std::int64_t shipped_page = 5000;

struct node_report {
    std::string node;
    std::int64_t through = 0;  // the last of its records the ledger holds
    audit::month_report report;
};

ledger::db_error shipped_unreadable(std::string message)
{
    return ledger::db_error{
        {.code = ledger::ledger_errc::unexpected_answer, .message = std::move(message)}};
}

// One node's shipped chain, page by page, into its month report.
asio::awaitable<core::result<node_report, ledger::db_error>>
read_node(ledger::connection& conn, std::string node, const audit::month_window& window)
{
    audit::month_report_builder builder(window);
    std::int64_t after = 0;
    for (;;) {
        auto lines = co_await ledger::async_read_shipped(conn, node, after, shipped_page);
        if (!lines) co_return lines.error();
        for (const auto& shipped : *lines) {
            auto r = audit::parse_line(shipped.line);
            if (!r)
                co_return shipped_unreadable(
                    fmt::format("record {} of node {} in the ledger does not "
                                "parse: {}",
                                shipped.seq, node, r.error().message));
            builder.add(*r);
            after = shipped.seq;
        }
        if (static_cast<std::int64_t>(lines->size()) < shipped_page) break;
    }
    auto report = builder.finish();
    if (!report) co_return shipped_unreadable(node + ": " + report.error().message);
    co_return node_report{std::move(node), after, std::move(*report)};
}

// Per currency, the nodes' paid totals added up; and the occurrences paid on two nodes.
struct cluster_totals {
    std::map<std::string, audit::currency_total> per_currency;
    std::map<std::string, std::set<std::string>> paid_twice;  // occurrence -> its nodes
};

core::result<cluster_totals> add_up(const std::vector<node_report>& nodes)
{
    cluster_totals out;
    std::map<std::string, std::set<std::string>> paid_on;
    for (const auto& n : nodes) {
        for (const auto& t : n.report.per_currency) {
            const auto code = std::string(t.total.unit().code());
            auto [it, fresh] = out.per_currency.try_emplace(
                code, audit::currency_total{money::amount(t.total.unit(), 0), 0});
            auto sum = money::checked_add(it->second.total, t.total);
            if (!sum) return sum.error();
            it->second.total = *sum;
            it->second.payments += t.payments;
        }
        for (const auto& e : n.report.paid) paid_on[e.ref.occurrence].insert(n.node);
    }
    for (auto& [occurrence, on] : paid_on)
        if (on.size() > 1) out.paid_twice.emplace(occurrence, std::move(on));
    return out;
}

void print_cluster_text(const std::vector<node_report>& nodes, const cluster_totals& totals)
{
    std::cout << fmt::format("Cluster report: {} node(s), each from its audit log as shipped to "
                             "the shared ledger (records not shipped yet are not in it)\n",
                             nodes.size());
    for (const auto& n : nodes) {
        std::cout << fmt::format("\n== node {} ==\n", one_line(n.node));
        const auto source = fmt::format("the shared ledger's copy of node {}'s log, through "
                                        "record {}",
                                        one_line(n.node), n.through);
        // Resolved on the node whose log holds the intent.
        std::cout << report_text(n.report, source, fmt::format("   (on node {})", n.node));
    }
    std::cout << "\n== the cluster ==\nTOTAL PER CURRENCY (all nodes)\n";
    for (const auto& [code, t] : totals.per_currency)
        std::cout << fmt::format("  {}  {} payment(s)\n", money::format_with_code(t.total),
                                 t.payments);
    if (totals.per_currency.empty()) std::cout << "  nothing paid\n";
    for (const auto& [occurrence, on] : totals.paid_twice)
        std::cout << fmt::format("ERROR: {} is paid on more than one node ({}): check Payman's "
                                 "transactions and the shared ledger's row\n",
                                 one_line(occurrence), fmt::join(on, ", "));
}

json::object cluster_to_json(const std::vector<node_report>& nodes, const cluster_totals& totals)
{
    json::object out;
    json::array per_node;
    for (const auto& n : nodes) {
        json::object o;
        o["node"] = n.node;
        o["through_seq"] = n.through;
        o["report"] = audit::to_json(n.report);
        per_node.push_back(std::move(o));
    }
    out["nodes"] = std::move(per_node);
    json::array per_currency;
    for (const auto& [code, t] : totals.per_currency)
        per_currency.push_back({{"currency", code},
                                {"total", money::format_decimal(t.total)},
                                {"payments", t.payments}});
    out["per_currency"] = std::move(per_currency);
    json::array twice;
    for (const auto& [occurrence, on] : totals.paid_twice) {
        json::array names;
        for (const auto& node : on) names.emplace_back(node);
        twice.push_back({{"occurrence", occurrence}, {"nodes", std::move(names)}});
    }
    out["paid_on_more_than_one_node"] = std::move(twice);
    return out;
}

}  // namespace

int run_cluster_report(const cluster_report_args& args)
{
    yaml::diagnostics diags;
    auto cfg = config::load_daemon_config(args.config, daemon::process_environment(), diags);
    if (!cfg) {
        std::cerr << diags.to_string();
        return exit_failure;
    }
    if (!cfg->ha) {
        std::cerr << cluster_who << ": " << args.config
                  << " has no ha: section: a single node's report is `paymand audit report`\n";
        return exit_failure;
    }
    std::vector<node_report> nodes;
    auto read = read_ledger(
        *cfg->ha, daemon::process_environment(),
        {.application_name = "paymand audit report",
         .reply = std::chrono::seconds(30),
         .statement = std::chrono::seconds(25)},
        [&](ledger::connection& conn) -> asio::awaitable<core::result<void, ledger::db_error>> {
            auto names = co_await ledger::async_shipped_nodes(conn);
            if (!names) co_return names.error();
            for (auto& name : *names) {
                auto one = co_await read_node(conn, std::move(name), args.window);
                if (!one) co_return one.error();
                nodes.push_back(std::move(*one));
            }
            co_return core::result<void, ledger::db_error>{};
        });
    if (!read) {
        std::cerr << cluster_who << ": the shared ledger cannot be read: " << read.error().message
                  << "\n";
        return read.error().code == ledger::ledger_errc::unexpected_answer ? exit_data_error
                                                                           : exit_unavailable;
    }
    auto totals = add_up(nodes);
    if (!totals) {
        std::cerr << cluster_who << ": " << totals.error().message << "\n";
        return exit_data_error;
    }
    if (args.json)
        std::cout << json::serialize(cluster_to_json(nodes, *totals)) << "\n";
    else
        print_cluster_text(nodes, *totals);
    return totals->paid_twice.empty() ? exit_ok : exit_data_error;
}

}  // namespace paymand::app
