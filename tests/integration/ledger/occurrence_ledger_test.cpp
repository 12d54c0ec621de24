// The occurrence ledger against a real server: the unique claim, the fenced gate (one UPDATE
// that checks the epoch under the database clock), results recorded by the sender only, and
// races between two connections and two nodes.

#include "ledger_fixture.hpp"
#include "paymand/ledger/lease.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace paymand::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using ledger::claim_outcome;
using ledger::fence;
using ledger::occurrence_state;

using occurrence_ledger_test = ledger_store_test;

// Takes the lease for `node` (it must be free or expired) and returns its fence.
fence lead_on(ledger::connection& c, const std::string& node, std::chrono::milliseconds duration,
              asio::io_context& io)
{
    std::optional<core::result<std::optional<ledger::lease_grant>, ledger::db_error>> got;
    asio::co_spawn(io, ledger::async_acquire_lease(c, node, duration),
                   [&](std::exception_ptr,
                       core::result<std::optional<ledger::lease_grant>, ledger::db_error> r) {
                       got.emplace(std::move(r));
                   });
    io.restart();
    io.run_for(10s);
    if (!got || !*got || !got->value()) throw std::runtime_error("could not take the lease");
    return fence{.node = node, .epoch = (*got->value()).epoch};
}

TEST_F(occurrence_ledger_test, a_second_claim_of_the_same_identity_fails_whatever_the_node)
{
    auto a = open();
    auto b = open();
    const auto fa = lead_on(a, "node-a", lease_time, io);
    ASSERT_EQ(*run(ledger::async_claim(a, fa, "rent@1", "rent")), claim_outcome::claimed);
    EXPECT_EQ(*run(ledger::async_claim(a, fa, "rent@1", "rent")), claim_outcome::taken);
    ASSERT_TRUE(*run(ledger::async_open_gate(a, fa, "rent@1", test_payment())));
    expire_lease();
    const auto fb = lead_on(b, "node-b", lease_time, io);
    // The takeover put it in doubt; the new leader cannot claim it again.
    EXPECT_EQ(*run(ledger::async_claim(b, fb, "rent@1", "rent")), claim_outcome::taken);
    EXPECT_EQ(row_of("rent@1"), "in_doubt node-a 1");
}

TEST_F(occurrence_ledger_test, a_released_occurrence_is_claimed_again_by_the_new_leader)
{
    auto a = open();
    auto b = open();
    const auto fa = lead_on(a, "node-a", lease_time, io);
    ASSERT_EQ(*run(ledger::async_claim(a, fa, "rent@1", "rent")), claim_outcome::claimed);
    expire_lease();
    const auto fb = lead_on(b, "node-b", lease_time, io);
    EXPECT_EQ(row_of("rent@1"), "released node-a 1");
    EXPECT_EQ(*run(ledger::async_claim(b, fb, "rent@1", "rent")), claim_outcome::claimed);
    EXPECT_EQ(row_of("rent@1"), "claimed node-b 2");
    // The old leader's gate on it is refused: the row is no longer its claim.
    EXPECT_FALSE(*run(ledger::async_open_gate(a, fa, "rent@1", test_payment())));
    EXPECT_TRUE(*run(ledger::async_open_gate(b, fb, "rent@1", test_payment())));
}

TEST_F(occurrence_ledger_test, a_node_without_the_current_lease_cannot_claim)
{
    auto a = open();
    const auto fa = lead_on(a, "node-a", lease_time, io);
    const fence stranger{.node = "node-b", .epoch = fa.epoch};
    EXPECT_EQ(*run(ledger::async_claim(a, stranger, "rent@1", "rent")), claim_outcome::not_leader);
    expire_lease();
    EXPECT_EQ(*run(ledger::async_claim(a, fa, "rent@1", "rent")), claim_outcome::not_leader);
    EXPECT_EQ(row_of("rent@1"), "");
}

TEST_F(occurrence_ledger_test, two_connections_racing_to_claim_one_identity_one_wins)
{
    auto a = open();
    auto b = open();
    const auto fa = lead_on(a, "node-a", lease_time, io);
    for (int i = 0; i < 20; ++i) {
        const auto id = "rent@" + std::to_string(i);
        auto [ra, rb] = run_both(ledger::async_claim(a, fa, id, "rent"),
                                 ledger::async_claim(b, fa, id, "rent"));
        ASSERT_TRUE(ra && rb);
        EXPECT_EQ((*ra == claim_outcome::claimed) + (*rb == claim_outcome::claimed), 1) << id;
        EXPECT_EQ((*ra == claim_outcome::taken) + (*rb == claim_outcome::taken), 1) << id;
    }
}

