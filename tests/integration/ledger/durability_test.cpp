// The exactly-once boundary is the database's durability: a committed gate must survive the
// server crashing right after the commit. This test's server keeps PostgreSQL's durable
// defaults (fsync, synchronous_commit), unlike the binary's fast shared server.

#include "ledger_fixture.hpp"
#include "paymand/ledger/lease.hpp"
#include "paymand/ledger/occurrence_ledger.hpp"

namespace paymand::test {
namespace {

using namespace std::chrono_literals;

TEST(durability, a_committed_gate_survives_an_immediate_server_crash)
{
    pg_server durable({.durable = true});
    const auto db = durable.create_database();
    boost::asio::io_context io;
    auto run = [&io](auto task) {
        using result_type = typename decltype(task)::value_type;
        std::optional<result_type> out;
        boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr, result_type r) {
            out.emplace(std::move(r));
        });
        io.restart();
        io.run_for(30s);
        if (!out) throw std::runtime_error("the task did not end");
        return std::move(*out);
    };
    ledger::connection_settings settings;
    settings.conninfo = durable.socket_conninfo(db);
    ledger::connection c(io.get_executor());
    ASSERT_TRUE(run(c.async_connect(settings)));
    ASSERT_TRUE(run(ledger::async_migrate(c, ledger::migrate_mode::init)));
    EXPECT_EQ(durable.query_value(db, "SHOW fsync"), "on");
    EXPECT_EQ(durable.query_value(db, "SHOW synchronous_commit"), "on");
    auto grant = run(ledger::async_acquire_lease(c, "node-a", 10s));
    ASSERT_TRUE(grant && grant->has_value());
    const ledger::fence fa{.node = "node-a", .epoch = (*grant)->epoch};
    ASSERT_EQ(*run(ledger::async_claim(c, fa, "rent@1", "rent")), ledger::claim_outcome::claimed);
    ASSERT_TRUE(*run(ledger::async_open_gate(c, fa, "rent@1", test_payment())));

    durable.restart(/*immediate=*/true);  // SIGQUIT: no checkpoint, WAL replay on start

    // The old connection is gone and says so; a new one finds the gate committed.
    auto lost = run(c.async_query("SELECT 1"));
    ASSERT_FALSE(lost);
    EXPECT_EQ(lost.error().code, ledger::ledger_errc::connection_lost) << lost.error().what();
    EXPECT_TRUE(lost.error().outcome_unknown());
    EXPECT_FALSE(c.is_open());
    ASSERT_TRUE(run(c.async_connect(settings)));
    auto row = run(ledger::async_read_occurrence(c, "rent@1"));
    ASSERT_TRUE(row && row->has_value());
    EXPECT_EQ((*row)->state, ledger::occurrence_state::sending);
    auto lease = run(ledger::async_read_lease(c));
    ASSERT_TRUE(lease);
    EXPECT_EQ(lease->epoch, fa.epoch);
}

}  // namespace
}  // namespace paymand::test
