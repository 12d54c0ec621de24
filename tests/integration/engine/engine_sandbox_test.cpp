// The engine against the real payman-sandbox over HTTP, on a virtual clock: months of
// schedule run in seconds, and the sandbox's ledger is the witness of what was paid.

#include "paymand/audit/file_audit_store.hpp"
#include "paymand/engine/engine.hpp"
#include "paymand/inspect/simulation.hpp"
#include "paymand/money/currency.hpp"
#include "paymand/rules/rule_loader.hpp"
#include "support/engine_run.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "support/tls.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <date/date.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

namespace paymand::engine {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::HasSubstr;

sys_time at(int y, unsigned m, unsigned d, int hh = 0)
{
    return sys_time(date::sys_days(date::year(y) / date::month(m) / date::day(d)) +
                    std::chrono::hours(hh));
}

// Passes asks on and remembers their texts, to count what was asked.
class recording_agent final : public agent {
public:
    recording_agent(std::shared_ptr<agent> inner, std::vector<std::string>& texts)
        : inner_(std::move(inner)), texts_(texts)
    {
    }
    asio::awaitable<ask_outcome> async_ask(std::string text, payman::ask_options options) override
    {
        texts_.push_back(text);
        co_return co_await inner_->async_ask(std::move(text), std::move(options));
    }

private:
    std::shared_ptr<agent> inner_;
    std::vector<std::string>& texts_;
};

class engine_sandbox_test : public testing::Test {
protected:
    test::temp_dir dir;
    std::unique_ptr<test::sandbox_process> sandbox;
    rules::policy policy = rules::permissive_policy();
    config::engine_config settings;
    bool dry_run = false;
    std::chrono::milliseconds read_timeout = 10s;
    std::optional<std::filesystem::path> ca_file;
    std::vector<audit::record> records;
    std::vector<std::string> asked;  // every ask's text, in order

    void SetUp() override
    {
        test::sandbox_defaults defaults;
        sandbox = std::make_unique<test::sandbox_process>(test::sandbox_params{
            .defaults = {.token_lifetime_s = 3600, .per_transaction_limit = "5000.00"}});
        settings.retry = {.initial_delay = 1s, .max_delay = 1s, .max_attempts = 2};
    }

    std::shared_ptr<const rules::rule_set> load(std::string_view text)
    {
        return test::load_rules(text, policy);
    }

    std::size_t ledger_transactions()
    {
        return sandbox->ledger().as_object().at("transactions").as_array().size();
    }

    // One daemon lifetime against the sandbox on a virtual clock from `start` until the next
    // occurrence lies after `end`.
    void run(std::shared_ptr<const rules::rule_set> set, sys_time start, sys_time end,
             std::function<asio::awaitable<void>(engine&)> after = {})
    {
        test::run_engine(
            {.dir = dir.path(),
             .params = {.settings = settings,
                        .policy = policy,
                        .client_id = std::string(test::sandbox_client_id),
                        .dry_run = dry_run,
                        .on_record = [this](const audit::record& r) { records.push_back(r); },
                        .stop_at = end},
             .start = start,
             .make_agent = [this](asio::io_context& io) -> std::shared_ptr<agent> {
                 payman::client_config cc;
                 cc.base_url = sandbox->base_url();
                 cc.http.timeouts.read = read_timeout;
                 cc.http.ca_file = ca_file;
                 auto client = payman::client::with_credentials(
                     io.get_executor(), cc, std::string(test::sandbox_client_id),
                     payman::secret(test::sandbox_client_secret));
                 EXPECT_TRUE(client) << client.error().what();
                 if (!client) return nullptr;
                 return std::make_shared<recording_agent>(make_client_agent(std::move(*client)),
                                                          asked);
             },
             .after = std::move(after)},
            std::move(set));
    }

    std::size_t listings_asked() const
    {
        return std::count_if(asked.begin(), asked.end(), [](const std::string& t) {
            return t.find("transactions") != std::string::npos;
        });
    }

