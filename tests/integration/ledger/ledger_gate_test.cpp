// The engine behind the shared ledger's gate (daemon::ledger_gate) against the real
// PostgreSQL 15 and payman-sandbox on 127.0.0.1, on a virtual clock: the sandbox's ledger and
// the asks the engine made are the witness of what was sent.

#include "ledger_fixture.hpp"
#include "paymand/daemon/ledger_gate.hpp"
#include "paymand/ledger/lease.hpp"
#include "support/engine_run.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "support/tcp_proxy.hpp"

#include <date/date.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

namespace paymand::test {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::HasSubstr;

// Passes asks on, remembers whether each was a payment, and calls `before_read` before a
// read-only ask goes out (between the claim and the gate: the test's moment to interfere).
class witness_agent final : public engine::agent {
public:
    witness_agent(std::shared_ptr<engine::agent> inner, std::vector<bool>& payments,
                  std::function<void()> before_read)
        : inner_(std::move(inner)), payments_(payments), before_read_(std::move(before_read))
    {
    }
    asio::awaitable<engine::ask_outcome> async_ask(std::string text,
                                                   payman::ask_options options) override
    {
        payments_.push_back(!options.read_only);
        if (options.read_only && before_read_) std::exchange(before_read_, {})();
        co_return co_await inner_->async_ask(std::move(text), std::move(options));
    }

private:
    std::shared_ptr<engine::agent> inner_;
    std::vector<bool>& payments_;
    std::function<void()> before_read_;
};

const char* rent = R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    timezone: Europe/Berlin
    pay: {payee: John Doe, amount: 10.00, wallet: Operations}
)";

// Read before the payment: the test acts between the claim and the gate.
const char* funded_rent = R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    timezone: Europe/Berlin
    when: {balance: {wallet: Operations, above: 100.00}}
    pay: {payee: John Doe, amount: 10.00, wallet: Operations}
)";

const std::string identity = "rent@2026-12-01T09:00";

// When a node leads: from the start (nullopt), or from this instant on (a standby until then,
// its clock moved there at once); and its lifetime.
struct leadership {
    std::optional<engine::sys_time> gained_at;
    engine::sys_time start = engine::sys_time(date::sys_days(date::year(2026) / 11 / 25));
    engine::sys_time stop_at = engine::sys_time(date::sys_days(date::year(2026) / 12 / 5));
};

class ledger_gate_test : public ledger_store_test {
protected:
    sandbox_process sandbox{sandbox_params{.defaults = {.token_lifetime_s = 3600}}};
    rules::policy policy = rules::permissive_policy();
    std::optional<ledger::fence> believed;  // what the node under test believes it holds
    int refused_gates = 0;

    // `node` takes the lease (free or expired) for 10 s; its epoch.
    std::int64_t lead(const std::string& node)
    {
        auto c = open();
        auto grant = run(ledger::async_acquire_lease(c, node, 10s));
        if (!grant || !*grant) throw std::runtime_error("the lease was not acquired");
        return (*grant)->epoch;
    }

    struct node_run {
        std::vector<audit::record> records;
        std::vector<bool> payments;  // each ask: true for a payment
    };

    // One engine's lifetime from 25 November to 5 December 2026 (one occurrence due) unless
    // `when` says otherwise, its gate on `conninfo`, believing it holds `believed`.
    node_run run_node(const char* rules, std::function<void()> before_read = {},
                      std::optional<std::string> conninfo = {},
                      std::chrono::milliseconds timeout = 5s, leadership when = {})
    {
        temp_dir dir;
        node_run out;
        engine::virtual_clock* clock = nullptr;
        auto settings = settings_for(conninfo ? *conninfo : pg.socket_conninfo(db));
        settings.connect_timeout = timeout;
        settings.reply_timeout = timeout;
        config::engine_config engine_settings;
        run_engine(
            {.dir = dir.path(),
             .params = {.settings = engine_settings,
                        .policy = policy,
                        .client_id = std::string(sandbox_client_id),
                        .on_record = [&](const audit::record& r) { out.records.push_back(r); },
                        .stop_at = when.stop_at},
             .start = when.start,
             .make_agent = [&](asio::io_context& io) -> std::shared_ptr<engine::agent> {
                 payman::client_config cc;
                 cc.base_url = sandbox.base_url();
                 auto client = payman::client::with_credentials(
                     io.get_executor(), cc, std::string(sandbox_client_id),
                     payman::secret(sandbox_client_secret));
                 EXPECT_TRUE(client) << client.error().what();
                 if (!client) return nullptr;
                 return std::make_shared<witness_agent>(
                     engine::make_client_agent(std::move(*client)), out.payments,
                     std::move(before_read));
             },
             .make_gate = [&](asio::io_context& io) -> std::shared_ptr<engine::occurrence_gate> {
                 return std::make_shared<daemon::ledger_gate>(
                     io.get_executor(), settings,
                     daemon::gate_lease{.fence = [this] { return believed; },
                                        .note_refused = [this] { ++refused_gates; }});
             },
             .on_clock = [&](engine::virtual_clock& c) { clock = &c; },
             .during = [&](engine::engine& eng) -> asio::awaitable<void> {
                 // Gained later: the standby's schedule stands still until then.
                 if (when.gained_at) clock->advance_to(*when.gained_at);
                 eng.set_leading(true);
                 co_return;
             }},
            load_rules(rules, policy));
        return out;
    }