TEST_F(occurrence_ledger_test, two_gates_at_once_on_one_row_open_once)
{
    auto a = open();
    auto b = open();
    const auto fa = lead_on(a, "node-a", lease_time, io);
    for (int i = 0; i < 20; ++i) {
        const auto id = "rent@" + std::to_string(i);
        ASSERT_EQ(*run(ledger::async_claim(a, fa, id, "rent")), claim_outcome::claimed);
        auto [ra, rb] = run_both(ledger::async_open_gate(a, fa, id, test_payment()),
                                 ledger::async_open_gate(b, fa, id, test_payment()));
        ASSERT_TRUE(ra && rb);
        EXPECT_EQ(*ra + *rb, 1) << id;
    }
}

TEST_F(occurrence_ledger_test, a_stale_epoch_is_refused_at_the_gate_and_nothing_changes)
{
    auto a = open();
    auto b = open();
    const auto fa = lead_on(a, "node-a", lease_time, io);
    ASSERT_EQ(*run(ledger::async_claim(a, fa, "rent@1", "rent")), claim_outcome::claimed);
    ASSERT_EQ(*run(ledger::async_claim(a, fa, "rent@2", "rent")), claim_outcome::claimed);
    expire_lease();
    // Expired by the database clock, nobody took over yet: refused all the same.
    EXPECT_FALSE(*run(ledger::async_open_gate(a, fa, "rent@1", test_payment())));
    EXPECT_EQ(row_of("rent@1"), "claimed node-a 1");
    lead_on(b, "node-b", lease_time, io);
    EXPECT_FALSE(*run(ledger::async_open_gate(a, fa, "rent@2", test_payment())));
    EXPECT_EQ(row_of("rent@2"), "released node-a 1");
    EXPECT_FALSE(*run(ledger::async_settle_unsent(a, fa, "rent@2", occurrence_state::skipped)));
}

// A takeover in flight (its lease update done, not committed) holds the lease row: the gate
// waits for it instead of reading the old epoch from its snapshot, then finds the new epoch and
// refuses. Without the row lock in the gate's own statement it would pass and commit `sending`.
TEST_F(occurrence_ledger_test, the_gate_waits_for_a_takeover_in_flight_then_refuses)
{
    auto a = open();
    auto takeover = open();
    const auto fa = lead_on(a, "node-a", lease_time, io);
    ASSERT_EQ(*run(ledger::async_claim(a, fa, "rent@1", "rent")), claim_outcome::claimed);
    const auto pid = run(a.async_query("SELECT pg_backend_pid()"))->text(0, 0);
    ASSERT_TRUE(run(takeover.async_script(
        "BEGIN; UPDATE paymand_lease SET holder = 'node-b', epoch = epoch + 1, "
        "expires_at = clock_timestamp() + interval '10 s'")));

    std::optional<core::result<bool, ledger::db_error>> gate;
    asio::co_spawn(io, ledger::async_open_gate(a, fa, "rent@1", test_payment()),
                   [&](std::exception_ptr, core::result<bool, ledger::db_error> r) {
                       gate.emplace(std::move(r));
                   });
    wait_until_blocked(pid);
    EXPECT_FALSE(gate.has_value());
    ASSERT_TRUE(run(takeover.async_query("COMMIT")));
    io.restart();
    io.run_for(5s);
    ASSERT_TRUE(gate.has_value());
    ASSERT_TRUE(*gate) << gate->error().what();
    EXPECT_FALSE(**gate);
    EXPECT_EQ(row_of("rent@1"), "claimed node-a 1");
}

// The same for a claim: a stale leader must not insert a claimed row after the takeover's
// release step looked, or the occurrence would stay claimed by nobody alive.
TEST_F(occurrence_ledger_test, a_claim_waits_for_a_takeover_in_flight_then_refuses)
{
    auto a = open();
    auto takeover = open();
    const auto fa = lead_on(a, "node-a", lease_time, io);
    const auto pid = run(a.async_query("SELECT pg_backend_pid()"))->text(0, 0);
    ASSERT_TRUE(run(takeover.async_script(
        "BEGIN; UPDATE paymand_lease SET holder = 'node-b', epoch = epoch + 1, "
        "expires_at = clock_timestamp() + interval '10 s'")));
    std::optional<core::result<claim_outcome, ledger::db_error>> claim;
    asio::co_spawn(io, ledger::async_claim(a, fa, "rent@1", "rent"),
                   [&](std::exception_ptr, core::result<claim_outcome, ledger::db_error> r) {
                       claim.emplace(std::move(r));
                   });
    wait_until_blocked(pid);
    ASSERT_TRUE(run(takeover.async_query("COMMIT")));
    io.restart();
    io.run_for(5s);
    ASSERT_TRUE(claim.has_value());
    ASSERT_TRUE(*claim) << claim->error().what();
    EXPECT_EQ(**claim, claim_outcome::not_leader);
    EXPECT_EQ(row_of("rent@1"), "");
}