    template <class T>
    std::vector<T> all() const
    {
        std::vector<T> out;
        for (const auto& r : records)
            if (const auto* x = std::get_if<T>(&r.body)) out.push_back(*x);
        return out;
    }

    template <class T>
    std::size_t count() const
    {
        return std::count_if(records.begin(), records.end(),
                             [](const auto& r) { return std::holds_alternative<T>(r.body); });
    }
};

TEST_F(engine_sandbox_test, a_monthly_rule_over_14_months_pays_exactly_14_times)
{
    run(load(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    timezone: Europe/Berlin
    pay: {payee: John Doe, amount: 10.00, wallet: Operations, memo: "Rent {{month}} {{year}}"}
)"),
        at(2026, 1, 15), at(2027, 3, 15));
    auto ledger = sandbox->ledger().as_object();
    const auto& txs = ledger.at("transactions").as_array();
    ASSERT_EQ(txs.size(), 14u);
    EXPECT_EQ(txs[0].at("amount").as_string(), "10.00");
    EXPECT_EQ(txs[0].at("payee").as_string(), "John Doe");
    EXPECT_THAT(std::string(txs[0].at("memo").as_string()), HasSubstr("pm:rent:20260201T0900"));
    EXPECT_EQ(count<audit::result_record>(), 14u);
    for (const auto& w : ledger.at("wallets").as_array())
        if (w.at("name").as_string() == "Operations") {
            EXPECT_EQ(w.at("balance").as_string(), "860.00");
        }
}

TEST_F(engine_sandbox_test, a_false_condition_pays_nothing_and_is_recorded)
{
    run(load(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    when: {balance: {wallet: Operations, above: 5000.00}}
    pay: {payee: John Doe, amount: 10.00, wallet: Operations}
)"),
        at(2026, 1, 15), at(2026, 2, 15));
    EXPECT_EQ(ledger_transactions(), 0u);
    EXPECT_EQ(count<audit::condition_record>(), 1u);
    EXPECT_EQ(count<audit::skipped_record>(), 1u);
}

TEST_F(engine_sandbox_test, a_true_condition_reads_the_real_balance_and_pays)
{
    run(load(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    when: {balance: {wallet: Operations, min_remaining: 900.00}}
    pay: {payee: John Doe, amount: 100.00, wallet: Operations}
)"),
        at(2026, 1, 15), at(2026, 3, 15));
    // 1000 - 100 >= 900 holds once; then 900 - 100 < 900.
    EXPECT_EQ(ledger_transactions(), 1u);
    EXPECT_EQ(count<audit::skipped_record>(), 1u);
}

// Sixteen rules due together, each paying from Operations when its balance allows: the
// occurrences that ask at the same moment share one balance ask, so the sandbox answers fewer
// than sixteen; each records a balance the wallet really held, and its ledger holds every
// payment.
TEST_F(engine_sandbox_test, occurrences_due_together_share_balance_reads_and_each_pays)
{
    settings.concurrency = 8;
    std::string text = "rules:\n";
    for (int i = 0; i < 16; ++i)
        text += fmt::format("  - id: r{}\n    schedule: monthly on day 1 at 09:00\n"
                            "    when: {{balance: {{wallet: Operations, min_remaining: 0.00}}}}\n"
                            "    pay: {{payee: John Doe, amount: 1.00, wallet: Operations}}\n",
                            i);
    run(load(text), at(2026, 1, 15), at(2026, 2, 15));
    EXPECT_EQ(ledger_transactions(), 16u);
    const auto balance_asks = std::count_if(asked.begin(), asked.end(), [](const auto& t) {
        return t.starts_with("what is the balance");
    });
    EXPECT_GE(balance_asks, 1);
    EXPECT_LT(balance_asks, 16);
    const auto conditions = all<audit::condition_record>();
    ASSERT_EQ(conditions.size(), 16u);
    for (const auto& c : conditions) {
        EXPECT_TRUE(c.met) << c.ref.occurrence;
        ASSERT_TRUE(c.balance) << c.ref.occurrence;
        // 1000.00 less the payments made before the read: 985.00 to 1000.00.
        EXPECT_GE(c.balance->minor_units(), 985'00) << c.ref.occurrence;
        EXPECT_LE(c.balance->minor_units(), 1000'00) << c.ref.occurrence;
    }
}

TEST_F(engine_sandbox_test, a_limit_exceeded_is_denied_and_nothing_is_sent)
{
    policy.limits.enabled = true;
    policy.limits.currencies["TSD"].monthly = 15'00;
    run(load(R"(rules:
  - id: weekly
    schedule: weekly on mon at 10:00
    pay: {payee: John Doe, amount: 10.00}
)"),
        at(2026, 3, 1), at(2026, 3, 15));
    // Mondays 2 and 9 March: the second would make 20.00 this month, above 15.00.
    EXPECT_EQ(ledger_transactions(), 1u);
    EXPECT_EQ(count<audit::denied_record>(), 1u);
    EXPECT_EQ(sandbox->stats().as_object().at("requests").at("tasks_send").as_int64(), 1);
}

TEST_F(engine_sandbox_test, a_payment_timing_out_is_in_doubt_and_not_paid_twice_after_restart)
{
    read_timeout = 1s;
    sandbox->inject_fault(boost::json::parse(
        R"({"endpoint":"tasks","prompt_kind":"payment","action":"delay","delay_ms":2500})"));
    auto set = load(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00}
)");
    run(set, at(2026, 1, 15), at(2026, 2, 15));
    EXPECT_EQ(count<audit::in_doubt_record>(), 1u);
    // The sandbox did execute the payment; its answer came too late.
    EXPECT_EQ(ledger_transactions(), 1u);
    records.clear();
    run(set, at(2026, 2, 1, 10), at(2026, 2, 15));
    EXPECT_EQ(ledger_transactions(), 1u) << "an in-doubt payment was sent again";
    EXPECT_EQ(count<audit::intent_record>(), 0u);
}

TEST_F(engine_sandbox_test, a_reset_after_the_request_was_read_is_in_doubt)
{
    sandbox->inject_fault(boost::json::parse(
        R"({"endpoint":"tasks","prompt_kind":"payment","action":"reset_after_read"})"));
    run(load(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00}
)"),
        at(2026, 1, 15), at(2026, 2, 15));
    EXPECT_EQ(count<audit::in_doubt_record>(), 1u);
    EXPECT_EQ(ledger_transactions(), 1u);
}

TEST_F(engine_sandbox_test, a_503_before_anything_happened_on_a_balance_read_is_retried)
{
    sandbox->inject_fault(boost::json::parse(
        R"({"endpoint":"tasks","prompt_kind":"balance","action":"status","status":503,"retry_after":1})"));
    run(load(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    when: {balance: {wallet: Operations, above: 10.00}}
    pay: {payee: John Doe, amount: 10.00, wallet: Operations}
)"),
        at(2026, 1, 15), at(2026, 2, 15));
    EXPECT_EQ(ledger_transactions(), 1u);
}

TEST_F(engine_sandbox_test, dry_run_sends_no_payment)
{
    dry_run = true;
    run(load(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    when: {balance: {wallet: Operations, above: 10.00}}
    pay: {payee: John Doe, amount: 10.00, wallet: Operations}
)"),
        at(2026, 1, 15), at(2026, 4, 15));
    EXPECT_EQ(ledger_transactions(), 0u);
    EXPECT_EQ(count<audit::intent_record>(), 3u);
    for (const auto& r : records) EXPECT_TRUE(r.dry_run);
}

TEST_F(engine_sandbox_test, reconciliation_finds_an_in_doubt_payment_in_the_listing)
{
    sandbox->inject_fault(boost::json::parse(
        R"({"endpoint":"tasks","prompt_kind":"payment","action":"reset_after_read"})"));
    run(load(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00}
)"),
        at(2026, 1, 15), at(2026, 2, 15),
        [](engine& e) -> asio::awaitable<void> { co_await e.async_reconcile(); });
    EXPECT_EQ(ledger_transactions(), 1u);
    ASSERT_EQ(count<audit::reconciled_record>(), 1u);
    for (const auto& r : records)
        if (const auto* rec = std::get_if<audit::reconciled_record>(&r.body)) {
            EXPECT_EQ(rec->result, audit::reconcile_outcome::paid) << rec->evidence;
        }
}