    std::size_t transactions()
    {
        return sandbox.ledger().as_object().at("transactions").as_array().size();
    }

    template <class T>
    static std::vector<T> all(const node_run& r)
    {
        std::vector<T> out;
        for (const auto& rec : r.records)
            if (const auto* x = std::get_if<T>(&rec.body)) out.push_back(*x);
        return out;
    }
};

TEST_F(ledger_gate_test, two_engines_with_the_same_rules_on_one_ledger_pay_once)
{
    believed = ledger::fence{"pay-1", lead("pay-1")};
    auto first = run_node(rent);
    EXPECT_EQ(row_of(identity), "paid pay-1 1");
    // pay-1 hands over; pay-2 leads and runs the same rules over the same days.
    {
        auto c = open();
        ASSERT_TRUE(run(ledger::async_release_lease(c, "pay-1", 1)).value());
    }
    believed = ledger::fence{"pay-2", lead("pay-2")};
    auto second = run_node(rent);
    EXPECT_EQ(transactions(), 1u);
    EXPECT_EQ(std::count(first.payments.begin(), first.payments.end(), true), 1);
    EXPECT_EQ(std::count(second.payments.begin(), second.payments.end(), true), 0);
    // pay-2 resumed after the ledger's latest: it did not even claim pay-1's occurrence.
    EXPECT_TRUE(all<audit::skipped_record>(second).empty());
    EXPECT_EQ(row_of(identity), "paid pay-1 1");
}

TEST_F(ledger_gate_test, a_node_whose_epoch_went_stale_is_refused_at_the_gate_and_sends_nothing)
{
    believed = ledger::fence{"pay-1", lead("pay-1")};
    // Between its claim and its gate, pay-1's lease runs out and pay-2 takes over; pay-1
    // still believes it leads (a pause past the lease).
    auto stale = run_node(funded_rent, [&] {
        expire_lease();
        lead("pay-2");
    });
    EXPECT_EQ(transactions(), 0u);
    EXPECT_EQ(std::count(stale.payments.begin(), stale.payments.end(), true), 0);
    ASSERT_EQ(all<audit::failed_record>(stale).size(), 1u);
    EXPECT_THAT(all<audit::failed_record>(stale)[0].reason,
                HasSubstr("not sent: the send gate refused: the database refused epoch 1"));
    EXPECT_EQ(refused_gates, 1);
    // The takeover released it: the new leader runs it.
    EXPECT_EQ(row_of(identity), "released pay-1 1");
}

TEST_F(ledger_gate_test, a_gate_whose_connection_dies_mid_statement_is_in_doubt_and_not_sent)
{
    tcp_proxy proxy(static_cast<std::uint16_t>(pg.port()));
    const std::string via_proxy = "host=127.0.0.1 port=" + std::to_string(proxy.port()) +
                                  " user=postgres password=" + std::string(pg_server::password) +
                                  " dbname=" + db;
    believed = ledger::fence{"pay-1", lead("pay-1")};
    // After the claim, the link to the database goes silent: the gate's statement is written
    // and never answered.
    auto cut = run_node(
        funded_rent, [&] { proxy.black_hole(); }, via_proxy, 400ms);
    EXPECT_EQ(transactions(), 0u);
    EXPECT_EQ(std::count(cut.payments.begin(), cut.payments.end(), true), 0);
    ASSERT_EQ(all<audit::in_doubt_record>(cut).size(), 1u);
    EXPECT_THAT(all<audit::in_doubt_record>(cut)[0].reason,
                HasSubstr("the send gate's outcome is unknown"));
    EXPECT_EQ(all<audit::failed_record>(cut).size(), 0u);
    EXPECT_EQ(row_of(identity), "claimed pay-1 1");
}

