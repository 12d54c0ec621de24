// Only the leader schedules (docs/ha.md): the engine with a fake shared ledger on a virtual
// clock. A standby fires nothing; a node that gains the lease resumes from the ledger's
// progress (its latest settled occurrence, the released ones) and a failed read of it fires
// nothing and says so.

#include "paymand/engine/engine.hpp"
#include "support/engine_run.hpp"
#include "support/process.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <date/date.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

namespace paymand::engine::leadership_tests {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::ElementsAre;
using testing::HasSubstr;

sys_time at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0)
{
    return sys_time(date::sys_days(date::year(y) / date::month(m) / date::day(d)) +
                    std::chrono::hours(hh) + std::chrono::minutes(mm) + std::chrono::seconds(ss));
}

// Pays whatever it is asked to pay; the first `unclear` payments get a reply that says nothing.
struct paying_agent final : agent {
    std::vector<std::string> payments;
    int unclear = 0;
    asio::awaitable<ask_outcome> async_ask(std::string text, payman::ask_options o) override
    {
        if (!o.read_only) payments.push_back(text);
        if (!o.read_only && unclear > 0 && unclear-- > 0)
            co_return test::reply("Your request is being looked at.");
        co_return test::reply("I've successfully sent 100.00 TSD to John Doe.");
    }
};

// The shared ledger as rows of identity -> state, with the rules the real one keeps: one claim
// per identity unless released, claims only while this node leads.
struct fake_ledger final : occurrence_gate {
    bool leader = true;
    std::map<std::string, std::string> rows;  // identity -> state
    std::map<std::string, std::string> rule_of;
    std::set<std::string> foreign;  // rows another node claimed
    // What a row pays, written at its gate (none: gated before the ledger recorded amounts).
    std::map<std::string, limits::payment_record> pays;
    std::vector<std::string> claims;  // each claim asked, in order
    int failing_reads = 0;
    std::set<std::string> refused;        // answered not_leader once each
    std::set<std::string> gate_refusals;  // gates refused once each
    int failing_records = 0;              // results not recorded, in turn
    std::function<void(const std::string&)> on_gate_refused;
    std::function<void()> on_progress;                 // at each progress read, first
    std::function<void(const std::string&)> on_claim;  // at each claim, once answered
    // Awaited at each claim before it is answered: the database's latency, during which the
    // engine goes on.
    std::function<asio::awaitable<void>(const std::string&)> before_claim_answer;
    // Awaited at each result's record before it is written (as above).
    std::function<asio::awaitable<void>(const std::string&)> before_record;

