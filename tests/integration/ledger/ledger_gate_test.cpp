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

    // One engine's lifetime from 25 November to 5 December 2026 (one occurrence due), its
    // gate on `conninfo`, believing it holds `believed`.
    node_run run_node(const char* rules, std::function<void()> before_read = {},
                      std::optional<std::string> conninfo = {},
                      std::chrono::milliseconds timeout = 5s)
    {
        temp_dir dir;
        node_run out;
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
                        .stop_at = engine::sys_time(date::sys_days(date::year(2026) / 12 / 5))},
             .start = engine::sys_time(date::sys_days(date::year(2026) / 11 / 25)),
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
    ASSERT_EQ(all<audit::skipped_record>(second).size(), 1u);
    EXPECT_THAT(all<audit::skipped_record>(second)[0].reason,
                HasSubstr("held by another node in the shared ledger"));
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

}  // namespace
}  // namespace paymand::test
