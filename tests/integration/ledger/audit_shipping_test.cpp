// Audit chains shipped into the ledger: real lines from the audit codec, every link verified by
// PostgreSQL's sha256() on insert; a broken link, a gap, a duplicate or a malformed line is
// refused with nothing of its batch stored; shipped records never change.

#include "ledger_fixture.hpp"
#include "paymand/audit/codec.hpp"
#include "paymand/audit/hash_chain.hpp"
#include "paymand/ledger/audit_shipping.hpp"
#include "paymand/ledger/continuity.hpp"
#include "paymand/ledger/lease.hpp"

namespace paymand::test {
namespace {

using namespace std::chrono_literals;

using audit_shipping_test = ledger_store_test;

// `count` consecutive lines of a node's log, formatted by the audit codec, chained from seq 1.
std::vector<ledger::shipped_record> chain(int count)
{
    std::vector<ledger::shipped_record> out;
    std::string prev(audit::genesis_hash);
    for (int seq = 1; seq <= count; ++seq) {
        audit::record r{.seq = static_cast<std::uint64_t>(seq),
                        .body = audit::started_record{.version = "0.1.0", .pid = 4000 + seq}};
        auto line = audit::format_line(r, prev);
        if (!line) throw std::runtime_error("format_line failed");
        line->pop_back();  // the newline
        prev = r.hash;
        out.push_back({.seq = seq, .line = std::move(*line)});
    }
    return out;
}

std::vector<ledger::shipped_record> slice(const std::vector<ledger::shipped_record>& all,
                                          std::size_t from, std::size_t to)
{
    return {all.begin() + static_cast<std::ptrdiff_t>(from),
            all.begin() + static_cast<std::ptrdiff_t>(to)};
}

TEST_F(audit_shipping_test, a_real_chain_ships_byte_for_byte_and_every_link_verifies)
{
    auto c = open();
    const auto lines = chain(5);
    ASSERT_TRUE(run(ledger::async_ship_audit(c, "node-a", slice(lines, 0, 2))));
    auto shipped = run(ledger::async_ship_audit(c, "node-a", slice(lines, 2, 5)));
    ASSERT_TRUE(shipped) << shipped.error().what();
    auto tail = run(ledger::async_shipped_tail(c, "node-a"));
    ASSERT_TRUE(tail) << tail.error().what();
    EXPECT_EQ(tail->seq, 5);
    EXPECT_EQ(tail->hash, audit::split_line(lines[4].line)->hash);
    EXPECT_EQ(pg.query_value(db, "SELECT convert_from(record, 'UTF8') FROM paymand_audit "
                                 "WHERE node = 'node-a' AND seq = 3"),
              lines[2].line);
    EXPECT_EQ(pg.query_value(db, "SELECT count(*) FROM paymand_audit a JOIN paymand_audit b "
                                 "ON a.node = b.node AND b.seq = a.seq + 1 "
                                 "WHERE b.prev_hash = a.hash"),
              "4");
    // Another node's chain is its own, starting at seq 1.
    ASSERT_TRUE(run(ledger::async_ship_audit(c, "node-b", slice(lines, 0, 1))));
    EXPECT_EQ(run(ledger::async_shipped_tail(c, "node-b"))->seq, 1);
    EXPECT_EQ(run(ledger::async_shipped_tail(c, "node-c"))->seq, 0);
}

// A reader of the cluster's logs gets each node's lines back byte for byte, page by page.
TEST_F(audit_shipping_test, shipped_chains_read_back_byte_for_byte_page_by_page)
{
    auto c = open();
    const auto lines = chain(5);
    ASSERT_TRUE(run(ledger::async_ship_audit(c, "node-b", lines)));
    ASSERT_TRUE(run(ledger::async_ship_audit(c, "node-a", slice(lines, 0, 2))));
    EXPECT_EQ(*run(ledger::async_shipped_nodes(c)), (std::vector<std::string>{"node-a", "node-b"}));
    auto first = run(ledger::async_read_shipped(c, "node-b", 0, 3));
    ASSERT_TRUE(first) << first.error().what();
    ASSERT_EQ(first->size(), 3u);
    auto rest = run(ledger::async_read_shipped(c, "node-b", first->back().seq, 3));
    ASSERT_TRUE(rest);
    ASSERT_EQ(rest->size(), 2u);
    for (std::size_t i = 0; i < 5; ++i) {
        const auto& got = i < 3 ? (*first)[i] : (*rest)[i - 3];
        EXPECT_EQ(got.seq, lines[i].seq);
        EXPECT_EQ(got.line, lines[i].line);
    }
    EXPECT_EQ(run(ledger::async_read_shipped(c, "node-a", 0, 10))->size(), 2u);
    EXPECT_TRUE(run(ledger::async_read_shipped(c, "node-c", 0, 10))->empty());
}

TEST_F(audit_shipping_test, a_broken_link_is_refused_with_its_whole_batch)
{
    auto c = open();
    auto lines = chain(4);
    ASSERT_TRUE(run(ledger::async_ship_audit(c, "node-a", slice(lines, 0, 1))));
    lines[2].line[lines[2].line.find("0.1.0")] = '9';  // an edited byte in record 3
    auto r = run(ledger::async_ship_audit(c, "node-a", slice(lines, 1, 4)));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "PMA03") << r.error().what();
    EXPECT_EQ(run(ledger::async_shipped_tail(c, "node-a"))->seq, 1);
}

TEST_F(audit_shipping_test, a_gap_is_refused)
{
    auto c = open();
    const auto lines = chain(4);
    ASSERT_TRUE(run(ledger::async_ship_audit(c, "node-a", slice(lines, 0, 2))));
    auto r = run(ledger::async_ship_audit(c, "node-a", slice(lines, 3, 4)));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "PMA02") << r.error().what();
    auto first_missing = run(ledger::async_ship_audit(c, "other", slice(lines, 1, 2)));
    ASSERT_FALSE(first_missing);
    EXPECT_EQ(first_missing.error().sqlstate, "PMA02");
}