    asio::awaitable<claim_answer> claim(std::string identity, std::string rule) override
    {
        claims.push_back(identity);
        if (before_claim_answer) co_await before_claim_answer(identity);
        auto answer = claim_answer{claim_verdict::not_leader, "not the lease holder"};
        if (leader && refused.erase(identity) == 0) {
            auto it = rows.find(identity);
            if (it != rows.end() && it->second != "released")
                answer = claim_answer{claim_verdict::taken, "held"};
            else
                answer = claim_answer{claim_verdict::claimed, {}};
            if (answer.verdict == claim_verdict::claimed) {
                rows[identity] = "claimed";
                rule_of[identity] = rule;
            }
        }
        if (on_claim) on_claim(identity);
        co_return answer;
    }
    asio::awaitable<gate_answer> open(std::string identity, limits::payment_record payment) override
    {
        if (gate_refusals.erase(identity) > 0) {
            if (on_gate_refused) on_gate_refused(identity);
            auto refused_gate = gate_answer{gate_verdict::refused, "the lease was lost"};
            co_return refused_gate;  // the row stays claimed by the old term
        }
        rows[identity] = "sending";
        pays[identity] = std::move(payment);
        auto answer = gate_answer{gate_verdict::passed, {}};
        co_return answer;
    }
    asio::awaitable<ledger_answer> record(std::string identity, ledger_end end) override
    {
        if (before_record) co_await before_record(identity);
        if (failing_records > 0) {
            --failing_records;
            auto failed = ledger_answer{false, "the database is unreachable (scripted)"};
            co_return failed;
        }
        rows[identity] = end == ledger_end::paid       ? "paid"
                         : end == ledger_end::in_doubt ? "in_doubt"
                                                       : "ended";
        auto answer = ledger_answer{true, {}};
        co_return answer;
    }
    asio::awaitable<ledger_answer> settle_unsent(std::string identity, ledger_end) override
    {
        rows[identity] = "ended";
        auto answer = ledger_answer{true, {}};
        co_return answer;
    }
    asio::awaitable<core::result<std::vector<std::string>>> own_in_doubt() override
    {
        std::vector<std::string> out;
        for (const auto& [identity, state] : rows)
            if (!foreign.contains(identity) && state == "in_doubt") out.push_back(identity);
        co_return out;
    }
    asio::awaitable<ledger_answer> settle_in_doubt(std::string identity, ledger_end end) override
    {
        auto answer = ledger_answer{false, "not in doubt"};
        if (rows[identity] == "in_doubt") {
            rows[identity] = end == ledger_end::paid ? "paid" : "failed";
            answer = ledger_answer{true, {}};
        }
        co_return answer;
    }
    asio::awaitable<core::result<std::vector<rule_progress>>> progress() override
    {
        if (on_progress) on_progress();
        if (failing_reads > 0) {
            --failing_reads;
            auto failed = core::error{.message = "the database is unreachable (scripted)"};
            co_return failed;
        }
        std::map<std::string, rule_progress> by_rule;
        for (const auto& [identity, state] : rows) {
            auto& p = by_rule[rule_of[identity]];
            p.rule = rule_of[identity];
            if (state == "released")
                p.released.push_back(identity);
            else if (!identity.ends_with("~manual"))
                p.latest = identity;  // a map: the last one is the latest
            auto other = other_payment{identity, std::nullopt};
            if (auto it = pays.find(identity); it != pays.end()) other.payment = it->second;
            if (foreign.contains(identity) && state == "paid") p.others_paid.push_back(other);
            if (foreign.contains(identity) && (state == "in_doubt" || state == "sending"))
                p.others_in_doubt.push_back(other);
        }
        std::vector<rule_progress> out;
        for (auto& [rule, p] : by_rule) out.push_back(std::move(p));
        co_return out;
    }

    // The state of the row of `identity`, "" when there is none (never creates one).
    std::string state(const std::string& identity) const
    {
        auto it = rows.find(identity);
        return it == rows.end() ? std::string() : it->second;
    }

    // A row another node left: `state` ("paid", "released", ...).
    void left(const std::string& identity, const std::string& state)
    {
        foreign.insert(identity);
        rows[identity] = state;
        rule_of[identity] = identity.substr(0, identity.find('@'));
    }
};

const char* daily = R"(rules:
  - id: rent
    schedule: daily at 09:00
    timezone: UTC
    catchup: none
    pay: {payee: John Doe, amount: 100.00}
)";

// Every hour, each missed hour caught up: a takeover finds a backlog to run one at a time.
const char* hourly = R"(rules:
  - id: rent
    schedule: "0 * * * *"
    timezone: UTC
    catchup: each
    catchup_window: 24h
    pay: {payee: John Doe, amount: 100.00}
)";

class leadership_test : public testing::Test {
protected:
    test::temp_dir dir;
    std::shared_ptr<paying_agent> agent = std::make_shared<paying_agent>();
    std::shared_ptr<fake_ledger> ledger = std::make_shared<fake_ledger>();
    rules::policy policy = rules::permissive_policy();
    std::vector<audit::record> records;
    virtual_clock* clock = nullptr;
    engine* eng = nullptr;
    bool lockstep = true;  // engine_params::lockstep
    std::size_t concurrency = config::engine_config{}.concurrency;

    // Payments are not confirmed from listings here: the agent answers only payments.
    config::engine_config settings() const
    {
        config::engine_config s;
        s.confirm_payments = false;
        s.concurrency = concurrency;
        return s;
    }