const char* daily_rent = R"(rules:
  - id: rent
    schedule: daily at 09:00
    timezone: UTC
    catchup: none
    pay: {payee: John Doe, amount: 10.00, wallet: Operations}
)";

engine::sys_time december(unsigned day, int hh, int mm = 0, int ss = 0)
{
    return engine::sys_time(date::sys_days(date::year(2026) / 12 / day) + std::chrono::hours(hh) +
                            std::chrono::minutes(mm) + std::chrono::seconds(ss));
}

TEST_F(ledger_gate_test, a_new_leader_pays_what_came_due_after_the_old_one_and_not_what_it_paid)
{
    // pay-1 leads and pays 1 December; it dies a second before 2 December's occurrence.
    believed = ledger::fence{"pay-1", lead("pay-1")};
    auto first =
        run_node(daily_rent, {}, {}, 5s, {.start = december(1, 8), .stop_at = december(1, 12)});
    EXPECT_EQ(row_of("rent@2026-12-01T09:00"), "paid pay-1 1");
    expire_lease();
    // pay-2 was a standby since before 1 December; it takes over 11 s after 2 December's
    // instant.
    believed = ledger::fence{"pay-2", lead("pay-2")};
    auto second = run_node(
        daily_rent, {}, {}, 5s,
        {.gained_at = december(2, 9, 0, 11), .start = december(1, 8), .stop_at = december(2, 12)});
    EXPECT_EQ(transactions(), 2u);
    EXPECT_EQ(std::count(first.payments.begin(), first.payments.end(), true), 1);
    EXPECT_EQ(std::count(second.payments.begin(), second.payments.end(), true), 1);
    EXPECT_EQ(row_of("rent@2026-12-01T09:00"), "paid pay-1 1");
    EXPECT_EQ(row_of("rent@2026-12-02T09:00"), "paid pay-2 2");
    // pay-2 never tried 1 December: the ledger said it was settled.
    EXPECT_TRUE(all<audit::skipped_record>(second).empty());
    EXPECT_TRUE(all<audit::missed_record>(second).empty());
    EXPECT_EQ(refused_gates, 0);
}

TEST_F(ledger_gate_test, a_row_released_by_a_takeover_is_paid_by_the_new_leader_once)
{
    // pay-1 claims 1 December and dies before its gate; pay-2's takeover releases the row.
    const auto epoch = lead("pay-1");
    {
        auto c = open();
        ASSERT_EQ(*run(ledger::async_claim(c, {"pay-1", epoch}, "rent@2026-12-01T09:00", "rent")),
                  ledger::claim_outcome::claimed);
    }
    expire_lease();
    believed = ledger::fence{"pay-2", lead("pay-2")};
    EXPECT_EQ(row_of("rent@2026-12-01T09:00"), "released pay-1 1");
    // pay-2 takes over three hours late (catchup: none would not run it: it was released).
    const leadership late{
        .gained_at = december(1, 12), .start = december(1, 8), .stop_at = december(1, 13)};
    auto second = run_node(daily_rent, {}, {}, 5s, late);
    EXPECT_EQ(transactions(), 1u);
    EXPECT_EQ(std::count(second.payments.begin(), second.payments.end(), true), 1);
    EXPECT_EQ(row_of("rent@2026-12-01T09:00"), "paid pay-2 2");
    // And the node after it does not pay it again.
    expire_lease();
    believed = ledger::fence{"pay-3", lead("pay-3")};
    auto third = run_node(daily_rent, {}, {}, 5s, late);
    EXPECT_EQ(transactions(), 1u);
    EXPECT_EQ(std::count(third.payments.begin(), third.payments.end(), true), 0);
    EXPECT_EQ(row_of("rent@2026-12-01T09:00"), "paid pay-2 2");
}

}  // namespace
}  // namespace paymand::test