TEST_F(engine_sandbox_test, reconciliation_without_a_listed_payment_leaves_it_in_doubt)
{
    read_timeout = 1s;
    // The payment never reached the ledger: refused before reading, yet the client saw the
    // connection drop after writing, so the outcome is unknown to it.
    sandbox->inject_fault(
        boost::json::parse(R"({"endpoint":"tasks","prompt_kind":"payment","action":"stall"})"));
    run(load(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00}
)"),
        at(2026, 1, 15), at(2026, 2, 15),
        [](engine& e) -> asio::awaitable<void> { co_await e.async_reconcile(); });
    EXPECT_EQ(count<audit::in_doubt_record>(), 1u);
    ASSERT_EQ(count<audit::reconciled_record>(), 1u);
    for (const auto& r : records)
        if (const auto* rec = std::get_if<audit::reconciled_record>(&r.body)) {
            EXPECT_EQ(rec->result, audit::reconcile_outcome::not_found);
        }
}

// TLS with a CA made at test time: the engine pays through a verified connection, and a
// server whose certificate comes from a CA it does not trust gets nothing.
// `paymand simulate` is the engine itself: over the same period and rules, the occurrences it
// simulates and its decisions are those of a real run against the sandbox, and every "would
// pay" is a transaction in the sandbox's ledger.
TEST_F(engine_sandbox_test, simulate_decides_every_occurrence_as_the_real_run_does)
{
    policy.limits.enabled = true;
    policy.limits.currencies["TSD"].monthly = 25'00;
    policy.min_pay_interval = std::chrono::hours(1);
    auto set = load(R"(rules:
  - id: funded
    schedule: monthly on day 2 at 09:00
    when: {balance: {wallet: Operations, above: 100}}
    pay: {payee: John Doe, amount: 5.00, wallet: Operations}
  - id: starved
    schedule: monthly on day 3 at 09:00
    when: {balance: {wallet: Operations, below: 50}}
    pay: {payee: John Doe, amount: 5.00, wallet: Operations}
  - id: weekly
    schedule: weekly on mon at 10:00
    pay: {payee: John Doe, amount: 5.00, wallet: Operations}
  - id: balance
    schedule: monthly on day 5 at 06:00
    report: balance
)");
    const auto start = at(2027, 1, 1);
    const auto end = at(2027, 4, 1);
    run(set, start, end - 1s);

    std::map<std::string, std::string> real;
    for (const auto& r : records) {
        const auto* ref = audit::occurrence_of(r.body);
        if (ref == nullptr) continue;
        if (std::holds_alternative<audit::intent_record>(r.body)) real[ref->occurrence] = "pay";
        if (std::holds_alternative<audit::denied_record>(r.body)) real[ref->occurrence] = "limit";
        if (std::holds_alternative<audit::report_record>(r.body)) real[ref->occurrence] = "report";
        if (const auto* c = std::get_if<audit::condition_record>(&r.body); c && !c->met)
            real[ref->occurrence] = "condition";
    }

    auto sim = inspect::simulate(
        {.rules = set,
         .policy = policy,
         .settings = settings,
         .from = std::chrono::floor<std::chrono::seconds>(start),
         .to = std::chrono::floor<std::chrono::seconds>(end),
         .balances = {.wallets = {},
                      .fallback = money::amount(*money::currency::find("TSD"), 1000'00)}});
    std::map<std::string, std::string> simulated;
    for (const auto& o : sim.occurrences) simulated[o.occurrence] = inspect::to_string(o.what);

    EXPECT_EQ(simulated, real);
    // 3 + 3 condition refusals + 13 weekly + 3 reports; the monthly 25.00 cap refuses some.
    EXPECT_EQ(simulated.size(), 22u);
    EXPECT_GT(sim.counts[inspect::verdict::limit], 0u);
    EXPECT_EQ(sim.counts[inspect::verdict::condition], 3u);
    EXPECT_EQ(ledger_transactions(), sim.counts[inspect::verdict::pay]);
    EXPECT_EQ(sim.per_currency["TSD"].minor_units,
              static_cast<std::int64_t>(sim.counts[inspect::verdict::pay]) * 5'00);
}

class engine_sandbox_tls_test : public engine_sandbox_test {
protected:
    void use_tls(const std::filesystem::path& cert, const std::filesystem::path& key)
    {
        test::sandbox_params params;
        params.cert_file = cert;
        params.key_file = key;
        params.ca_file = tls.ca_cert;
        sandbox = std::make_unique<test::sandbox_process>(params);
        ca_file = tls.ca_cert;
    }
    test::temp_dir tls_dir;
    test::tls_files tls = test::make_tls_files(tls_dir.path());
};

const char* monthly_ten = R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00}
)";

TEST_F(engine_sandbox_tls_test, pays_over_tls_verified_by_the_test_ca)
{
    use_tls(tls.server_cert, tls.server_key);
    ASSERT_THAT(sandbox->base_url(), testing::StartsWith("https://"));
    run(load(monthly_ten), at(2026, 1, 15), at(2026, 2, 15));
    EXPECT_EQ(ledger_transactions(), 1u);
    EXPECT_EQ(count<audit::result_record>(), 1u);
}

TEST_F(engine_sandbox_tls_test, a_server_from_an_unknown_ca_is_refused_and_nothing_is_paid)
{
    use_tls(tls.unknown_ca_server_cert, tls.unknown_ca_server_key);
    run(load(monthly_ten), at(2026, 1, 15), at(2026, 2, 15));
    EXPECT_EQ(ledger_transactions(), 0u);
    EXPECT_EQ(count<audit::failed_record>(), 1u) << "a TLS failure happens before sending";
    EXPECT_EQ(count<audit::in_doubt_record>(), 0u);
}

TEST_F(engine_sandbox_tls_test, a_certificate_for_another_host_is_refused)
{
    use_tls(tls.wrong_host_cert, tls.wrong_host_key);
    run(load(monthly_ten), at(2026, 1, 15), at(2026, 2, 15));
    EXPECT_EQ(ledger_transactions(), 0u);
    EXPECT_EQ(count<audit::failed_record>(), 1u);
}

}  // namespace
}  // namespace paymand::engine

namespace paymand::engine {
namespace {

// The scheduled 09:00 payment is refused with a 500 before it is executed (in doubt, never
// paid); a manual run in the same minute is paid. The manual run's transaction must not
// settle the scheduled occurrence: each carries a tag of its own.
TEST_F(engine_sandbox_test, a_manual_payment_never_settles_the_scheduled_occurrence_of_its_minute)
{
    sandbox->inject_fault(boost::json::parse(
        R"({"endpoint":"tasks","prompt_kind":"payment","action":"status","status":500})"));
    auto set = load(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00}
)");
    run(set, at(2026, 1, 31), at(2026, 2, 1, 10));
    ASSERT_EQ(count<audit::in_doubt_record>(), 1u);
    ASSERT_EQ(ledger_transactions(), 0u);
    run(set, at(2026, 2, 1, 9) + 30s, at(2026, 2, 1, 10), [](engine& e) -> asio::awaitable<void> {
        auto manual = co_await e.async_trigger("rent");
        EXPECT_EQ(manual.value(), "rent@2026-02-01T09:00~manual");
        co_await e.async_reconcile();
    });
    const auto ledger = sandbox->ledger().as_object().at("transactions").as_array();
    ASSERT_EQ(ledger.size(), 1u);
    EXPECT_THAT(std::string(ledger[0].at("memo").as_string()), HasSubstr("pm:rent:20260201T0900m"));
    ASSERT_EQ(count<audit::reconciled_record>(), 1u);
    for (const auto& r : records)
        if (const auto* rec = std::get_if<audit::reconciled_record>(&r.body)) {
            EXPECT_EQ(rec->ref.occurrence, "rent@2026-02-01T09:00");
            EXPECT_EQ(rec->result, audit::reconcile_outcome::not_found) << rec->evidence;
        }
}

// A payment in doubt that no listing shows is recorded not_found once, not at every listing
// and every start, and the evidence is one sentence, not the listing.
TEST_F(engine_sandbox_test, not_found_is_recorded_once_per_occurrence_across_restarts)
{
    read_timeout = 1s;
    sandbox->inject_fault(
        boost::json::parse(R"({"endpoint":"tasks","prompt_kind":"payment","action":"stall"})"));
    auto set = load(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00}
)");
    const auto twice = [](engine& e) -> asio::awaitable<void> {
        co_await e.async_reconcile();
        co_await e.async_reconcile();
    };
    run(set, at(2026, 1, 15), at(2026, 2, 15), twice);
    run(set, at(2026, 2, 16), at(2026, 2, 17), twice);
    ASSERT_EQ(count<audit::reconciled_record>(), 1u);
    for (const auto& r : records)
        if (const auto* rec = std::get_if<audit::reconciled_record>(&r.body)) {
            EXPECT_EQ(rec->result, audit::reconcile_outcome::not_found);
            EXPECT_THAT(rec->evidence, HasSubstr("has the tag pm:rent:20260201T0900 with 10.00 "
                                                 "TSD to John Doe"));
            EXPECT_LT(rec->evidence.size(), 200u);
        }
    EXPECT_EQ(ledger_transactions(), 0u);
}

// --- confirmation from the ledger (issue 15 item 4) ---------------------------------------

constexpr std::string_view monthly_rent = R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00, memo: "Rent"}
)";