    // One lifetime from `start` until the next occurrence lies after `end`; `meanwhile` runs
    // beside the engine once it schedules (as a standby: it waits for leadership).
    void run(sys_time start, sys_time end, std::function<asio::awaitable<void>()> meanwhile,
             bool leading = false, const char* rules = daily)
    {
        test::run_engine(
            {.dir = dir.path(),
             .params = {.settings = settings(),
                        .policy = policy,
                        .client_id = "pm-test-client",
                        .on_record = [this](const audit::record& r) { records.push_back(r); },
                        .stop_at = end,
                        .lockstep = lockstep,
                        .seed = 42},
             .start = start,
             .make_agent = [this](asio::io_context&) { return agent; },
             .make_gate = [this](asio::io_context&) { return ledger; },
             .on_clock = [this](virtual_clock& c) { clock = &c; },
             .during = [this, meanwhile, leading](engine& e) -> asio::awaitable<void> {
                 eng = &e;
                 if (leading) e.set_leading(true);
                 if (meanwhile)
                     asio::co_spawn(co_await asio::this_coro::executor, meanwhile(),
                                    asio::detached);
             }},
            test::load_rules(rules, policy));
    }

    template <class T>
    std::vector<T> all() const
    {
        std::vector<T> out;
        for (const auto& r : records)
            if (const auto* x = std::get_if<T>(&r.body)) out.push_back(*x);
        return out;
    }

    // The lease is gone in the database (the keeper has not said so yet): the first claim is
    // refused; the keeper's lost and gained handlers follow, and the new term's claims pass.
    void lose_the_lease_at_the_first_claim_then_regain_it()
    {
        ledger->leader = false;
        ledger->on_claim = [this, regained = false](const std::string&) mutable {
            if (regained) return;
            regained = true;
            eng->set_leading(false);
            ledger->leader = true;
            eng->set_leading(true);
        };
    }

    // Another node paid `identity` (due at 09:00 on its day), its row saying what it paid.
    void left_paid(const std::string& identity, std::string payee, std::int64_t amount)
    {
        ledger->left(identity, "paid");
        const auto day = identity.substr(identity.find('@') + 1, 10);
        ledger->pays[identity] = {
            .amount = amount,
            .currency = "TSD",
            .payee = std::move(payee),
            .instant = std::chrono::time_point_cast<std::chrono::seconds>(
                at(2026, 12, static_cast<unsigned>(std::stoi(day.substr(8, 2))), 9))};
    }

    // This node takes over at 08:00 on 3 December, TSD limited to `monthly`.
    void take_over_on_the_third_under_a_monthly_limit(std::int64_t monthly)
    {
        policy.limits.enabled = true;
        policy.limits.currencies["TSD"].monthly = monthly;
        run(at(2026, 11, 30, 12), at(2026, 12, 3, 12), [&]() -> asio::awaitable<void> {
            clock->advance_to(at(2026, 12, 3, 8));
            eng->set_leading(true);
            co_return;
        });
    }

    // The node leads until its first claim, then stands by (nothing more runs until the test
    // stops the engine).
    void stand_by_after_the_first_claim()
    {
        ledger->on_claim = [this, once = false](const std::string&) mutable {
            if (!std::exchange(once, true)) eng->set_leading(false);
        };
    }

    // Lets everything ready on the io_context run.
    static asio::awaitable<void> settle()
    {
        auto ex = co_await asio::this_coro::executor;
        for (int i = 0; i < 20; ++i) co_await asio::post(ex, asio::use_awaitable);
    }

    // Lets the engine run until `done` holds (the audit log's writer works on its own thread);
    // false when it never does.
    static asio::awaitable<bool> settle_until(std::function<bool()> done)
    {
        auto ex = co_await asio::this_coro::executor;
        for (int i = 0; i < 1'000'000 && !done(); ++i) co_await asio::post(ex, asio::use_awaitable);
        co_return done();
    }

    // The occurrences with any record in the audit log.
    std::set<std::string> recorded() const
    {
        std::set<std::string> out;
        for (const auto& r : records)
            std::visit(
                [&](const auto& body) {
                    if constexpr (requires { body.ref.occurrence; })
                        out.insert(body.ref.occurrence);
                },
                r.body);
        return out;
    }
};

