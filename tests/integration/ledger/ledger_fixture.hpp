#pragma once

// What every ledger test starts from: the binary's PostgreSQL server, a fresh database of the
// test's own, an io_context, and a way to run a coroutine on it to the end.

#include "paymand/ledger/connection.hpp"
#include "paymand/ledger/lease.hpp"
#include "paymand/ledger/occurrence_ledger.hpp"
#include "paymand/ledger/schema.hpp"
#include "support/pg_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace paymand::test {

// How long a lease the lease and occurrence-ledger tests take.
inline constexpr auto lease_time = std::chrono::seconds(10);

// What a test's payment pays, written into its row at the gate.
inline ledger::row_payment test_payment(std::int64_t minor = 100'00)
{
    return {.payee = "John Doe",
            .amount_minor = minor,
            .currency = "TSD",
            .due = std::chrono::sys_seconds(std::chrono::seconds(1'795'000'000))};
}

class ledger_test : public ::testing::Test {
protected:
    pg_server& pg = pg_environment::server();
    std::string db = pg.create_database();
    boost::asio::io_context io;

    ledger::connection_settings settings_for(std::string conninfo) const
    {
        ledger::connection_settings s;
        s.conninfo = std::move(conninfo);
        s.connect_timeout = std::chrono::seconds(5);
        s.reply_timeout = std::chrono::seconds(5);
        return s;
    }
    ledger::connection_settings socket_settings() const
    {
        return settings_for(pg.socket_conninfo(db));
    }

    // Runs `task` on io until it ends (30 s at most, then throws) and returns its value.
    template <class T>
    T run(boost::asio::awaitable<T> task)
    {
        std::optional<T> out;
        std::exception_ptr thrown;
        boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
            thrown = e;
            if (!e) out.emplace(std::move(value));
        });
        io.restart();
        io.run_for(std::chrono::seconds(30));
        if (thrown) std::rethrow_exception(thrown);
        if (!out) throw std::runtime_error("ledger_test: the task did not end within 30 s");
        return std::move(*out);
    }

    // Runs the io_context until `done` holds (true) or `timeout` passed (false).
    template <class Predicate>
    bool run_until(Predicate done,
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(10000))
    {
        const auto until = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            if (done()) return true;
            if (std::chrono::steady_clock::now() >= until) return false;
            io.restart();
            io.run_for(std::chrono::milliseconds(2));
        }
    }

    // Runs `task` beside tasks that never end on their own (a lease keeper, an audit shipper)
    // until it ends: run() waits for the io_context to run out of work, which they never do.
    template <class T>
    T await(boost::asio::awaitable<T> task)
    {
        std::optional<T> out;
        boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
            if (!e) out.emplace(std::move(value));
        });
        if (!run_until([&] { return out.has_value(); }))
            throw std::runtime_error("ledger_test: a statement did not end within 10 s");
        return std::move(*out);
    }

    // Runs `a` and `b` at once on io (both in flight together: a race) until both end.
    template <class A, class B>
    std::pair<A, B> run_both(boost::asio::awaitable<A> a, boost::asio::awaitable<B> b)
    {
        std::optional<A> out_a;
        std::optional<B> out_b;
        std::exception_ptr thrown;
        boost::asio::co_spawn(io, std::move(a), [&](std::exception_ptr e, A value) {
            if (e) thrown = e;
            if (!e) out_a.emplace(std::move(value));
        });
        boost::asio::co_spawn(io, std::move(b), [&](std::exception_ptr e, B value) {
            if (e) thrown = e;
            if (!e) out_b.emplace(std::move(value));
        });
        io.restart();
        io.run_for(std::chrono::seconds(30));
        if (thrown) std::rethrow_exception(thrown);
        if (!out_a || !out_b) throw std::runtime_error("ledger_test: a task did not end in 30 s");
        return {std::move(*out_a), std::move(*out_b)};
    }

    // A connection opened with `s`; the test fails when it cannot connect.
    ledger::connection open(const ledger::connection_settings& s)
    {
        ledger::connection c(io.get_executor());
        auto r = run(c.async_connect(s));
        if (!r) throw std::runtime_error("ledger_test: connect: " + r.error().what());
        return c;
    }
    ledger::connection open() { return open(socket_settings()); }

    // The lease expires now by the database clock, as if its holder had stopped renewing.
    void expire_lease() const
    {
        pg.execute(db, "UPDATE paymand_lease SET expires_at = clock_timestamp() - interval '1 ms'");
    }

    // Takes the lease (free or expired) for `node` on `c` for lease_time: its fence.
    ledger::fence take_lease(ledger::connection& c, const std::string& node)
    {
        auto got = run(ledger::async_acquire_lease(c, node, lease_time));
        if (!got || !*got) throw std::runtime_error("ledger_test: no lease for " + node);
        return ledger::fence{.node = node, .epoch = (*got)->epoch};
    }

    // Claims `identity` of `rule` and opens its gate, as a node does before it sends: the row
    // is `sending`.
    void claim_and_send(ledger::connection& c, const ledger::fence& f, const std::string& identity,
                        const std::string& rule, ledger::row_payment pays = test_payment())
    {
        ASSERT_EQ(*run(ledger::async_claim(c, f, identity, rule)), ledger::claim_outcome::claimed);
        ASSERT_TRUE(*run(ledger::async_open_gate(c, f, identity, std::move(pays))));
    }
};

// A database holding the ledger's schema.
class ledger_store_test : public ledger_test {
protected:
    void SetUp() override
    {
        auto c = open();
        auto made = run(ledger::async_migrate(c, ledger::migrate_mode::init));
        ASSERT_TRUE(made) << made.error().what();
    }

    // "state node epoch" of the row of `identity`, "" when there is none.
    std::string row_of(const std::string& identity) const
    {
        return pg.query_value(db, "SELECT state || ' ' || node || ' ' || epoch FROM "
                                  "paymand_occurrence WHERE identity = '" +
                                      identity + "'");
    }

    // Blocks until the backend `pid` waits for a lock (a statement of another connection is
    // held up behind a transaction this test keeps open); fails after 10 s.
    void wait_until_blocked(const std::string& pid)
    {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (pg.query_value(db, "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid +
                                      " AND wait_event_type = 'Lock'") != "1") {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline)
                << "backend " << pid << " never waited for a lock";
            io.restart();
            io.run_for(std::chrono::milliseconds(2));
        }
    }
};

}  // namespace paymand::test