// Two nodes race for the same occurrence around the moment the first one's lease expires: node
// A opens its gate at a different moment each round, node B takes the lease as soon as it can,
// claims and opens the gate. Whatever the interleaving, exactly one of them gets `sending`.
TEST_F(occurrence_ledger_test, two_nodes_racing_for_the_same_occurrence_exactly_one_sends)
{
    auto a = open();
    auto b = open();
    int a_won = 0;
    int b_won = 0;
    for (int round = 0; round < 12; ++round) {
        const auto id = "rent@" + std::to_string(round);
        expire_lease();
        const auto fa = lead_on(a, "node-a", lease_time, io);
        ASSERT_EQ(*run(ledger::async_claim(a, fa, id, "rent")), claim_outcome::claimed);
        // The lease ends 60 ms from now; A's gate comes 0 to 110 ms from now.
        pg.execute(db, "UPDATE paymand_lease SET expires_at = clock_timestamp() + "
                       "interval '60 ms'");
        const auto delay = std::chrono::milliseconds(round * 10);
        auto node_a = [](ledger::connection& c, fence f, std::string identity,
                         std::chrono::milliseconds wait)
            -> asio::awaitable<core::result<bool, ledger::db_error>> {
            asio::steady_timer t(co_await asio::this_coro::executor, wait);
            co_await t.async_wait(asio::use_awaitable);
            co_return co_await ledger::async_open_gate(c, f, std::move(identity), test_payment());
        };
        auto node_b =
            [](ledger::connection& c,
               std::string identity) -> asio::awaitable<core::result<bool, ledger::db_error>> {
            const auto deadline = std::chrono::steady_clock::now() + 5s;
            std::optional<ledger::lease_grant> grant;
            while (!grant && std::chrono::steady_clock::now() < deadline) {
                auto got = co_await ledger::async_acquire_lease(c, "node-b", lease_time);
                if (!got) co_return got.error();
                grant = *got;
            }
            if (!grant) co_return false;
            const fence f{.node = "node-b", .epoch = grant->epoch};
            auto claimed = co_await ledger::async_claim(c, f, identity, "rent");
            if (!claimed) co_return claimed.error();
            if (*claimed != claim_outcome::claimed) co_return false;
            co_return co_await ledger::async_open_gate(c, f, std::move(identity), test_payment());
        };
        auto [ra, rb] = run_both(node_a(a, fa, id, delay), node_b(b, id));
        ASSERT_TRUE(ra) << ra.error().what();
        ASSERT_TRUE(rb) << rb.error().what();
        ASSERT_EQ(*ra + *rb, 1) << id << ": a " << *ra << ", b " << *rb;
        a_won += *ra;
        b_won += *rb;
        EXPECT_EQ(row_of(id), *ra ? "in_doubt node-a " + std::to_string(fa.epoch)
                                  : "sending node-b " + std::to_string(fa.epoch + 1));
    }
    // Both orders happened: the race was real.
    EXPECT_GT(a_won, 0);
    EXPECT_GT(b_won, 0);
}

TEST_F(occurrence_ledger_test, only_the_sender_records_its_result_even_after_losing_the_lease)
{
    auto a = open();
    auto b = open();
    const auto fa = lead_on(a, "node-a", lease_time, io);
    ASSERT_EQ(*run(ledger::async_claim(a, fa, "rent@1", "rent")), claim_outcome::claimed);
    ASSERT_TRUE(*run(ledger::async_open_gate(a, fa, "rent@1", test_payment())));
    expire_lease();
    const auto fb = lead_on(b, "node-b", lease_time, io);
    EXPECT_EQ(row_of("rent@1"), "in_doubt node-a 1");
    EXPECT_FALSE(*run(ledger::async_record_result(b, fb, "rent@1", occurrence_state::failed)));
    EXPECT_TRUE(*run(ledger::async_record_result(a, fa, "rent@1", occurrence_state::paid)));
    EXPECT_EQ(row_of("rent@1"), "paid node-a 1");
    EXPECT_TRUE(*run(ledger::async_record_result(a, fa, "rent@1", occurrence_state::paid)));
    EXPECT_FALSE(*run(ledger::async_record_result(a, fa, "rent@1", occurrence_state::failed)));
    auto wrong = run(ledger::async_record_result(a, fa, "rent@1", occurrence_state::released));
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ledger::ledger_errc::invalid_state);
}