TEST_F(leadership_test, a_standby_fires_nothing_while_its_occurrences_come_due)
{
    std::optional<engine_status> seen;
    run(at(2026, 11, 30, 12), at(2026, 12, 5), [&]() -> asio::awaitable<void> {
        clock->advance_to(at(2026, 12, 4, 12));  // four occurrences due meanwhile
        co_await settle();
        seen = eng->status();
        eng->stop();
    });
    EXPECT_TRUE(ledger->claims.empty());
    EXPECT_TRUE(agent->payments.empty());
    EXPECT_TRUE(all<audit::skipped_record>().empty());
    EXPECT_TRUE(all<audit::missed_record>().empty());
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->role, schedule_role::standby);
}

TEST_F(leadership_test, a_standby_that_gains_the_lease_runs_what_came_due_meanwhile)
{
    // The leader died a second before 1 December's occurrence; this node takes over 11 s
    // later: its own schedule stood still, and the occurrence is on time.
    ledger->left("rent@2026-11-30T09:00", "paid");
    run(at(2026, 11, 29, 12), at(2026, 12, 1, 12), [&]() -> asio::awaitable<void> {
        clock->advance_to(at(2026, 12, 1, 9, 0, 11));
        co_await settle();
        EXPECT_TRUE(ledger->claims.empty());
        eng->set_leading(true);
    });
    EXPECT_THAT(ledger->claims, ElementsAre("rent@2026-12-01T09:00"));
    EXPECT_EQ(agent->payments.size(), 1u);
    EXPECT_EQ(ledger->rows["rent@2026-12-01T09:00"], "paid");
    EXPECT_TRUE(all<audit::missed_record>().empty());
}

TEST_F(leadership_test, gaining_the_lease_runs_released_and_due_occurrences_not_settled_ones)
{
    ledger->left("rent@2026-12-01T09:00", "paid");      // settled by the old leader
    ledger->left("rent@2026-12-02T09:00", "released");  // claimed by it, never sent
    ledger->left("rent@2026-12-02T10:30~manual", "released");
    run(at(2026, 11, 25, 12), at(2026, 12, 3, 12), [&]() -> asio::awaitable<void> {
        // 2 December is late (catchup: none would not run it) but was released.
        clock->advance_to(at(2026, 12, 3, 9, 0, 30));
        eng->set_leading(true);
        co_return;
    });
    EXPECT_THAT(ledger->claims, ElementsAre("rent@2026-12-02T09:00", "rent@2026-12-03T09:00"));
    EXPECT_EQ(agent->payments.size(), 2u);
    EXPECT_EQ(ledger->rows["rent@2026-12-02T09:00"], "paid");
    EXPECT_EQ(ledger->rows["rent@2026-12-03T09:00"], "paid");
    // Nothing before the ledger's latest is run or recorded missed.
    EXPECT_TRUE(all<audit::missed_record>().empty());
    // A manual run is the operator's: not repeated, and said why.
    auto skipped = all<audit::skipped_record>();
    ASSERT_EQ(skipped.size(), 1u);
    EXPECT_EQ(skipped[0].ref.occurrence, "rent@2026-12-02T10:30~manual");
    EXPECT_THAT(skipped[0].reason, HasSubstr("run paymand trigger again"));
    EXPECT_EQ(ledger->rows["rent@2026-12-02T10:30~manual"], "released");
}

// The old leader paid 1 December and left 2 December in doubt: the new leader's limits count
// both (at the rule's amount), so 3 December's 100.00 would pass the monthly 250.00 and is
// denied.
TEST_F(leadership_test, a_new_leaders_limits_count_what_the_other_nodes_paid)
{
    policy.limits.enabled = true;
    policy.limits.currencies["TSD"].monthly = 250'00;
    ledger->left("rent@2026-12-01T09:00", "paid");
    ledger->left("rent@2026-12-02T09:00", "in_doubt");
    run(at(2026, 11, 30, 12), at(2026, 12, 3, 12), [&]() -> asio::awaitable<void> {
        clock->advance_to(at(2026, 12, 3, 8));
        eng->set_leading(true);
        co_return;
    });
    EXPECT_THAT(ledger->claims, ElementsAre("rent@2026-12-03T09:00"));
    EXPECT_TRUE(agent->payments.empty()) << "paid above the monthly limit";
    auto denied = all<audit::denied_record>();
    ASSERT_EQ(denied.size(), 1u);
    EXPECT_EQ(denied[0].ref.occurrence, "rent@2026-12-03T09:00");
}