asio::awaitable<void> settle(engine& e)
{
    co_await e.async_confirm();
}

TEST_F(engine_sandbox_test, every_completed_payment_is_confirmed_from_the_transaction_listing)
{
    settings.confirm_delay = 0s;
    run(load(monthly_rent), at(2026, 1, 15), at(2026, 4, 15), settle);
    EXPECT_EQ(ledger_transactions(), 3u);
    const auto confirmed = all<audit::confirmed_record>();
    ASSERT_EQ(confirmed.size(), 3u);
    EXPECT_EQ(confirmed[0].ref.occurrence, "rent@2026-02-01T09:00");
    EXPECT_EQ(confirmed[0].attempts, 1u);
    EXPECT_THAT(confirmed[0].evidence, HasSubstr("John Doe"));
    EXPECT_THAT(confirmed[0].evidence, HasSubstr("pm:rent:20260201T0900"));
    EXPECT_EQ(count<audit::mismatch_record>(), 0u);
    EXPECT_EQ(count<audit::unconfirmed_record>(), 0u);
}

// More payments than a listing shows (100): new payments wait while the oldest unconfirmed
// one would fall out of a listing's reach, so every one is confirmed, none left unconfirmed
// for lack of reach, with listings shared by batches of up to 40.
TEST_F(engine_sandbox_test, a_burst_larger_than_a_listing_is_confirmed_in_full)
{
    settings.confirm_delay = 2s;  // mostly full batches and waiting payments ask for listings
    settings.concurrency = 16;
    std::string text = "rules:\n";
    for (int i = 0; i < 250; ++i)
        text += fmt::format("  - id: r{}\n    schedule: monthly on day 1 at 09:00\n"
                            "    pay: {{payee: John Doe, amount: 1.00}}\n",
                            i);
    run(load(text), at(2026, 1, 15), at(2026, 2, 15), settle);
    EXPECT_EQ(ledger_transactions(), 250u);
    EXPECT_EQ(count<audit::unconfirmed_record>(), 0u);
    EXPECT_EQ(count<audit::confirmed_record>(), 250u);
    // Shared listings: a handful per hundred payments (how many depends on timing).
    EXPECT_LT(listings_asked(), 250u / 4);
}

