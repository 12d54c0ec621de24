// The audit shipper against a real PostgreSQL: a node's stamped log, written by the file store,
// ends up in paymand_audit byte for byte with every link verified by the database; a restart
// resumes without duplicates or gaps; a ledger holding another chain stops it; a connection
// lost mid-batch (the batch committed, its answer lost) resumes where the ledger's copy ends.
// Every verdict is read from the database's rows.

#include "ledger_fixture.hpp"
#include "paymand/audit/codec.hpp"
#include "paymand/audit/file_audit_store.hpp"
#include "paymand/core/task_group.hpp"
#include "paymand/daemon/audit_shipper.hpp"
#include "paymand/ledger/audit_shipping.hpp"
#include "support/process.hpp"
#include "support/tcp_proxy.hpp"

#include <gmock/gmock.h>

#include <atomic>
#include <fstream>
#include <sstream>

namespace paymand::test {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::HasSubstr;

// A node's audit log on disk, written as the daemon writes it (HA mode: stamped).
struct node_log {
    temp_dir dir;
    std::atomic<std::uint64_t> epoch{3};
    std::function<void(std::uint64_t)> durable;  // the shipper's hook, once it exists
    std::uint64_t last_durable = 0;
    std::unique_ptr<audit::file_audit_store> store;

    std::filesystem::path path() const { return dir / "audit.jsonl"; }

    void open()
    {
        audit::file_store_params p{.log_path = path()};
        p.stamp = [this] { return audit::node_stamp{.node = "node-a", .epoch = epoch.load()}; };
        p.on_durable = [this](std::uint64_t seq) {
            last_durable = seq;
            if (durable) durable(seq);
        };
        store = std::make_unique<audit::file_audit_store>(std::move(p));
        if (!store->lock()) throw std::runtime_error("node_log: lock");
        audit::audit_projection projection;
        if (!store->replay(projection)) throw std::runtime_error("node_log: replay");
    }

    // Appends `n` records, `per_append` at a time.
    void append(int n, int per_append = 1)
    {
        for (int done = 0; done < n; done += per_append) {
            std::vector<audit::record_body> batch;
            for (int i = done; i < std::min(n, done + per_append); ++i)
                batch.push_back(audit::started_record{.version = "0.1.0", .pid = 1000 + i});
            if (!store->append(batch)) throw std::runtime_error("node_log: append");
        }
    }

    // The log's lines, without their newlines.
    std::vector<std::string> lines() const
    {
        std::ifstream in(path(), std::ios::binary);
        std::vector<std::string> out;
        for (std::string line; std::getline(in, line);) out.push_back(line);
        return out;
    }
};

class audit_shipper_test : public ledger_store_test {
protected:
    core::task_group group{io.get_executor(), [](std::string_view task, std::exception_ptr) {
                               ADD_FAILURE() << "task " << task << " ended by an exception";
                           }};
    node_log log;
    std::vector<std::int64_t> acknowledged;
    std::optional<core::error> divergence;
    std::unique_ptr<daemon::audit_shipper> shipper;

    daemon::audit_shipper_settings shipper_settings(ledger::connection_settings conn)
    {
        daemon::audit_shipper_settings s;
        s.connection = std::move(conn);
        s.node = "node-a";
        s.log_path = log.path();
        s.batch_records = 10;
        s.retry_first = 20ms;
        s.retry_max = 200ms;
        return s;
    }

    // A shipper for `log` whose hook the store calls; started in the group.
    void start(daemon::audit_shipper_settings s)
    {
        shipper = std::make_unique<daemon::audit_shipper>(
            io.get_executor(), std::move(s),
            [this](std::int64_t seq) { acknowledged.push_back(seq); },
            [this](const core::error& e) { divergence = e; });
        log.durable = shipper->durable_hook();
        // As in the daemon, where the store's replay tells it.
        if (log.store) shipper->notify_durable(log.last_durable);
        shipper->start(group);
    }
    void start() { start(shipper_settings(socket_settings())); }

    // Cancels the group and runs until the shipper's task has ended.
    void stop()
    {
        group.cancel(boost::asio::cancellation_type::terminal);
        ASSERT_TRUE(run_until([&] { return group.size() == 0; }));
        log.durable = nullptr;
    }

    bool acknowledged_through(std::int64_t seq)
    {
        return !acknowledged.empty() && acknowledged.back() >= seq;
    }