// The other node paid 1 December at 200.00, as its row says (the rule paid more then): counted
// at that amount, not at the rule's 100.00 of today, 3 December's payment would pass the
// monthly 250.00 and is denied. Counted at the rule's amount it would be paid.
TEST_F(leadership_test, a_new_leaders_limits_count_the_amount_the_others_row_says)
{
    left_paid("rent@2026-12-01T09:00", "John Doe", 200'00);
    take_over_on_the_third_under_a_monthly_limit(250'00);
    EXPECT_TRUE(agent->payments.empty()) << "paid above the monthly limit";
    ASSERT_EQ(all<audit::denied_record>().size(), 1u);
}

// A payment of a rule this node does not have, whose row says what it paid, is counted too.
TEST_F(leadership_test, a_new_leaders_limits_count_a_removed_rules_payment_from_its_row)
{
    left_paid("gym@2026-12-01T09:00", "Gym Ltd", 200'00);
    take_over_on_the_third_under_a_monthly_limit(250'00);
    EXPECT_TRUE(agent->payments.empty()) << "paid above the monthly limit";
    auto denied = all<audit::denied_record>();
    ASSERT_EQ(denied.size(), 1u);
    EXPECT_EQ(denied[0].ref.occurrence, "rent@2026-12-03T09:00");
}

// The same month without the other nodes' payments in the ledger: 3 December is paid.
TEST_F(leadership_test, a_new_leaders_limits_without_other_payments_let_it_pay)
{
    policy.limits.enabled = true;
    policy.limits.currencies["TSD"].monthly = 250'00;
    ledger->left("rent@2026-12-02T09:00", "failed");
    run(at(2026, 11, 30, 12), at(2026, 12, 3, 12), [&]() -> asio::awaitable<void> {
        clock->advance_to(at(2026, 12, 3, 8));
        eng->set_leading(true);
        co_return;
    });
    EXPECT_EQ(agent->payments.size(), 1u);
    EXPECT_TRUE(all<audit::denied_record>().empty());
}

TEST_F(leadership_test, a_released_occurrence_older_than_the_catchup_window_is_recorded_missed)
{
    ledger->left("rent@2026-11-26T09:00", "released");
    run(at(2026, 11, 25, 12), at(2026, 12, 1, 12), [&]() -> asio::awaitable<void> {
        clock->advance_to(at(2026, 12, 1, 9, 0, 5));  // 72 h window: 26 November is too old
        eng->set_leading(true);
        co_return;
    });
    EXPECT_THAT(ledger->claims, ElementsAre("rent@2026-12-01T09:00"));
    std::vector<audit::missed_record> released;
    for (const auto& m : all<audit::missed_record>())
        if (m.ref.occurrence == "rent@2026-11-26T09:00") released.push_back(m);
    ASSERT_EQ(released.size(), 1u);
    EXPECT_THAT(released[0].reason, HasSubstr("released by a takeover after the rule's catch-up"));
}

TEST_F(leadership_test, a_failed_progress_read_fires_nothing_says_so_and_is_retried)
{
    ledger->failing_reads = 2;
    std::vector<engine_status> at_reads;
    std::vector<std::size_t> claims_at_reads;
    ledger->on_progress = [&] {
        at_reads.push_back(eng->status());
        claims_at_reads.push_back(ledger->claims.size());
    };
    run(at(2026, 11, 30, 12), at(2026, 12, 1, 12), [&]() -> asio::awaitable<void> {
        clock->advance_to(at(2026, 12, 1, 9, 0, 5));
        eng->set_leading(true);
        co_return;
    });
    ASSERT_EQ(at_reads.size(), 3u);
    EXPECT_THAT(claims_at_reads, ElementsAre(0u, 0u, 0u));
    EXPECT_EQ(at_reads[1].role, schedule_role::catching_up);
    EXPECT_THAT(at_reads[1].catchup_error, HasSubstr("the database is unreachable (scripted)"));
    // Retried after 1 s and 2 s: the occurrence is still on time, and runs once.
    EXPECT_THAT(ledger->claims, ElementsAre("rent@2026-12-01T09:00"));
    EXPECT_EQ(agent->payments.size(), 1u);
}

TEST_F(leadership_test, a_claim_refused_for_want_of_the_lease_is_planned_again_when_leading)
{
    // The lease went (the keeper has not said so yet) just as 1 December came due: its claim
    // is refused; the lost and gained handlers follow, and the new term runs it.
    lose_the_lease_at_the_first_claim_then_regain_it();
    run(at(2026, 11, 30, 12), at(2026, 12, 2, 12), {}, true);
    EXPECT_THAT(ledger->claims, ElementsAre("rent@2026-12-01T09:00", "rent@2026-12-01T09:00",
                                            "rent@2026-12-02T09:00"));
    EXPECT_EQ(agent->payments.size(), 2u);
    EXPECT_EQ(ledger->rows["rent@2026-12-01T09:00"], "paid");
}

// A new term begins while the catch-up queue runs: the first claim of the backlog is refused
// (the old term's lease), the next ones are claimed under the new term before the new term's
// progress read. The ledger's latest is then after the refused one, which must still run (once
// it was passed over, with no row and no record: an ASan run of the HA scenarios found it).
TEST_F(leadership_test, a_refused_claim_behind_a_later_claimed_one_is_run_in_the_new_term)
{
    lose_the_lease_at_the_first_claim_then_regain_it();
    run(
        at(2026, 12, 1, 8, 30), at(2026, 12, 1, 12, 30),
        [&]() -> asio::awaitable<void> {
            clock->advance_to(at(2026, 12, 1, 11, 0, 10));  // 09:00, 10:00 and 11:00 due
            eng->set_leading(true);
            co_return;
        },
        false, hourly);
    // The new term's read came after the queue had claimed 10:00 and 11:00 (the scheduler lets
    // work in flight finish first on a virtual clock).
    EXPECT_EQ(ledger->claims.front(), "rent@2026-12-01T09:00");
    EXPECT_EQ(ledger->rows["rent@2026-12-01T09:00"], "paid") << "passed over";
    EXPECT_TRUE(recorded().contains("rent@2026-12-01T09:00"));
    EXPECT_EQ(ledger->rows["rent@2026-12-01T10:00"], "paid");
    EXPECT_EQ(ledger->rows["rent@2026-12-01T11:00"], "paid");
    EXPECT_EQ(ledger->rows["rent@2026-12-01T12:00"], "paid");
    EXPECT_EQ(agent->payments.size(), 4u);
}

// A claim asked in one term and refused after the next term has read the ledger's progress:
// that term runs it (no later term may come to).
TEST_F(leadership_test, a_claim_refused_after_the_next_term_caught_up_is_run_in_that_term)
{
    const std::string nine = "rent@2026-12-01T09:00";
    ledger->refused.insert(nine);
    lockstep = false;  // the run loop reads the progress while the claim is out
    bool regained = false;
    ledger->before_claim_answer = [&](const std::string& identity) -> asio::awaitable<void> {
        if (identity != nine || regained) co_return;
        regained = true;
        eng->set_leading(false);
        eng->set_leading(true);
        EXPECT_TRUE(
            co_await settle_until([&] { return eng->status().role == schedule_role::leader; }));
    };
    run(
        at(2026, 12, 1, 8, 30), at(2026, 12, 1, 10, 30),
        [&]() -> asio::awaitable<void> {
            clock->advance_to(at(2026, 12, 1, 9, 0, 10));
            eng->set_leading(true);
            co_return;
        },
        false, hourly);
    EXPECT_EQ(std::count(ledger->claims.begin(), ledger->claims.end(), nine), 2);
    EXPECT_EQ(ledger->rows[nine], "paid");
    EXPECT_EQ(ledger->rows["rent@2026-12-01T10:00"], "paid");
    EXPECT_EQ(agent->payments.size(), 2u);
}

// The lease went as 1 December came due and never came back: the refused occurrence is not
// left without a record when the node stops.
TEST_F(leadership_test, a_refused_claim_no_later_term_put_back_is_recorded_at_the_stop)
{
    ledger->leader = false;
    ledger->on_claim = [&](const std::string&) { eng->set_leading(false); };
    run(at(2026, 11, 30, 12), at(2026, 12, 1, 12), {}, true);
    EXPECT_THAT(ledger->claims, ElementsAre("rent@2026-12-01T09:00"));
    EXPECT_TRUE(agent->payments.empty());
    auto skipped = all<audit::skipped_record>();
    ASSERT_EQ(skipped.size(), 1u);
    EXPECT_EQ(skipped[0].ref.occurrence, "rent@2026-12-01T09:00");
    EXPECT_EQ(skipped[0].ref.utc, at(2026, 12, 1, 9));
    EXPECT_THAT(skipped[0].reason, HasSubstr("stopped before leading again"));
}

// The lease went while 1 December's payment waited at its send gate: the gate is refused and
// the occurrence closed `failed` here (not sent). This node takes the lease again, and its
// takeover released the row (no gate passed): the occurrence is reopened and paid, once.
TEST_F(leadership_test, a_payment_whose_gate_was_refused_is_reopened_and_paid_when_leading_again)
{
    const std::string nine = "rent@2026-12-01T09:00";
    ledger->gate_refusals.insert(nine);
    ledger->on_gate_refused = [&](const std::string& identity) {
        eng->set_leading(false);
        ledger->rows[identity] = "released";  // the next acquisition releases the claim
        eng->set_leading(true);
    };
    run(at(2026, 12, 1, 8, 30), at(2026, 12, 1, 10, 30), {}, true, hourly);
    EXPECT_EQ(std::count(ledger->claims.begin(), ledger->claims.end(), nine), 2);
    EXPECT_EQ(agent->payments.size(), 2u);  // 09:00 once, and 10:00
    EXPECT_EQ(ledger->rows[nine], "paid");
    EXPECT_EQ(ledger->rows["rent@2026-12-01T10:00"], "paid");
    std::vector<std::string> types;
    for (const auto& r : records)
        if (const auto* ref = audit::occurrence_of(r.body); ref && ref->occurrence == nine)
            types.emplace_back(audit::to_string(audit::type_of(r.body)));
    EXPECT_THAT(types, ElementsAre("intent", "failed", "reopened", "intent", "result"));
    auto reopened = all<audit::reopened_record>();
    ASSERT_EQ(reopened.size(), 1u);
    EXPECT_THAT(reopened[0].reason, HasSubstr("no node passed its send gate"));
}

// The same, but another node took over and paid it meanwhile: reopened here, its claim is
// taken, and nothing is paid twice.
TEST_F(leadership_test, a_refused_gate_another_node_paid_meanwhile_is_not_paid_again)
{
    const std::string nine = "rent@2026-12-01T09:00";
    ledger->gate_refusals.insert(nine);
    ledger->on_gate_refused = [&](const std::string& identity) {
        eng->set_leading(false);
        ledger->left(identity, "paid");
        eng->set_leading(true);
    };
    run(at(2026, 12, 1, 8, 30), at(2026, 12, 1, 10, 30), {}, true, hourly);
    EXPECT_EQ(agent->payments.size(), 1u);  // 10:00 only
    EXPECT_EQ(ledger->rows[nine], "paid");
    auto skipped = all<audit::skipped_record>();
    ASSERT_EQ(skipped.size(), 1u);
    EXPECT_EQ(skipped[0].ref.occurrence, nine);
}

// The agent's reply to 1 December's payment said nothing: in doubt here and in the shared
// ledger. An operator's verdict settles the row too, so the cluster no longer shows it in doubt
// and other nodes' limits count it as what it is.
TEST_F(leadership_test, a_resolution_settles_this_nodes_row_in_doubt_in_the_shared_ledger)
{
    const std::string first = "rent@2026-12-01T09:00";
    agent->unclear = 1;
    stand_by_after_the_first_claim();
    std::string after_resolution;
    run(
        at(2026, 12, 1, 8), at(2026, 12, 5, 12),
        [&]() -> asio::awaitable<void> {
            EXPECT_TRUE(co_await settle_until([&] { return ledger->state(first) == "in_doubt"; }));
            auto request = audit::resolution_request{.occurrence = first,
                                                     .verdict = audit::resolution::not_paid,
                                                     .note = "not in the dashboard"};
            auto resolved = co_await eng->async_resolve(request);
            EXPECT_TRUE(resolved) << resolved.error().message;
            after_resolution = ledger->state(first);
            eng->stop();
        },
        true);
    EXPECT_EQ(after_resolution, "failed");
}

// A result the shared ledger could not take (the database was away): the row stays `sending`
// there, and a takeover puts it in doubt. The next reconciliation pass settles it as this
// node's audit log says.
TEST_F(leadership_test, a_reconciliation_pass_settles_a_row_left_in_doubt_as_the_log_says)
{
    const std::string first = "rent@2026-12-01T09:00";
    ledger->failing_records = 1;
    stand_by_after_the_first_claim();
    std::string after_pass;
    run(
        at(2026, 12, 1, 8), at(2026, 12, 5, 12),
        [&]() -> asio::awaitable<void> {
            EXPECT_TRUE(co_await settle_until([&] {
                return !all<audit::result_record>().empty() && ledger->failing_records == 0;
            }));
            EXPECT_EQ(ledger->state(first), "sending");
            ledger->rows[first] = "in_doubt";  // a takeover
            co_await eng->async_reconcile();
            after_pass = ledger->state(first);
            eng->stop();
        },
        true);
    EXPECT_EQ(after_pass, "paid");
}

// An occurrence gives its concurrency place back once its payment's ask is over: recording
// the result (here in a shared ledger that answers slowly) does not hold back the next
// occurrence's asks. Holding the place to the end made each of a burst's occurrences wait
// for an earlier one's result to be durable.
TEST_F(leadership_test, recording_a_result_does_not_hold_back_the_next_occurrences_payment)
{
    concurrency = 1;
    bool first = true;
    bool next_paid_meanwhile = false;
    ledger->before_record = [&](const std::string&) -> asio::awaitable<void> {
        if (!std::exchange(first, false)) co_return;
        next_paid_meanwhile = co_await settle_until([&] { return agent->payments.size() == 2; });
    };
    run(at(2026, 11, 30, 12), at(2026, 12, 1, 12), {}, true, R"(rules:
  - id: rent
    schedule: daily at 09:00
    timezone: UTC
    pay: {payee: John Doe, amount: 100.00}
  - id: cleaning
    schedule: daily at 09:00
    timezone: UTC
    pay: {payee: John Doe, amount: 100.00}
)");
    EXPECT_TRUE(next_paid_meanwhile)
        << "the second payment waited for the first one's result to be recorded";
    EXPECT_EQ(agent->payments.size(), 2u);
    EXPECT_EQ(ledger->state("rent@2026-12-01T09:00"), "paid");
    EXPECT_EQ(ledger->state("cleaning@2026-12-01T09:00"), "paid");
}

TEST_F(leadership_test, without_a_shared_ledger_the_engine_always_schedules)
{
    test::run_engine({.dir = dir.path(),
                      .params = {.settings = settings(),
                                 .policy = policy,
                                 .client_id = "pm-test-client",
                                 .stop_at = at(2026, 12, 1, 12),
                                 .seed = 42},
                      .start = at(2026, 11, 30, 12),
                      .make_agent = [this](asio::io_context&) { return agent; },
                      .during = [](engine& e) -> asio::awaitable<void> {
                          e.set_leading(false);  // ignored: a single node leads
                          EXPECT_EQ(e.status().role, schedule_role::single);
                          co_return;
                      }},
                     test::load_rules(daily, policy));
    EXPECT_EQ(agent->payments.size(), 1u);
}

}  // namespace
}  // namespace paymand::engine::leadership_tests