TEST_F(audit_shipping_test, a_second_copy_of_a_record_is_refused)
{
    auto c = open();
    const auto lines = chain(2);
    ASSERT_TRUE(run(ledger::async_ship_audit(c, "node-a", slice(lines, 0, 2))));
    auto r = run(ledger::async_ship_audit(c, "node-a", slice(lines, 1, 2)));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "23505") << r.error().what();
}

TEST_F(audit_shipping_test, a_malformed_line_or_a_wrong_seq_is_refused)
{
    auto c = open();
    const auto lines = chain(2);
    auto truncated = lines[0];
    truncated.line.pop_back();
    auto r = run(ledger::async_ship_audit(c, "node-a", {truncated}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "PMA01") << r.error().what();
    auto renumbered = lines[1];
    renumbered.seq = 1;  // the line says seq 2
    auto wrong = run(ledger::async_ship_audit(c, "node-a", {renumbered}));
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().sqlstate, "PMA01") << wrong.error().what();
}

TEST_F(audit_shipping_test, shipped_records_are_never_changed_or_deleted)
{
    auto c = open();
    ASSERT_TRUE(run(ledger::async_ship_audit(c, "node-a", chain(1))));
    auto changed = run(c.async_query("UPDATE paymand_audit SET node = 'x'"));
    ASSERT_FALSE(changed);
    EXPECT_EQ(changed.error().sqlstate, "PMA04");
    auto deleted = run(c.async_query("DELETE FROM paymand_audit"));
    ASSERT_FALSE(deleted);
    EXPECT_EQ(deleted.error().sqlstate, "PMA04");
}

// A restored backup holds an older epoch and a shorter copy of the node's chain: the node, which
// remembers both, refuses to lead.
TEST_F(audit_shipping_test, a_database_restored_from_an_older_copy_is_detected)
{
    auto c = open();
    ASSERT_TRUE(run(ledger::async_ship_audit(c, "node-a", chain(3))));
    ASSERT_TRUE(run(ledger::async_acquire_lease(c, "node-a", 10s))->has_value());
    expire_lease();
    ASSERT_TRUE(run(ledger::async_acquire_lease(c, "node-a", 10s))->has_value());
    const ledger::node_memory memory{.highest_epoch = 2, .shipped_seq = 3};
    auto now = run(ledger::async_read_position(c, "node-a"));
    ASSERT_TRUE(now) << now.error().what();
    EXPECT_EQ(now->epoch, 2);
    EXPECT_EQ(now->shipped_seq, 3);
    EXPECT_EQ(ledger::judge_continuity(*now, memory), ledger::continuity::intact);

    // What a restore of an older dump looks like.
    pg.execute(db, "ALTER TABLE paymand_audit DISABLE TRIGGER paymand_audit_immutable; "
                   "DELETE FROM paymand_audit WHERE seq = 3; "
                   "UPDATE paymand_lease SET epoch = 1");
    auto restored = run(ledger::async_read_position(c, "node-a"));
    ASSERT_TRUE(restored);
    EXPECT_EQ(ledger::judge_continuity(*restored, memory),
              ledger::continuity::epoch_went_backwards);
    pg.execute(db, "UPDATE paymand_lease SET epoch = 2");
    auto shorter = run(ledger::async_read_position(c, "node-a"));
    ASSERT_TRUE(shorter);
    EXPECT_EQ(ledger::judge_continuity(*shorter, memory), ledger::continuity::chain_shorter);
}

}  // namespace
}  // namespace paymand::test