// A row a takeover left in doubt is settled by its own node only (any epoch, no lease), and
// only from in_doubt, as paid or failed.
TEST_F(occurrence_ledger_test, a_row_in_doubt_is_settled_only_by_its_node)
{
    auto a = open();
    auto b = open();
    const auto fa = lead_on(a, "node-a", lease_time, io);
    for (const auto* id : {"rent@1", "rent@2", "rent@3"}) {
        ASSERT_EQ(*run(ledger::async_claim(a, fa, id, "rent")), claim_outcome::claimed);
        ASSERT_TRUE(*run(ledger::async_open_gate(a, fa, id, test_payment())));
    }
    ASSERT_TRUE(*run(ledger::async_record_result(a, fa, "rent@3", occurrence_state::paid)));
    expire_lease();
    lead_on(b, "node-b", lease_time, io);
    EXPECT_EQ(*run(ledger::async_read_in_doubt(b, "node-a")),
              (std::vector<std::string>{"rent@1", "rent@2"}));
    EXPECT_TRUE(run(ledger::async_read_in_doubt(b, "node-b"))->empty());
    EXPECT_FALSE(
        *run(ledger::async_settle_in_doubt(b, "node-b", "rent@1", occurrence_state::paid)));
    EXPECT_TRUE(*run(ledger::async_settle_in_doubt(a, "node-a", "rent@1", occurrence_state::paid)));
    EXPECT_TRUE(
        *run(ledger::async_settle_in_doubt(a, "node-a", "rent@2", occurrence_state::failed)));
    EXPECT_FALSE(
        *run(ledger::async_settle_in_doubt(a, "node-a", "rent@3", occurrence_state::failed)));
    EXPECT_EQ(row_of("rent@1"), "paid node-a 1");
    EXPECT_EQ(row_of("rent@2"), "failed node-a 1");
    EXPECT_EQ(row_of("rent@3"), "paid node-a 1");
    auto wrong =
        run(ledger::async_settle_in_doubt(a, "node-a", "rent@1", occurrence_state::released));
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ledger::ledger_errc::invalid_state);
}

TEST_F(occurrence_ledger_test, a_claim_ends_without_a_send_and_then_never_reaches_the_gate)
{
    auto a = open();
    const auto fa = lead_on(a, "node-a", lease_time, io);
    ASSERT_EQ(*run(ledger::async_claim(a, fa, "rent@1", "rent")), claim_outcome::claimed);
    EXPECT_TRUE(*run(ledger::async_settle_unsent(a, fa, "rent@1", occurrence_state::skipped)));
    EXPECT_FALSE(*run(ledger::async_open_gate(a, fa, "rent@1", test_payment())));
    auto read = run(ledger::async_read_occurrence(a, "rent@1"));
    ASSERT_TRUE(read && read->has_value());
    EXPECT_EQ((*read)->state, occurrence_state::skipped);
    EXPECT_EQ((*read)->rule, "rent");
    auto none = run(ledger::async_read_occurrence(a, "rent@2"));
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
}

TEST_F(occurrence_ledger_test, progress_gives_each_rules_latest_settled_and_its_released_rows)
{
    auto a = open();
    auto b = open();
    const auto fa = lead_on(a, "node-a", lease_time, io);
    // rent: 11-01 paid, 12-01 claimed (released by the takeover below); a manual run later
    // than both is never the latest. fees: 09-30 skipped, a manual run claimed.
    for (const auto* id :
         {"rent@2026-11-01T09:00", "rent@2026-12-01T09:00", "rent@2026-12-02T10:00~manual"})
        ASSERT_EQ(*run(ledger::async_claim(a, fa, id, "rent")), claim_outcome::claimed);
    ASSERT_EQ(*run(ledger::async_claim(a, fa, "fees@2026-09-30T08:00", "fees")),
              claim_outcome::claimed);
    ASSERT_EQ(*run(ledger::async_claim(a, fa, "fees@2026-12-03T08:00~manual", "fees")),
              claim_outcome::claimed);
    ASSERT_TRUE(*run(ledger::async_open_gate(a, fa, "rent@2026-11-01T09:00", test_payment())));
    ASSERT_TRUE(
        *run(ledger::async_record_result(a, fa, "rent@2026-11-01T09:00", occurrence_state::paid)));
    ASSERT_TRUE(*run(ledger::async_settle_unsent(a, fa, "rent@2026-12-02T10:00~manual",
                                                 occurrence_state::skipped)));
    ASSERT_TRUE(*run(
        ledger::async_settle_unsent(a, fa, "fees@2026-09-30T08:00", occurrence_state::skipped)));
    expire_lease();
    lead_on(b, "node-b", lease_time, io);
    auto read = run(ledger::async_read_progress(b, "~manual", "node-b"));
    ASSERT_TRUE(read) << read.error().what();
    ASSERT_EQ(read->size(), 2u);
    EXPECT_EQ((*read)[0].rule, "fees");
    EXPECT_EQ((*read)[0].latest, std::optional<std::string>("fees@2026-09-30T08:00"));
    EXPECT_EQ((*read)[0].released, std::vector<std::string>{"fees@2026-12-03T08:00~manual"});
    EXPECT_EQ((*read)[1].rule, "rent");
    EXPECT_EQ((*read)[1].latest, std::optional<std::string>("rent@2026-11-01T09:00"));
    EXPECT_EQ((*read)[1].released, std::vector<std::string>{"rent@2026-12-01T09:00"});
}