TEST_F(engine_sandbox_test, a_second_transaction_with_the_tag_is_a_mismatch_not_a_confirmation)
{
    settings.confirm_delay = 0s;
    // Someone paid with the occurrence's tag before paymand did (a forged or repeated memo).
    auto token = sandbox->fetch_token().at("accessToken").as_string();
    auto prepaid = sandbox->ask(
        token, R"(send 10.00 TSD to "John Doe" with memo "Rent pm:rent:20260201T0900")");
    ASSERT_EQ(prepaid.status, 200) << prepaid.body;
    ASSERT_EQ(ledger_transactions(), 1u);
    run(load(monthly_rent), at(2026, 1, 15), at(2026, 2, 15), settle);
    EXPECT_EQ(ledger_transactions(), 2u);
    EXPECT_EQ(count<audit::confirmed_record>(), 0u);
    const auto mismatches = all<audit::mismatch_record>();
    ASSERT_EQ(mismatches.size(), 1u);
    EXPECT_THAT(mismatches[0].reason, HasSubstr("more than once"));
}

TEST_F(engine_sandbox_test, a_listing_showing_the_tag_with_another_amount_is_a_mismatch)
{
    settings.confirm_delay = 0s;
    sandbox->inject_fault(boost::json::object{
        {"endpoint", "tasks"},
        {"prompt_kind", "transactions"},
        {"action", "replace_reply"},
        {"text", "Here are your last transactions:\n\n1. 2026-02-01 - Sent 9,000.00 TSD to "
                 "John Doe - Rent pm:rent:20260201T0900\n"}});
    run(load(monthly_rent), at(2026, 1, 15), at(2026, 2, 15), settle);
    EXPECT_EQ(ledger_transactions(), 1u);
    const auto mismatches = all<audit::mismatch_record>();
    ASSERT_EQ(mismatches.size(), 1u);
    EXPECT_EQ(mismatches[0].claimed_amount, "9000.00 TSD");
    EXPECT_THAT(mismatches[0].excerpt, HasSubstr("9,000.00 TSD"));
}