    // node-a's rows as the database holds them: the record's bytes, in seq order.
    std::vector<std::string> ledger_lines()
    {
        const std::string all = pg.query_value(
            db, "SELECT coalesce(string_agg(convert_from(record, 'UTF8'), E'\\n' ORDER BY seq), "
                "'') FROM paymand_audit WHERE node = 'node-a'");
        std::vector<std::string> out;
        std::istringstream in(all);
        for (std::string line; std::getline(in, line);) out.push_back(line);
        return out;
    }

    // Rows of node-a that are 1..count with no hole (the trigger verified every link).
    std::string seq_summary()
    {
        return pg.query_value(db, "SELECT count(*) || ' ' || coalesce(min(seq), 0) || ' ' || "
                                  "coalesce(max(seq), 0) FROM paymand_audit WHERE node = 'node-a'");
    }
};

TEST_F(audit_shipper_test, a_stamped_log_ships_completely_and_the_ledger_chain_is_the_log)
{
    log.open();
    log.append(14, 3);
    start();
    ASSERT_TRUE(run_until([&] { return acknowledged_through(14); }));
    // Written while the shipper runs: the writer's hook wakes it.
    log.epoch = 4;
    log.append(13, 5);
    ASSERT_TRUE(run_until([&] { return acknowledged_through(27); })) << seq_summary();

    EXPECT_EQ(seq_summary(), "27 1 27");
    const auto lines = log.lines();
    ASSERT_EQ(lines.size(), 27u);
    EXPECT_EQ(ledger_lines(), lines);
    EXPECT_THAT(lines.front(), HasSubstr(R"("node":"node-a","epoch":3,)"));
    EXPECT_THAT(lines.back(), HasSubstr(R"("node":"node-a","epoch":4,)"));
    // The database's own link check agrees with the log: each row's prev_hash is the row before.
    EXPECT_EQ(pg.query_value(db,
                             "SELECT count(*) FROM paymand_audit a JOIN paymand_audit b ON "
                             "a.node = b.node AND b.seq = a.seq + 1 WHERE b.prev_hash = a.hash"),
              "26");
    EXPECT_TRUE(std::is_sorted(acknowledged.begin(), acknowledged.end()));
    EXPECT_FALSE(shipper->diverged());
    stop();
}

TEST_F(audit_shipper_test, nothing_past_the_durable_seq_is_shipped)
{
    log.open();
    log.append(5);
    log.store.reset();  // its lines 4 and 5 stand for a failed append's tail
    start();
    shipper->notify_durable(3);
    ASSERT_TRUE(run_until([&] { return acknowledged_through(3); }));
    EXPECT_EQ(seq_summary(), "3 1 3");
    shipper->notify_durable(5);
    ASSERT_TRUE(run_until([&] { return acknowledged_through(5); }));
    EXPECT_EQ(seq_summary(), "5 1 5");
    EXPECT_EQ(ledger_lines(), log.lines());
    stop();
}

TEST_F(audit_shipper_test, a_restart_resumes_without_duplicates_or_gaps)
{
    log.open();
    log.append(12);
    start();
    ASSERT_TRUE(run_until([&] { return acknowledged_through(12); }));
    stop();

    log.append(9, 2);  // written while no shipper ran
    // Records the ledger took from a previous run whose answer never arrived.
    const auto lines = log.lines();
    auto c = open();
    std::vector<ledger::shipped_record> unanswered;
    for (int seq = 13; seq <= 15; ++seq) unanswered.push_back({.seq = seq, .line = lines[seq - 1]});
    ASSERT_TRUE(run(ledger::async_ship_audit(c, "node-a", unanswered)));

    acknowledged.clear();
    auto s = shipper_settings(socket_settings());
    s.acknowledged = 12;
    start(s);
    ASSERT_TRUE(run_until([&] { return acknowledged_through(21); })) << seq_summary();
    EXPECT_EQ(acknowledged.front(), 15);  // the ledger's tail, found on resume
    EXPECT_EQ(seq_summary(), "21 1 21");
    EXPECT_EQ(ledger_lines(), lines);
    stop();
}

TEST_F(audit_shipper_test, a_ledger_holding_another_record_at_a_seq_stops_the_shipper)
{
    // Another log of the same node name (a second node misconfigured, or a replaced disk).
    node_log other;
    other.epoch = 9;
    other.open();
    other.append(3);
    auto c = open();
    std::vector<ledger::shipped_record> theirs;
    for (const auto& line : other.lines())
        theirs.push_back({.seq = static_cast<std::int64_t>(theirs.size() + 1), .line = line});
    ASSERT_TRUE(run(ledger::async_ship_audit(c, "node-a", theirs)));

    log.open();
    log.append(5);
    start();
    ASSERT_TRUE(run_until([&] { return divergence.has_value(); }));
    EXPECT_EQ(divergence->code, ledger::ledger_errc::audit_diverged);
    EXPECT_THAT(divergence->message, HasSubstr("another record at seq 3"));
    EXPECT_TRUE(shipper->diverged());
    EXPECT_EQ(daemon::to_string(shipper->status().state), "diverged");
    // The task ended on its own, and the ledger still holds only the other chain.
    ASSERT_TRUE(run_until([&] { return group.size() == 0; }));
    EXPECT_EQ(seq_summary(), "3 1 3");
    EXPECT_EQ(ledger_lines(), other.lines());
    EXPECT_TRUE(acknowledged.empty());
}

TEST_F(audit_shipper_test, a_ledger_holding_more_than_the_log_or_less_than_it_acknowledged_stops)
{
    log.open();
    log.append(4);
    auto c = open();
    std::vector<ledger::shipped_record> all;
    for (const auto& line : log.lines())
        all.push_back({.seq = static_cast<std::int64_t>(all.size() + 1), .line = line});
    ASSERT_TRUE(run(ledger::async_ship_audit(c, "node-a", all)));

    // This log lost its last two records (restored from an older copy of the disk).
    log.store.reset();
    start();
    shipper->notify_durable(2);
    ASSERT_TRUE(run_until([&] { return divergence.has_value(); }));
    EXPECT_THAT(divergence->message, HasSubstr("records 3..4"));
    ASSERT_TRUE(run_until([&] { return group.size() == 0; }));

    // A ledger that holds less than it acknowledged is an older copy: not filled up again.
    divergence.reset();
    pg.execute(db, "ALTER TABLE paymand_audit DISABLE TRIGGER paymand_audit_immutable; "
                   "DELETE FROM paymand_audit WHERE seq > 1");
    auto s = shipper_settings(socket_settings());
    s.acknowledged = 4;
    start(s);
    shipper->notify_durable(4);
    ASSERT_TRUE(run_until([&] { return divergence.has_value(); }));
    EXPECT_THAT(divergence->message, HasSubstr("older copy"));
    ASSERT_TRUE(run_until([&] { return group.size() == 0; }));
    EXPECT_EQ(seq_summary(), "1 1 1");
}

// The first batch's INSERT waits behind a lock; the link goes silent; the lock goes, so the
// batch commits with its answer held in the silent link; the shipper's reply deadline passes
// (outcome unknown), it reconnects once the link heals and resumes after the committed batch.
TEST_F(audit_shipper_test, a_connection_lost_mid_batch_resumes_after_what_committed)
{
    tcp_proxy proxy(static_cast<std::uint16_t>(pg.port()));
    auto conn = settings_for("host=127.0.0.1 port=" + std::to_string(proxy.port()) +
                             " user=postgres password=" + std::string(pg_server::password) +
                             " dbname=" + db + " application_name=audit-shipper-test");
    conn.connect_timeout = 500ms;
    conn.reply_timeout = 1500ms;
    conn.lock_timeout = 20000ms;
    conn.statement_timeout = 20000ms;
    auto s = shipper_settings(conn);

    log.open();
    log.append(35, 7);
    auto blocker = open();
    ASSERT_TRUE(run(blocker.async_query("BEGIN")));
    ASSERT_TRUE(run(blocker.async_query("LOCK TABLE paymand_audit IN SHARE MODE")));
    start(s);
    ASSERT_TRUE(run_until([&] {
        return pg.query_value(db, "SELECT count(*) FROM pg_stat_activity WHERE application_name "
                                  "= 'audit-shipper-test' AND wait_event_type = 'Lock'") == "1";
    }));
    proxy.black_hole();
    ASSERT_TRUE(await(blocker.async_query("COMMIT")));
    // The first batch is in; its answer is not.
    ASSERT_TRUE(run_until([&] { return seq_summary() == "10 1 10"; }));
    ASSERT_TRUE(run_until([&] { return shipper->status().failures > 0; }));
    EXPECT_TRUE(acknowledged.empty());
    proxy.pass();

    ASSERT_TRUE(run_until([&] { return acknowledged_through(35); })) << seq_summary();
    EXPECT_EQ(seq_summary(), "35 1 35");
    EXPECT_EQ(ledger_lines(), log.lines());
    EXPECT_EQ(acknowledged.front(), 10);  // found on resume, not re-shipped
    stop();
}

}  // namespace
}  // namespace paymand::test
