#include "app/status_cluster.hpp"

#include "app/audit_log_source.hpp"
#include "app/ledger_read.hpp"
#include "paymand/config/ha_config.hpp"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iterator>
#include <utility>

namespace paymand::app {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using std::chrono::milliseconds;

// A duration for people: "8.2 s", "40 s", "12 min", "5 h", "3 days".
std::string duration_text(milliseconds d)
{
    const auto ms = std::llabs(d.count());
    if (ms < 10'000) return fmt::format("{:.1f} s", static_cast<double>(ms) / 1000.0);
    if (ms < 120'000) return fmt::format("{} s", ms / 1000);
    if (ms < 120 * 60'000) return fmt::format("{} min", ms / 60'000);
    if (ms < 48 * 3'600'000) return fmt::format("{} h", ms / 3'600'000);
    return fmt::format("{} days", ms / 86'400'000);
}

bool leads(const ledger::cluster_view& v)
{
    return v.lease.holder && v.lease.remaining.count() > 0;
}

// "pay-1 leads (epoch 7, 8.2 s of its lease left)" or "no node leads (...): ...".
std::string lease_line(const ledger::cluster_view& v)
{
    if (leads(v))
        return fmt::format("cluster: {} leads (epoch {}, {} of its lease left)",
                           one_line(*v.lease.holder), v.lease.epoch,
                           duration_text(v.lease.remaining));
    const auto why = v.lease.holder
                         ? fmt::format("the lease expired {} ago", duration_text(v.lease.remaining))
                         : std::string("no node has held the lease yet");
    return fmt::format("cluster: no node leads ({}): nothing is paid until one takes over", why);
}

std::string resolve_command(const ledger::open_occurrence& row)
{
    return fmt::format("paymand audit resolve {} --paid|--not-paid --note \"...\"",
                       one_line(row.identity));
}

// An open row that needs an operator (not a payment in flight under the current lease).
std::vector<const ledger::open_occurrence*> needing_operator(const cluster_status& c)
{
    auto rows = others_open(c);
    std::erase_if(rows, [&](const auto* row) { return ledger::in_flight(*c.view, *row); });
    return rows;
}

}  // namespace

namespace {

// The cluster's view, then the other nodes' spending as a new leader's limits count it.
asio::awaitable<core::result<void, ledger::db_error>>
read_into(ledger::connection& conn, cluster_status& out, ledger::cluster_view& view)
{
    auto got = co_await ledger::async_read_cluster(conn);
    if (!got) co_return got.error();
    view = std::move(*got);
    auto progress = co_await ledger::async_read_progress(conn, "~manual", out.self);
    if (!progress) co_return progress.error();
    for (auto& p : *progress) {
        std::ranges::move(p.others_paid, std::back_inserter(out.others_paid));
        std::ranges::move(p.others_in_doubt, std::back_inserter(out.others_in_doubt));
    }
    co_return core::result<void, ledger::db_error>{};
}

}  // namespace

cluster_status read_cluster_status(const config::ha_config& ha, const config::env_lookup& getenv)
{
    cluster_status out{.self = ha.node};
    ledger::cluster_view view;
    auto read = read_ledger(ha, getenv, {.application_name = "paymand status"},
                            [&](ledger::connection& conn) { return read_into(conn, out, view); });
    if (read)
        out.view = std::move(view);
    else
        out.cannot_tell = read.error().message;
    return out;
}

std::vector<const ledger::open_occurrence*> others_open(const cluster_status& c)
{
    std::vector<const ledger::open_occurrence*> rows;
    if (!c.view) return rows;
    for (const auto& row : c.view->open)
        if (row.node != c.self) rows.push_back(&row);
    return rows;
}

void add_cluster_verdict(inspect::status_verdict& verdict, const cluster_status& c)
{
    using inspect::health_level;
    if (!c.view) {
        verdict.add(health_level::warning, "cluster: cannot tell: " + one_line(c.cannot_tell));
        return;
    }
    verdict.add(leads(*c.view) ? health_level::ok : health_level::warning, lease_line(*c.view));
    if (const auto rows = needing_operator(c); !rows.empty())
        verdict.add(health_level::warning,
                    fmt::format("cluster: {} occurrence{} of other nodes need{} an operator",
                                rows.size(), rows.size() == 1 ? "" : "s",
                                rows.size() == 1 ? "s" : ""));
}

void print_cluster(const cluster_status& c)
{
    if (!c.view) {
        fmt::print("cluster: cannot tell: {}\n  who leads and what other nodes left in doubt "
                   "are unknown: run status on each node, or read the ledger (docs/ha.md)\n",
                   one_line(c.cannot_tell));
        return;
    }
    const auto& v = *c.view;
    fmt::print("{}\n", lease_line(v));
    for (const auto& n : v.nodes)
        fmt::print("  node {}{}: {}, last seen {} ago\n", one_line(n.node),
                   n.node == c.self ? " (this node)" : "", n.alive ? "alive" : "not alive",
                   duration_text(n.since_seen));
    const auto rows = others_open(c);
    if (rows.empty()) fmt::print("  in doubt or sending on other nodes: none\n");
    for (const auto* row : rows) {
        const bool flying = ledger::in_flight(v, *row);
        fmt::print("  {} on {}: {} (rule {}, epoch {}, {} ago){}\n",
                   flying ? "in flight" : "IN DOUBT", one_line(row->node), one_line(row->identity),
                   one_line(row->rule), row->epoch, duration_text(row->since_update),
                   row->state == ledger::occurrence_state::sending && !flying
                       ? ": sending under a lease that is no longer current"
                       : "");
        if (!flying)
            fmt::print("    check Payman, then on {}: {}\n", one_line(row->node),
                       resolve_command(*row));
    }
}

json::object cluster_json(const cluster_status& c)
{
    if (!c.view) return json::object{{"readable", false}, {"error", c.cannot_tell}};
    const auto& v = *c.view;
    json::object out{{"readable", true}};
    out["lease"] = json::object{
        {"holder", v.lease.holder ? json::value(*v.lease.holder) : json::value(nullptr)},
        {"epoch", v.lease.epoch},
        {"remaining_ms", v.lease.remaining.count()}};
    out["leader"] = leads(v) ? json::value(*v.lease.holder) : json::value(nullptr);
    json::array nodes;
    for (const auto& n : v.nodes)
        nodes.push_back(json::object{{"node", n.node},
                                     {"alive", n.alive},
                                     {"seen_ms_ago", n.since_seen.count()},
                                     {"self", n.node == c.self}});
    out["nodes"] = std::move(nodes);
    json::array open;
    for (const auto* row : others_open(c)) {
        const bool flying = ledger::in_flight(v, *row);
        json::object item{{"identity", row->identity},
                          {"rule", row->rule},
                          {"state", std::string(ledger::to_string(row->state))},
                          {"node", row->node},
                          {"epoch", row->epoch},
                          {"updated_ms_ago", row->since_update.count()},
                          {"in_flight", flying}};
        if (!flying) item["resolve"] = resolve_command(*row);
        open.push_back(std::move(item));
    }
    out["open"] = std::move(open);
    return out;
}

}  // namespace paymand::app