TEST_F(engine_sandbox_test, a_payment_no_listing_shows_is_unconfirmed_after_the_attempts)
{
    settings.confirm_delay = 0s;
    settings.confirm_attempts = 3;
    sandbox->inject_fault(boost::json::object{
        {"endpoint", "tasks"},
        {"prompt_kind", "transactions"},
        {"action", "replace_reply"},
        {"count", 3},
        {"text", "Here are your last transactions:\n\n1. 2026-01-20 - Sent 5.00 TSD to "
                 "Eve Smith - Gym\n"}});
    run(load(monthly_rent), at(2026, 1, 15), at(2026, 2, 15), settle);
    EXPECT_EQ(ledger_transactions(), 1u)
        << "the payment happened; only its confirmation is missing";
    EXPECT_EQ(listings_asked(), 3u);
    const auto unconfirmed = all<audit::unconfirmed_record>();
    ASSERT_EQ(unconfirmed.size(), 1u);
    EXPECT_EQ(unconfirmed[0].attempts, 3u);
    EXPECT_THAT(unconfirmed[0].reason, HasSubstr("absence proves nothing"));
    EXPECT_EQ(count<audit::confirmed_record>(), 0u);
}

TEST_F(engine_sandbox_test, a_payment_left_unconfirmed_by_a_stop_is_confirmed_at_the_next_start)
{
    settings.confirm_payments = false;
    run(load(monthly_rent), at(2026, 1, 15), at(2026, 2, 15));
    ASSERT_EQ(count<audit::result_record>(), 1u);
    ASSERT_EQ(count<audit::confirmed_record>(), 0u);
    // The next start, a day later, looks the completed payment up.
    settings.confirm_payments = true;
    settings.confirm_delay = 0s;
    run(load(monthly_rent), at(2026, 2, 2), at(2026, 2, 15), settle);
    EXPECT_EQ(ledger_transactions(), 1u);
    const auto confirmed = all<audit::confirmed_record>();
    ASSERT_EQ(confirmed.size(), 1u);
    EXPECT_EQ(confirmed[0].ref.occurrence, "rent@2026-02-01T09:00");
}

}  // namespace
}  // namespace paymand::engine
