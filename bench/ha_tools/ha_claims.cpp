// bench/ha's ledger measurement (issue 21): how many occurrences per second the shared ledger
// claims, against a floor on the same server, through the same client, in the same run.
//
//   bench_ha_claims --claims 4000 --connections 1,8
//
// Starts its own PostgreSQL 15 (tests/support/pg_server.hpp: PostgreSQL's durable defaults,
// fsync included), creates the schema (`paymand db init`'s migrations), takes the lease for
// one node and then, for each connection count C, runs N statements split over C connections,
// each connection sending its share back to back over 127.0.0.1 TCP:
//   floor:   INSERT of a row of paymand_occurrence's shape into a table with the same columns
//            and primary key, no fence, no conflict clause: what any client gets per statement;
//   claim:   ledger::async_claim (fenced by the lease row FOR SHARE, ON CONFLICT on the key);
//   payment: claim, gate (async_open_gate) and result (async_record_result): the three
//            statements a node runs for one payment.
// Prints one JSON line per connection count:
//   {"connections","claims","floor_rate","claim_rate","payment_rate"}  (per second)
// Exit 0 when every statement succeeded (each claim claimed, each gate opened), 1 otherwise,
// 2 on bad arguments.

#include "paymand/ledger/connection.hpp"
#include "paymand/ledger/lease.hpp"
#include "paymand/ledger/occurrence_ledger.hpp"
#include "paymand/ledger/schema.hpp"
#include "pg_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace ledger = paymand::ledger;
using steady = std::chrono::steady_clock;

enum class workload { floor, claim, payment };

constexpr std::string_view floor_table = R"(
CREATE TABLE bench_floor (
    identity text PRIMARY KEY,
    rule text NOT NULL,
    state text NOT NULL,
    epoch bigint NOT NULL,
    node text NOT NULL,
    claimed_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
))";

struct run_context {
    ledger::connection_settings settings;
    ledger::fence who;
    std::string prefix;  // makes each run's identities its own
};

// Throws on any failure: a benchmark that lost a statement has no figure to report.
void require(bool ok, std::string_view what)
{
    if (!ok) throw std::runtime_error(std::string(what));
}

asio::awaitable<void> one_statement(ledger::connection& conn, const run_context& ctx, workload load,
                                    const std::string& identity)
{
    if (load == workload::floor) {
        // Named before the co_await: GCC 12 miscompiles braced temporaries in one.
        std::string sql =
            "INSERT INTO bench_floor (identity, rule, state, epoch, node, claimed_at, "
            "updated_at) VALUES ($1, 'bench', 'claimed', $2::bigint, $3, clock_timestamp(), "
            "clock_timestamp())";
        std::vector<ledger::param> params{identity, std::to_string(ctx.who.epoch), ctx.who.node};
        auto r = co_await conn.async_query(std::move(sql), std::move(params));
        require(r && r->affected == 1, "floor insert failed");
        co_return;
    }
    auto claimed = co_await ledger::async_claim(conn, ctx.who, identity, "bench");
    require(claimed && *claimed == ledger::claim_outcome::claimed, "claim failed");
    if (load == workload::claim) co_return;
    auto gate = co_await ledger::async_open_gate(conn, ctx.who, identity);
    require(gate && *gate, "gate refused");
    auto result = co_await ledger::async_record_result(conn, ctx.who, identity,
                                                       ledger::occurrence_state::paid);
    require(result && *result, "result not recorded");
}

asio::awaitable<void> one_connection(const run_context& ctx, workload load, std::size_t first,
                                     std::size_t count)
{
    ledger::connection conn(co_await asio::this_coro::executor);
    auto connected = co_await conn.async_connect(ctx.settings);
    require(connected.has_value(), "connect failed");
    for (std::size_t i = first; i < first + count; ++i) {
        const auto identity = fmt::format("{}-{}", ctx.prefix, i);
        co_await one_statement(conn, ctx, load, identity);
    }
}

// Runs `claims` statements of `load` over `connections` connections; the seconds it took from
// the first connect to the last answer.
double timed_run(const run_context& ctx, workload load, std::size_t claims, std::size_t connections)
{
    asio::io_context io;
    std::exception_ptr failed;
    const auto start = steady::now();
    const std::size_t share = claims / connections;
    for (std::size_t c = 0; c < connections; ++c)
        asio::co_spawn(io, one_connection(ctx, load, c * share, share), [&](std::exception_ptr e) {
            if (e && !failed) failed = e;
        });
    io.run();
    if (failed) std::rethrow_exception(failed);
    return std::chrono::duration<double>(steady::now() - start).count();
}

template <class T>
T run_once(asio::awaitable<T> task)
{
    asio::io_context io;
    std::optional<T> out;
    std::exception_ptr failed;
    asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
        failed = e;
        if (!e) out.emplace(std::move(value));
    });
    io.run();
    if (failed) std::rethrow_exception(failed);
    return std::move(*out);
}

asio::awaitable<ledger::fence> prepare_ledger(ledger::connection_settings settings)
{
    ledger::connection conn(co_await asio::this_coro::executor);
    auto connected = co_await conn.async_connect(settings);
    require(connected.has_value(), "connect failed");
    auto migrated = co_await ledger::async_migrate(conn, ledger::migrate_mode::init);
    require(migrated.has_value(), "schema init failed");
    auto created = co_await conn.async_script(std::string(floor_table));
    require(created.has_value(), "floor table failed");
    // Long enough for every run: the fence must stay current throughout.
    auto lease = co_await ledger::async_acquire_lease(conn, "bench-node", std::chrono::hours(1));
    require(lease && lease->has_value(), "lease not acquired");
    ledger::fence who{.node = "bench-node", .epoch = (*lease)->epoch};
    co_return who;
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"bench/ha: shared-ledger claims per second against a raw INSERT floor"};
    std::size_t claims = 4000;
    std::vector<std::size_t> connections{1, 8};
    app.add_option("--claims", claims, "statements per workload and connection count")
        ->check(CLI::Range(8, 1000000));
    app.add_option("--connections", connections, "connection counts")->delimiter(',');
    CLI11_PARSE(app, argc, argv);
    try {
        paymand::test::pg_server pg({.durable = true});
        const auto db = pg.create_database();
        run_context ctx;
        ctx.settings.conninfo = pg.tcp_conninfo(db);
        ctx.who = run_once(prepare_ledger(ctx.settings));
        for (const auto c : connections) {
            const std::size_t n = claims / c * c;
            ctx.prefix = fmt::format("floor-c{}", c);
            const double floor_s = timed_run(ctx, workload::floor, n, c);
            ctx.prefix = fmt::format("claim-c{}", c);
            const double claim_s = timed_run(ctx, workload::claim, n, c);
            ctx.prefix = fmt::format("pay-c{}", c);
            const double pay_s = timed_run(ctx, workload::payment, n, c);
            std::cout << fmt::format("{{\"connections\":{},\"claims\":{},\"floor_rate\":{:.1f},"
                                     "\"claim_rate\":{:.1f},\"payment_rate\":{:.1f}}}\n",
                                     c, n, n / floor_s, n / claim_s, n / pay_s);
        }
    } catch (const std::exception& e) {
        std::cerr << "bench_ha_claims: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