TEST_F(occurrence_ledger_test, progress_of_an_empty_ledger_is_empty)
{
    auto a = open();
    auto read = run(ledger::async_read_progress(a, "~manual", "node-a"));
    ASSERT_TRUE(read) << read.error().what();
    EXPECT_TRUE(read->empty());
}

// What a new leader's limits must count: the other nodes' payments of the last 32 days (by the
// database's clock), paid apart from those whose outcome is unknown there; never its own, and
// nothing that moved no money.
TEST_F(occurrence_ledger_test, progress_gives_the_other_nodes_payments_of_the_last_32_days)
{
    auto a = open();
    auto b = open();
    const auto fa = lead_on(a, "node-a", lease_time, io);
    std::int64_t amount = 100'00;  // each payment 1.00 more than the one before
    const auto pay = [&](const char* id, std::optional<occurrence_state> result) {
        ASSERT_EQ(*run(ledger::async_claim(a, fa, id, "rent")), claim_outcome::claimed);
        ASSERT_TRUE(*run(ledger::async_open_gate(a, fa, id, test_payment(amount))));
        amount += 100;
        if (result) {
            ASSERT_TRUE(*run(ledger::async_record_result(a, fa, id, *result)));
        }
    };
    pay("rent@2026-10-01T09:00", occurrence_state::paid);  // claimed 40 days ago: below
    pay("rent@2026-11-01T09:00", occurrence_state::paid);
    pay("rent@2026-11-02T09:00", occurrence_state::in_doubt);
    pay("rent@2026-11-03T09:00", occurrence_state::failed);
    pay("rent@2026-11-04T09:00", std::nullopt);  // sending when node-a's term ended
    ASSERT_EQ(*run(ledger::async_claim(a, fa, "rent@2026-11-05T09:00", "rent")),
              claim_outcome::claimed);  // claimed, never sent
    pg.execute(db, "UPDATE paymand_occurrence SET claimed_at = clock_timestamp() - interval '40 "
                   "days' WHERE identity = 'rent@2026-10-01T09:00'");
    pg.execute(db, "UPDATE paymand_occurrence SET payee = NULL, amount_minor = NULL, currency = "
                   "NULL, due_at = NULL WHERE identity = 'rent@2026-11-04T09:00'");

    auto own = run(ledger::async_read_progress(a, "~manual", "node-a"));
    ASSERT_TRUE(own) << own.error().what();
    ASSERT_EQ(own->size(), 1u);
    EXPECT_TRUE((*own)[0].others_paid.empty());
    EXPECT_TRUE((*own)[0].others_in_doubt.empty());

    auto other = run(ledger::async_read_progress(b, "~manual", "node-b"));
    ASSERT_TRUE(other) << other.error().what();
    ASSERT_EQ(other->size(), 1u);
    using ledger::others_payment;
    // Each with what its row says it pays; 11-04 was gated before the ledger recorded amounts.
    EXPECT_EQ((*other)[0].others_paid,
              (std::vector<others_payment>{{"rent@2026-11-01T09:00", test_payment(101'00)}}));
    EXPECT_EQ((*other)[0].others_in_doubt,
              (std::vector<others_payment>{{"rent@2026-11-02T09:00", test_payment(102'00)},
                                           {"rent@2026-11-04T09:00", std::nullopt}}));
}

}  // namespace
}  // namespace paymand::test
