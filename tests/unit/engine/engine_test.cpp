// The engine on a virtual clock with a scripted agent: each test runs weeks or months of
// schedule in milliseconds and checks what was asked and what the audit log holds.

#include "engine_test_util.hpp"
#include "paymand/audit/file_audit_store.hpp"
#include "paymand/engine/engine.hpp"
#include "paymand/money/parse.hpp"
#include "paymand/rules/rule_loader.hpp"
#include "support/engine_run.hpp"
#include "support/manual_clock.hpp"
#include "support/process.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <date/date.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <functional>

namespace paymand::engine {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::HasSubstr;

sys_time at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0)
{
    return sys_time(date::sys_days(date::year(y) / date::month(m) / date::day(d)) +
                    std::chrono::hours(hh) + std::chrono::minutes(mm));
}

using test::failure;
using test::reply;

struct scripted_agent final : agent {
    std::vector<std::string> asked;
    std::vector<payman::ask_options> options;
    std::size_t in_flight = 0;
    std::size_t max_in_flight = 0;
    std::chrono::milliseconds hold{0};
    std::chrono::milliseconds listing_hold{0};  // for transaction listings instead of `hold`
    std::function<ask_outcome(const std::string&)> answer = [](const std::string& text) {
        if (text.starts_with("send"))
            return reply("I've successfully sent 100.00 TSD to John Doe.");
        return reply("The balance of the Main wallet is **1000.00 TSD**.");
    };
    // Called as each request goes out: after one turn of the io_context, as a real client's
    // request waits for its connection.
    std::function<void(const std::string&)> on_ask;
    asio::awaitable<ask_outcome> async_ask(std::string text, payman::ask_options o) override
    {
        if (on_ask) {
            co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
            on_ask(text);
        }
        asked.push_back(text);
        options.push_back(o);
        // Stay in flight a moment, as a real ask would, so concurrent asks overlap.
        max_in_flight = std::max(max_in_flight, ++in_flight);
        const bool listing = text.find("transactions") != std::string::npos;
        asio::steady_timer wait(co_await asio::this_coro::executor,
                                listing && listing_hold.count() > 0 ? listing_hold : hold);
        co_await wait.async_wait(asio::use_awaitable);
        --in_flight;
        co_return answer(text);
    }
    std::size_t payments() const
    {
        return std::count_if(asked.begin(), asked.end(),
                             [](const auto& t) { return t.starts_with("send"); });
    }
};

using test::tsd;

class engine_test : public testing::Test {
protected:
    test::temp_dir dir;
    std::shared_ptr<scripted_agent> agent = std::make_shared<scripted_agent>();
    rules::policy policy = rules::permissive_policy();
    std::vector<audit::record> records;
    config::engine_config settings;
    bool dry_run = false;
    bool lockstep = true;
    std::uint64_t commits = 0;            // audit commits of the last run
    std::size_t unfinished = 0;           // what the last run's async_run returned
    std::chrono::seconds stamp_ahead{0};  // test::engine_run::stamp_ahead

    std::shared_ptr<const rules::rule_set> load(std::string_view text)
    {
        return test::load_rules(text, policy);
    }

    // One daemon lifetime on a virtual clock from `start` until the next occurrence lies
    // after `end`.
    void run(std::shared_ptr<const rules::rule_set> set, sys_time start, sys_time end,
             std::function<asio::awaitable<void>(engine&)> during = {},
             std::function<asio::awaitable<void>(engine&)> after = {})
    {
        test::run_engine(
            {.dir = dir.path(),
             .params = {.settings = settings,
                        .policy = policy,
                        .client_id = "pm-test-client",
                        .dry_run = dry_run,
                        .on_record = [this](const audit::record& r) { records.push_back(r); },
                        .stop_at = end,
                        .lockstep = lockstep,
                        .seed = 42},
             .start = start,
             .make_agent = [this](asio::io_context&) { return agent; },
             .during = std::move(during),
             .after = std::move(after),
             .stamp_ahead = stamp_ahead,
             .commits = &commits,
             .unfinished = &unfinished},
            std::move(set));
    }

    // For run's `during`: stops the engine as SIGTERM would, once a payment is being asked.
    std::function<asio::awaitable<void>(engine&)> stop_while_asking()
    {
        return [this](engine& eng) -> asio::awaitable<void> {
            auto ex = co_await asio::this_coro::executor;
            asio::co_spawn(ex, stop_once_asking(eng), asio::detached);
        };
    }

    asio::awaitable<void> stop_once_asking(engine& eng)
    {
        asio::steady_timer poll(co_await asio::this_coro::executor);
        while (agent->in_flight == 0) {
            poll.expires_after(5ms);
            co_await poll.async_wait(asio::use_awaitable);
        }
        eng.stop();
    }

    // The agent pays and lists what it paid, newest first, as Payman does; `listed(i, age)`
    // says whether the i-th payment (from 0), made `age` ago, is in a listing yet.
    void answer_as_the_ledger(
        std::function<bool(std::size_t, std::chrono::steady_clock::duration)> listed = {})
    {
        struct payment {
            std::string memo;
            std::chrono::steady_clock::time_point at;
        };
        agent->answer = [paid = std::make_shared<std::vector<payment>>(),
                         listed](const std::string& text) {
            const auto now = std::chrono::steady_clock::now();
            if (text.starts_with("send")) {
                const auto from = text.find("memo \"") + 6;
                paid->push_back({text.substr(from, text.rfind('"') - from), now});
                return reply("I've successfully sent 1.00 TSD to John Doe.");
            }
            const int count = std::stoi(text.substr(text.find("last ") + 5));
            std::string listing = "Here are your recent transactions:\n\n";
            int shown = 0;
            for (std::size_t i = paid->size(); i-- > 0 && shown < count;) {
                if (listed && !listed(i, now - (*paid)[i].at)) continue;
                listing += fmt::format("{}. 2026-02-01 - Sent 1.00 TSD to John Doe - {}\n", ++shown,
                                       (*paid)[i].memo);
            }
            return reply(listing);
        };
    }

    // `n` rules paying 1.00 TSD to John Doe at 09:00 on 1 February, run until every payment
    // is settled by a listing: each is paid once and confirmed.
    void pay_a_burst_and_expect_every_payment_confirmed(int n)
    {
        std::string text = "rules:\n";
        for (int i = 0; i < n; ++i)
            text += fmt::format("  - id: r{}\n    schedule: monthly on day 1 at 09:00\n"
                                "    pay: {{payee: John Doe, amount: 1.00}}\n",
                                i);
        run(load(text), at(2026, 1, 31), at(2026, 2, 2), {},
            [](engine& e) -> asio::awaitable<void> { co_await e.async_confirm(); });
        EXPECT_EQ(agent->payments(), static_cast<std::size_t>(n));
        for (const auto* u : all<audit::unconfirmed_record>())
            ADD_FAILURE() << u->ref.occurrence << " unconfirmed: " << u->reason;
        EXPECT_EQ(all<audit::confirmed_record>().size(), static_cast<std::size_t>(n));
    }

    template <class T>
    std::vector<const T*> all() const
    {
        std::vector<const T*> out;
        for (const auto& r : records)
            if (const auto* x = std::get_if<T>(&r.body)) out.push_back(x);
        return out;
    }
};

const char* monthly_rent = R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    timezone: Europe/Berlin
    pay: {payee: John Doe, amount: 100.00}
)";

TEST_F(engine_test, a_monthly_rule_over_14_months_pays_exactly_14_times)
{
    run(load(monthly_rent), at(2026, 1, 15), at(2027, 3, 15));
    EXPECT_EQ(agent->payments(), 14u);
    ASSERT_EQ(all<audit::intent_record>().size(), 14u);
    auto results = all<audit::result_record>();
    ASSERT_EQ(results.size(), 14u);
    for (const auto* r : results) EXPECT_EQ(r->outcome, audit::outcome::completed);
    EXPECT_EQ(all<audit::intent_record>().front()->ref.occurrence, "rent@2026-02-01T09:00");
    EXPECT_EQ(all<audit::intent_record>().back()->ref.occurrence, "rent@2027-03-01T09:00");
}

TEST_F(engine_test, the_intent_is_durable_before_the_ask_and_carries_identity_and_key)
{
    run(load(monthly_rent), at(2026, 1, 31), at(2026, 2, 2));
    ASSERT_EQ(agent->asked.size(), 1u);
    EXPECT_EQ(agent->asked[0],
              "send 100.00 TSD to \"John Doe\" with memo \"pm:rent:20260201T0900\"");
    ASSERT_EQ(agent->options[0].occurrence_id, "rent@2026-02-01T09:00");
    ASSERT_TRUE(agent->options[0].idempotency_key);
    auto intents = all<audit::intent_record>();
    ASSERT_EQ(intents.size(), 1u);
    EXPECT_EQ(intents[0]->idempotency_key, *agent->options[0].idempotency_key);
    EXPECT_EQ(intents[0]->prompt, agent->asked[0]);
    // The intent record precedes the result record in the log.
    ASSERT_GE(records.size(), 2u);
    auto intent_at = std::find_if(records.begin(), records.end(), [](const auto& r) {
        return std::holds_alternative<audit::intent_record>(r.body);
    });
    auto result_at = std::find_if(records.begin(), records.end(), [](const auto& r) {
        return std::holds_alternative<audit::result_record>(r.body);
    });
    EXPECT_LT(intent_at, result_at);
}

TEST_F(engine_test, a_false_condition_records_skipped_and_sends_nothing)
{
    auto set = load(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    when: {balance: {wallet: Main, above: 5000.00}}
    pay: {payee: John Doe, amount: 100.00}
)");
    run(set, at(2026, 1, 31), at(2026, 2, 2));
    EXPECT_EQ(agent->payments(), 0u);
    ASSERT_EQ(all<audit::condition_record>().size(), 1u);
    EXPECT_FALSE(all<audit::condition_record>()[0]->met);
    EXPECT_FALSE(all<audit::condition_record>()[0]->unclear_reason)
        << all<audit::condition_record>()[0]->unclear_reason.value_or("");
    EXPECT_EQ(all<audit::condition_record>()[0]->balance, tsd("1000.00"));
    ASSERT_EQ(all<audit::skipped_record>().size(), 1u);
    EXPECT_TRUE(all<audit::intent_record>().empty());
}

TEST_F(engine_test, a_met_condition_is_written_with_the_intent_in_one_commit)
{
    run(load(monthly_rent), at(2026, 1, 31), at(2026, 2, 2));
    const auto without_condition = commits;
    ASSERT_EQ(all<audit::result_record>().size(), 1u);

    // Same log, another rule (the first one's occurrence is done and not in this set).
    records.clear();
    run(load(R"(rules:
  - id: rent-if-funded
    schedule: monthly on day 1 at 09:00
    timezone: Europe/Berlin
    when: {balance: {wallet: Main, above: 500.00}}
    pay: {payee: John Doe, amount: 100.00}
)"),
        at(2026, 1, 31), at(2026, 2, 2));
    ASSERT_EQ(all<audit::result_record>().size(), 1u);
    // The balance was read and recorded, and cost no fsync of its own: condition and intent
    // went into the log in one commit, condition first.
    EXPECT_EQ(commits, without_condition);
    ASSERT_EQ(all<audit::condition_record>().size(), 1u);
    EXPECT_TRUE(all<audit::condition_record>()[0]->met);
    auto condition_at = std::find_if(records.begin(), records.end(), [](const auto& r) {
        return std::holds_alternative<audit::condition_record>(r.body);
    });
    ASSERT_NE(condition_at + 1, records.end());
    EXPECT_TRUE(std::holds_alternative<audit::intent_record>((condition_at + 1)->body));
}

TEST_F(engine_test, an_unclear_balance_fails_closed)
{
    agent->answer = [](const std::string&) {
        return reply("You have 1000.00 TSD in Main and 20.00 TSD in Main.");
    };
    auto set = load(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    when: {balance: {wallet: Main, above: 10.00}}
    pay: {payee: John Doe, amount: 100.00}
)");
    run(set, at(2026, 1, 31), at(2026, 2, 2));
    EXPECT_EQ(agent->payments(), 0u);
    ASSERT_EQ(all<audit::condition_record>().size(), 1u);
    EXPECT_TRUE(all<audit::condition_record>()[0]->unclear_reason);
    EXPECT_EQ(all<audit::skipped_record>().size(), 1u);
}

TEST_F(engine_test, a_payment_above_a_limit_is_denied_and_never_sent)
{
    policy.limits.enabled = true;
    policy.limits.currencies["TSD"].monthly = 250'00;
    run(load(R"(rules:
  - id: weekly
    schedule: weekly on mon at 10:00
    pay: {payee: John Doe, amount: 100.00}
)"),
        at(2026, 3, 1), at(2026, 3, 31));
    // Mondays in March 2026: 2, 9, 16, 23, 30. Two fit under 250.00; the third would not.
    EXPECT_EQ(agent->payments(), 2u);
    auto denied = all<audit::denied_record>();
    ASSERT_EQ(denied.size(), 3u);
    EXPECT_EQ(denied[0]->ref.occurrence, "weekly@2026-03-16T10:00");
    EXPECT_THAT(denied[0]->limit, HasSubstr("monthly_total"));
    EXPECT_THAT(denied[0]->reason, HasSubstr("250.00"));
}

TEST_F(engine_test, an_unknown_outcome_is_in_doubt_never_retried_and_counts_against_limits)
{
    policy.limits.enabled = true;
    policy.limits.currencies["TSD"].monthly = 150'00;
    agent->answer = [](const std::string& text) {
        if (text.starts_with("send")) return failure(payman::error_class::unknown_outcome, 500);
        return reply("?");
    };
    auto set = load(R"(rules:
  - id: daily
    schedule: daily at 10:00
    pay: {payee: John Doe, amount: 100.00}
)");
    run(set, at(2026, 3, 1), at(2026, 3, 3));
    EXPECT_EQ(agent->payments(), 1u) << "an ask with an unknown outcome was retried";
    ASSERT_EQ(all<audit::in_doubt_record>().size(), 1u);
    // The in-doubt 100.00 counts: the next day's payment would exceed 150.00.
    ASSERT_EQ(all<audit::denied_record>().size(), 1u);

    // A restart does not send it again either.
    agent->answer = [](const std::string&) { return reply("I've sent 100.00 TSD to John Doe."); };
    run(set, at(2026, 3, 3), at(2026, 3, 3, 12));
    EXPECT_EQ(agent->payments(), 1u);
}

TEST_F(engine_test, failures_before_sending_are_retried_with_backoff)
{
    int calls = 0;
    agent->answer = [&](const std::string& text) {
        if (text.starts_with("send") && ++calls < 3) return failure(payman::error_class::not_sent);
        return reply("I've successfully sent 100.00 TSD to John Doe.");
    };
    run(load(monthly_rent), at(2026, 1, 31), at(2026, 2, 2));
    EXPECT_EQ(agent->payments(), 3u);
    ASSERT_EQ(all<audit::result_record>().size(), 1u);
    EXPECT_EQ(all<audit::result_record>()[0]->outcome, audit::outcome::completed);
    // Same idempotency key on every attempt.
    EXPECT_EQ(agent->options[0].idempotency_key, agent->options[2].idempotency_key);
}

// Issue 15, item 6: read-only asks carry an idempotency key too, derived like the payment's
// from the client id, the occurrence and the ask's purpose, so every retry of one read reuses
// it; and no ask is sent more often than engine.retry.max_attempts.
TEST_F(engine_test, read_only_asks_carry_their_own_key_and_keep_to_the_retry_budget)
{
    settings.retry.max_attempts = 3;
    agent->answer = [](const std::string& text) {
        if (text.starts_with("send"))
            return reply("I've successfully sent 100.00 TSD to John Doe.");
        return failure(payman::error_class::unknown_outcome, 502);
    };
    run(load(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    when: {balance: {wallet: Main, above: 10.00}}
    pay: {payee: John Doe, amount: 100.00}
  - id: listing
    schedule: monthly on day 1 at 10:00
    report: transactions
)"),
        at(2026, 1, 31), at(2026, 2, 2));
    EXPECT_EQ(agent->payments(), 0u);  // the balance stayed unknown: condition not met
    std::vector<std::optional<std::string>> balance_keys;
    std::vector<std::optional<std::string>> listing_keys;
    for (std::size_t i = 0; i < agent->asked.size(); ++i) {
        if (agent->asked[i].starts_with("what"))
            balance_keys.push_back(agent->options[i].idempotency_key);
        if (agent->asked[i].starts_with("show"))
            listing_keys.push_back(agent->options[i].idempotency_key);
    }
    ASSERT_EQ(balance_keys.size(), 3u);
    ASSERT_EQ(listing_keys.size(), 3u);
    ASSERT_TRUE(balance_keys[0]);
    ASSERT_TRUE(listing_keys[0]);
    EXPECT_THAT(*balance_keys[0], testing::StartsWith("pm-"));
    for (const auto& k : balance_keys) EXPECT_EQ(k, balance_keys[0]);
    for (const auto& k : listing_keys) EXPECT_EQ(k, listing_keys[0]);
    EXPECT_NE(balance_keys[0], listing_keys[0]);
}

TEST_F(engine_test, retries_stop_after_max_attempts_and_record_failed)
{
    settings.retry.max_attempts = 3;
    agent->answer = [](const std::string&) { return failure(payman::error_class::not_sent); };
    run(load(monthly_rent), at(2026, 1, 31), at(2026, 2, 2));
    EXPECT_EQ(agent->payments(), 3u);
    ASSERT_EQ(all<audit::failed_record>().size(), 1u);
    EXPECT_EQ(all<audit::failed_record>()[0]->attempts, 3u);
}

TEST_F(engine_test, a_rejected_payment_is_failed_and_not_retried)
{
    agent->answer = [](const std::string&) { return failure(payman::error_class::rejected, 403); };
    run(load(monthly_rent), at(2026, 1, 31), at(2026, 2, 2));
    EXPECT_EQ(agent->payments(), 1u);
    EXPECT_EQ(all<audit::failed_record>().size(), 1u);
}

TEST_F(engine_test, a_reply_that_contradicts_the_intent_is_a_mismatch)
{
    agent->answer = [](const std::string&) {
        return reply("I've successfully sent 1000.00 TSD to John Doe.");
    };
    run(load(monthly_rent), at(2026, 1, 31), at(2026, 2, 2));
    ASSERT_EQ(all<audit::mismatch_record>().size(), 1u);
    EXPECT_TRUE(all<audit::result_record>().empty());
}

TEST_F(engine_test, a_flagged_payment_needs_input_and_is_never_answered)
{
    agent->answer = [](const std::string&) {
        return reply("This payment of 100.00 TSD to John Doe has been flagged for approval.",
                     payman::task_state::input_required);
    };
    run(load(monthly_rent), at(2026, 1, 31), at(2026, 2, 2));
    EXPECT_EQ(agent->asked.size(), 1u);
    ASSERT_EQ(all<audit::result_record>().size(), 1u);
    EXPECT_EQ(all<audit::result_record>()[0]->outcome, audit::outcome::needs_input);
}

TEST_F(engine_test, an_intent_without_result_after_a_crash_is_in_doubt_and_not_resent)
{
    // A previous daemon wrote the intent and died before the result.
    {
        audit::file_audit_store store(
            {.log_path = dir / "audit.jsonl", .lock_path = dir / "paymand.lock"});
        ASSERT_TRUE(store.lock());
        audit::audit_projection p;
        ASSERT_TRUE(store.replay(p));
        std::vector<audit::record_body> batch{audit::intent_record{
            .ref = {"rent", "rent@2026-02-01T09:00",
                    std::chrono::floor<std::chrono::seconds>(at(2026, 2, 1, 8))},
            .payee = "John Doe",
            .amount = tsd("100.00"),
            .idempotency_key = "k",
            .prompt = "send 100.00 TSD to John Doe"}};
        ASSERT_TRUE(store.append(batch));
    }
    run(load(monthly_rent), at(2026, 2, 1, 8, 30), at(2026, 2, 2));
    EXPECT_EQ(agent->payments(), 0u);
    EXPECT_EQ(all<audit::in_doubt_record>().size(), 1u);
}

TEST_F(engine_test, downtime_is_caught_up_per_policy_and_older_occurrences_are_missed)
{
    auto set = load(R"(rules:
  - id: daily
    schedule: daily at 10:00
    pay: {payee: John Doe, amount: 1.00}
    catchup: each
    catchup_window: 48h
)");
    run(set, at(2026, 3, 1), at(2026, 3, 1, 12));  // pays 03-01
    EXPECT_EQ(agent->payments(), 1u);
    // Down from 03-01 12:00 to 03-06 11:00: 03-02..03-06 were due; the 48h window reaches
    // back to 03-04 11:00, so 05 and 06 run and 02, 03, 04 are recorded missed.
    run(set, at(2026, 3, 6, 11), at(2026, 3, 6, 12));
    EXPECT_EQ(agent->payments(), 3u);
    auto missed = all<audit::missed_record>();
    ASSERT_EQ(missed.size(), 3u);
    EXPECT_EQ(missed[0]->ref.occurrence, "daily@2026-03-02T10:00");
    EXPECT_EQ(missed[2]->ref.occurrence, "daily@2026-03-04T10:00");
    EXPECT_EQ(all<audit::intent_record>().back()->ref.occurrence, "daily@2026-03-06T10:00");
}

TEST_F(engine_test, catchup_latest_runs_only_the_newest_missed_occurrence)
{
    auto set = load(R"(rules:
  - id: daily
    schedule: daily at 10:00
    pay: {payee: John Doe, amount: 1.00}
    catchup: latest
)");
    run(set, at(2026, 3, 1), at(2026, 3, 1, 12));
    run(set, at(2026, 3, 3, 11), at(2026, 3, 3, 12));
    EXPECT_EQ(agent->payments(), 2u);
    ASSERT_EQ(all<audit::missed_record>().size(), 1u);
    EXPECT_EQ(all<audit::intent_record>().back()->ref.occurrence, "daily@2026-03-03T10:00");
}

TEST_F(engine_test, a_new_rule_does_not_back_fill_occurrences_before_it_was_loaded)
{
    run(load(monthly_rent), at(2026, 1, 10), at(2026, 1, 20));
    EXPECT_EQ(agent->payments(), 0u);
    EXPECT_TRUE(all<audit::missed_record>().empty());
}

TEST_F(engine_test, a_backward_clock_step_never_fires_an_occurrence_twice)
{
    auto set = load(monthly_rent);
    run(set, at(2026, 1, 31), at(2026, 2, 2));
    ASSERT_EQ(agent->payments(), 1u);
    // The clock is set back a day: the same identity comes due again and is refused.
    run(set, at(2026, 1, 31, 12), at(2026, 2, 2));
    EXPECT_EQ(agent->payments(), 1u);
}

TEST_F(engine_test, dry_run_never_sends_a_payment)
{
    dry_run = true;
    run(load(monthly_rent), at(2026, 1, 31), at(2026, 4, 2));
    EXPECT_EQ(agent->payments(), 0u);
    EXPECT_EQ(all<audit::intent_record>().size(), 3u);
    for (const auto& r : records) EXPECT_TRUE(r.dry_run);
}

TEST_F(engine_test, reports_record_the_agent_answer)
{
    run(load(R"(rules:
  - id: snapshot
    schedule: daily at 06:00
    report: balance
)"),
        at(2026, 3, 1), at(2026, 3, 3, 12));
    auto reports = all<audit::report_record>();
    ASSERT_EQ(reports.size(), 3u);  // 03-01, 03-02 and 03-03 at 06:00
    EXPECT_THAT(reports[0]->excerpt, HasSubstr("1000.00 TSD"));
    EXPECT_EQ(agent->asked[0], "what's my wallet balance?");
}

TEST_F(engine_test, a_manual_trigger_runs_beside_the_schedule_with_its_own_identity)
{
    auto set = load(monthly_rent);
    run(set, at(2026, 1, 31), at(2026, 2, 2), [](engine& e) -> asio::awaitable<void> {
        auto r = co_await e.async_trigger("rent");
        EXPECT_TRUE(r) << r.error().message;
        EXPECT_THAT(r ? *r : std::string(), HasSubstr("~manual"));
    });
    EXPECT_EQ(agent->payments(), 2u);  // the manual one and the scheduled one
}

}  // namespace
}  // namespace paymand::engine

namespace paymand::engine {
namespace {

TEST_F(engine_test, a_manual_trigger_does_not_move_the_schedule)
{
    auto set = load(monthly_rent);
    // Loaded on 01-20; triggered by hand on 01-25; the 02-01 occurrence still pays.
    run(set, at(2026, 1, 20), at(2026, 1, 21));
    run(set, at(2026, 1, 25), at(2026, 1, 26), [](engine& e) -> asio::awaitable<void> {
        auto r = co_await e.async_trigger("rent");
        EXPECT_TRUE(r) << r.error().message;
    });
    run(set, at(2026, 1, 31), at(2026, 2, 2));
    EXPECT_EQ(agent->payments(), 2u);
    EXPECT_EQ(all<audit::intent_record>().back()->ref.occurrence, "rent@2026-02-01T09:00");
}

}  // namespace
}  // namespace paymand::engine

namespace paymand::engine {
namespace {

TEST_F(engine_test, occurrences_due_together_respect_the_concurrency_limit)
{
    settings.concurrency = 2;
    agent->hold = 40ms;
    std::string text = "rules:\n";
    for (int i = 0; i < 6; ++i)
        text += "  - id: r" + std::to_string(i) +
                "\n    schedule: monthly on day 1 at 09:00\n"
                "    pay: {payee: John Doe, amount: 1.00}\n";
    run(load(text), at(2026, 1, 31), at(2026, 2, 2));
    EXPECT_EQ(agent->payments(), 6u);
    // Without the limit all six would be in flight at once (they are due together and each
    // ask holds for 40 ms); how many overlap below it depends on fsync timing.
    EXPECT_LE(agent->max_in_flight, 2u);
    EXPECT_GE(agent->max_in_flight, 1u);
}

// The firing pass lets what it started run once it has fired as many rules as there are
// places: the first asks go out while other due rules are still to be fired, not after all of
// them (1,000 rules due together made the first ask wait about 10 ms for the planning of the
// other 999).
TEST_F(engine_test, the_first_ask_of_a_burst_goes_out_before_the_last_rule_is_fired)
{
    settings.concurrency = 2;
    engine* eng = nullptr;
    std::optional<std::size_t> unfired_at_first_ask;
    agent->on_ask = [&](const std::string&) {
        if (unfired_at_first_ask) return;
        const auto due = std::chrono::time_point_cast<std::chrono::seconds>(at(2026, 2, 1, 9));
        const auto upcoming = eng->upcoming(8);
        unfired_at_first_ask = std::count_if(upcoming.begin(), upcoming.end(),
                                             [&](const auto& u) { return u.instant == due; });
    };
    std::string text = "rules:\n";
    for (int i = 0; i < 8; ++i)
        text += "  - id: r" + std::to_string(i) +
                "\n    schedule: monthly on day 1 at 09:00\n"
                "    timezone: UTC\n"
                "    when: {balance: {wallet: Main, min_remaining: 0.00}}\n"
                "    pay: {payee: John Doe, amount: 1.00, wallet: Main}\n";
    run(load(text), at(2026, 1, 31), at(2026, 2, 2), [&](engine& e) -> asio::awaitable<void> {
        eng = &e;
        co_return;
    });
    EXPECT_EQ(agent->payments(), 8u);
    ASSERT_TRUE(unfired_at_first_ask);
    // The first two (its places) share one balance read, which waits one turn for others
    // asking at the same moment: the pass fires one more rule before it goes.
    EXPECT_EQ(*unfired_at_first_ask, 5u)
        << "the pass did not let the first two (its places) ask first";
}

// Two payments due together under one limit: each is checked against the other, whichever
// reaches the audit log first. Without a reservation at the check, both passed (each saw
// only the spending before either intent was durable) and 1,200.00 went out under a 1,000.00
// daily limit.
TEST_F(engine_test, payments_due_together_never_exceed_a_limit_between_them)
{
    settings.concurrency = 4;
    policy.limits.enabled = true;
    policy.limits.currencies["TSD"].daily = 1000'00;
    run(load(R"(rules:
  - id: a
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 600.00}
  - id: b
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 600.00}
)"),
        at(2026, 1, 31), at(2026, 2, 2));
    EXPECT_EQ(agent->payments(), 1u) << "a payment above the daily limit was sent";
    EXPECT_EQ(all<audit::denied_record>().size(), 1u);
}

// A slow transaction listing must not let a burst push the payments still to be confirmed
// beyond a listing's reach (100 transactions): new payments wait for the listing instead, and
// every payment is confirmed. Without that wait, payments made during one slow listing
// outran it and most of a 250-payment burst ended `unconfirmed` (out of reach). And while a
// listing is read, the payments completing meanwhile must not push its batch below the count
// it asked for: without that cap, tens of this burst's payments ended `unconfirmed`.
TEST_F(engine_test, a_burst_waits_for_its_confirmations_to_stay_within_a_listings_reach)
{
    settings.concurrency = 16;
    settings.confirm_delay = 0s;
    // One listing per payment: a payment the listing misses is unconfirmed at once, so
    // payments completing while a listing is read must not push its batch out of its count.
    settings.confirm_attempts = 1;
    agent->listing_hold = 30ms;
    answer_as_the_ledger();
    pay_a_burst_and_expect_every_payment_confirmed(250);
}

// A listing that does not show a payment yet may be late: the payment is looked up again after
// engine.confirm_delay, in a burst too. Looked up again with the next full batch instead, the
// third payment of this burst used its three listings within milliseconds and ended
// `unconfirmed` (an error, with the payment made), though the ledger listed it 500 ms later.
TEST_F(engine_test, a_payment_a_listing_missed_is_looked_up_again_after_the_delay_in_a_burst)
{
    settings.concurrency = 16;
    settings.confirm_delay = 1s;
    settings.confirm_attempts = 3;
    // The third payment is listed only from 500 ms after it was made.
    answer_as_the_ledger([](std::size_t i, std::chrono::steady_clock::duration age) {
        return i != 2 || age >= 500ms;
    });
    pay_a_burst_and_expect_every_payment_confirmed(250);
}

// Overlap as the real clock shows it: the first payment's ask is still in flight (held in
// real time) while virtual time reaches the next occurrences.
TEST_F(engine_test, overlap_skip_records_occurrences_due_while_the_previous_is_in_flight)
{
    lockstep = false;
    policy.min_pay_interval = 5min;
    agent->hold = 300ms;
    run(load(R"(rules:
  - id: slow
    schedule: "*/5 * * * *"
    overlap: skip
    pay: {payee: John Doe, amount: 100.00}
)"),
        at(2026, 12, 1, 10, 1), at(2026, 12, 1, 10, 16));
    EXPECT_EQ(agent->payments(), 1u);
    auto skipped = all<audit::skipped_record>();
    ASSERT_EQ(skipped.size(), 2u);
    EXPECT_EQ(skipped[0]->ref.occurrence, "slow@2026-12-01T10:10");
    EXPECT_THAT(skipped[0]->reason, HasSubstr("still in flight (overlap: skip)"));
    EXPECT_EQ(skipped[1]->ref.occurrence, "slow@2026-12-01T10:15");
    EXPECT_EQ(all<audit::result_record>().size(), 1u);
}

TEST_F(engine_test, overlap_queue_runs_occurrences_due_while_in_flight_one_after_another)
{
    lockstep = false;
    policy.min_pay_interval = 5min;
    agent->hold = 100ms;
    run(load(R"(rules:
  - id: slow
    schedule: "*/5 * * * *"
    pay: {payee: John Doe, amount: 100.00}
)"),
        at(2026, 12, 1, 10, 1), at(2026, 12, 1, 10, 16));
    EXPECT_EQ(agent->payments(), 3u);
    EXPECT_EQ(agent->max_in_flight, 1u);  // queued, never two of one rule at once
    EXPECT_TRUE(all<audit::skipped_record>().empty());
    auto results = all<audit::result_record>();
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[2]->ref.occurrence, "slow@2026-12-01T10:15");
}

// SIGTERM while a payment's ask is in flight longer than shutdown_grace: the engine stops
// without a result; the next start finds the intent without a result, records it in doubt
// and never sends it again.
TEST_F(engine_test, a_payment_in_flight_past_the_shutdown_grace_is_in_doubt_after_restart)
{
    settings.shutdown_grace = 1s;
    agent->hold = 3s;
    lockstep = false;  // as on the real clock: stop() does not wait for the ask
    auto set = load(R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 100.00}
)");
    run(set, at(2026, 11, 30), at(2026, 12, 2), stop_while_asking());
    EXPECT_EQ(agent->payments(), 1u);
    EXPECT_EQ(all<audit::intent_record>().size(), 1u);
    EXPECT_TRUE(all<audit::result_record>().empty());  // stopped before the answer

    records.clear();
    agent->hold = 0ms;
    lockstep = true;
    run(set, at(2026, 12, 1, 10), at(2026, 12, 2));
    auto doubts = all<audit::in_doubt_record>();
    ASSERT_EQ(doubts.size(), 1u);
    EXPECT_EQ(doubts[0]->ref.occurrence, "rent@2026-12-01T09:00");
    EXPECT_EQ(agent->payments(), 1u);  // never re-sent
}

// The shutdown is one path: stop scheduling, give what is in flight the grace period, then
// cancel it and wait until it has unwound; the run says how many were left.
TEST_F(engine_test, a_stop_cancels_what_outlives_the_grace_and_counts_it)
{
    settings.shutdown_grace = 1s;
    agent->hold = std::chrono::hours(1);
    lockstep = false;
    std::size_t in_flight_after = 1;
    run(load(monthly_rent), at(2026, 11, 30), at(2026, 12, 2), stop_while_asking(),
        [&in_flight_after](engine& eng) -> asio::awaitable<void> {
            in_flight_after = eng.status().in_flight;
            co_return;
        });
    EXPECT_EQ(unfinished, 1u);
    EXPECT_EQ(in_flight_after, 0u);  // cancelled and unwound, not abandoned mid-ask
    EXPECT_EQ(agent->payments(), 1u);
    EXPECT_EQ(all<audit::intent_record>().size(), 1u);
    EXPECT_TRUE(all<audit::result_record>().empty());
}

// A definition's rules_loaded record is stamped when it is written, which under load is later
// than the moment the engine planned from: occurrences due in between are planned, and may wait
// in the queue behind one in flight. A stop then drops the queue, and a restart plans from the
// recorded time, so each queued one due before it is recorded skipped at the stop, never left
// without a record (a crash test under ASan lost one this way, session 12); later ones are the
// restart's.
TEST_F(engine_test, a_stop_records_the_queued_occurrences_a_restart_would_not_plan)
{
    lockstep = false;     // time moves on while the first payment is in flight
    stamp_ahead = 10min;  // rules_loaded stamped 09:10:30: the definition is active from then
    policy.min_pay_interval = 1min;
    agent->hold = 2s;  // real time: 09:01's payment is in flight while the rest queue
    run(load(R"(rules:
  - id: tick
    schedule: "* * * * *"
    pay: {payee: John Doe, amount: 1.00}
)"),
        at(2026, 12, 1, 9, 0) + 30s, at(2026, 12, 1, 9, 12),
        [](engine& eng) -> asio::awaitable<void> {
            auto ex = co_await asio::this_coro::executor;
            asio::co_spawn(
                ex,
                [&eng]() -> asio::awaitable<void> {
                    asio::steady_timer poll(co_await asio::this_coro::executor);
                    while (eng.status().queued < 11) {  // 09:02 to 09:12
                        poll.expires_after(5ms);
                        co_await poll.async_wait(asio::use_awaitable);
                    }
                    eng.stop();
                },
                asio::detached);
        });
    EXPECT_EQ(agent->payments(), 1u);
    std::vector<std::string> skipped;
    for (const auto* s : all<audit::skipped_record>()) {
        skipped.push_back(s->ref.occurrence);
        EXPECT_THAT(s->reason, testing::HasSubstr("before its rule's definition was recorded "
                                                  "active"));
    }
    std::vector<std::string> expected;
    for (int minute = 2; minute <= 10; ++minute)
        expected.push_back(fmt::format("tick@2026-12-01T09:{:02}", minute));
    EXPECT_EQ(skipped, expected);  // 09:11 and 09:12 are planned again by a restart
}

TEST_F(engine_test, catchup_each_runs_missed_occurrences_one_at_a_time_even_with_overlap_skip)
{
    auto set = load(R"(rules:
  - id: daily
    schedule: daily at 10:00
    pay: {payee: John Doe, amount: 1.00}
    catchup: each
    overlap: skip
)");
    run(set, at(2026, 3, 1), at(2026, 3, 1, 12));
    agent->hold = 20ms;
    run(set, at(2026, 3, 4, 11), at(2026, 3, 4, 12));  // 02, 03, 04 were due
    EXPECT_EQ(agent->payments(), 4u);
    EXPECT_EQ(agent->max_in_flight, 1u);
    EXPECT_TRUE(all<audit::skipped_record>().empty());
}

}  // namespace
}  // namespace paymand::engine

namespace paymand::engine {
namespace {

// A reload that changes a rule while catch-up occurrences of it wait in its queue records
// each of them (none vanishes), and the engine is idle at once: a stop then does not wait
// out the shutdown grace for tasks that no longer exist.
TEST_F(engine_test, a_reload_changing_a_rule_records_its_queued_occurrences_and_leaves_none)
{
    const char* daily = R"(rules:
  - id: daily
    schedule: daily at 10:00
    pay: {payee: John Doe, amount: 1.00}
    catchup: each
)";
    run(load(daily), at(2026, 3, 1), at(2026, 3, 1, 12));
    records.clear();
    settings.shutdown_grace = 1h;
    lockstep = false;
    agent->hold = 200ms;
    auto changed = load(R"(rules:
  - id: daily
    schedule: daily at 10:00
    pay: {payee: John Doe, amount: 2.00}
    catchup: each
)");
    std::size_t queued_before = 0, queued_after = 0;
    const auto started = std::chrono::steady_clock::now();
    run(load(daily), at(2026, 3, 4, 11), at(2026, 3, 4, 12),
        [&](engine& eng) -> asio::awaitable<void> {
            auto ex = co_await asio::this_coro::executor;
            asio::co_spawn(
                ex,
                [&]() -> asio::awaitable<void> {
                    asio::steady_timer poll(co_await asio::this_coro::executor);
                    while (agent->in_flight == 0) {
                        poll.expires_after(2ms);
                        co_await poll.async_wait(asio::use_awaitable);
                    }
                    queued_before = eng.status().queued;
                    co_await eng.async_set_rules(changed);
                    queued_after = eng.status().queued;
                    eng.stop();
                },
                asio::detached);
            co_return;
        });
    EXPECT_EQ(queued_before, 2u);  // 03-02 runs; 03-03 and 03-04 wait behind it
    EXPECT_EQ(queued_after, 0u);
    // With tasks still counted that no longer exist, the stop would wait out the hour.
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10min)
        << "the engine still counted tasks it no longer had";
    auto skipped = all<audit::skipped_record>();
    ASSERT_EQ(skipped.size(), 2u);
    EXPECT_EQ(skipped[0]->ref.occurrence, "daily@2026-03-03T10:00");
    EXPECT_EQ(skipped[1]->ref.occurrence, "daily@2026-03-04T10:00");
    EXPECT_THAT(skipped[0]->reason, HasSubstr("the rule was changed"));
    EXPECT_EQ(agent->payments(), 2u);  // 03-01 in the first run, 03-02 in the second
}

}  // namespace
}  // namespace paymand::engine

namespace paymand::engine {
namespace {

// 03-03 has no record (its intent could not be written while the log was full, and the
// process stopped before it could say so) but 03-04 has one: the next start finds 03-03
// from the gap and records it missed; nothing is sent for it.
TEST_F(engine_test, an_occurrence_left_without_a_record_is_found_from_the_gap_at_start)
{
    auto set = load(R"(rules:
  - id: daily
    schedule: daily at 10:00
    pay: {payee: John Doe, amount: 1.00}
)");
    run(set, at(2026, 3, 1), at(2026, 3, 2, 12));
    ASSERT_EQ(agent->payments(), 2u);
    {
        audit::file_audit_store store({.log_path = dir / "audit.jsonl",
                                       .lock_path = dir / "paymand.lock",
                                       .clock = paymand::test::clock_at(at(2026, 3, 4, 10, 1))});
        ASSERT_TRUE(store.lock());
        audit::audit_projection state;
        ASSERT_TRUE(store.replay(state));
        std::vector<audit::record_body> batch;
        batch.push_back(audit::skipped_record{
            .ref = {"daily", "daily@2026-03-04T10:00",
                    std::chrono::floor<std::chrono::seconds>(at(2026, 3, 4, 10))},
            .reason = "condition not met"});
        ASSERT_TRUE(store.append(batch));
    }
    records.clear();
    run(set, at(2026, 3, 4, 11), at(2026, 3, 4, 12));
    auto missed = all<audit::missed_record>();
    ASSERT_EQ(missed.size(), 1u);
    EXPECT_EQ(missed[0]->ref.occurrence, "daily@2026-03-03T10:00");
    EXPECT_THAT(missed[0]->reason, HasSubstr("no record of it was found at start"));
    EXPECT_EQ(agent->payments(), 2u);
    // Found once: the next start sees the record.
    records.clear();
    run(set, at(2026, 3, 4, 11), at(2026, 3, 4, 12));
    EXPECT_TRUE(all<audit::missed_record>().empty());
}

}  // namespace
}  // namespace paymand::engine

namespace paymand::engine {
namespace {

std::string pay_rule(std::string_view schedule)
{
    return "rules:\n  - id: rent\n    schedule: " + std::string(schedule) +
           "\n    pay: {payee: John Doe, amount: 100.00}\n";
}

// Tried as an operator would: a daily rule paid at 08:53, was edited to 08:54, then to
// 08:56. Neither edit pays the day again; the next day pays.
TEST_F(engine_test, an_edit_never_pays_a_daily_period_twice)
{
    policy.min_pay_interval = 1min;
    run(load(pay_rule("daily at 08:53")), at(2026, 12, 1, 8), at(2026, 12, 1, 8, 53));
    run(load(pay_rule("daily at 08:54")), at(2026, 12, 1, 8, 53) + 30s, at(2026, 12, 1, 8, 54));
    run(load(pay_rule("daily at 08:56")), at(2026, 12, 1, 8, 54) + 30s, at(2026, 12, 2, 9));
    EXPECT_EQ(agent->payments(), 2u);
    auto denied = all<audit::denied_record>();
    ASSERT_EQ(denied.size(), 2u);
    EXPECT_EQ(denied[0]->ref.occurrence, "rent@2026-12-01T08:54");
    EXPECT_EQ(denied[1]->ref.occurrence, "rent@2026-12-01T08:56");
    for (const auto* d : denied) {
        EXPECT_EQ(d->limit, "already_paid_this_period");
        EXPECT_THAT(d->reason, HasSubstr("rent@2026-12-01T08:53"));
        EXPECT_THAT(d->reason, HasSubstr("in this day"));
    }
    EXPECT_EQ(all<audit::intent_record>().back()->ref.occurrence, "rent@2026-12-02T08:56");
}

// The same mechanism on a monthly rent whose time is moved on the 1st.
TEST_F(engine_test, moving_a_monthly_rent_on_the_1st_does_not_pay_the_month_twice)
{
    run(load(pay_rule("monthly on day 1 at 09:00")), at(2026, 11, 30), at(2026, 12, 1, 9));
    run(load(pay_rule("monthly on day 1 at 10:00")), at(2026, 12, 1, 9, 30), at(2027, 1, 1, 11));
    EXPECT_EQ(agent->payments(), 2u);
    auto denied = all<audit::denied_record>();
    ASSERT_EQ(denied.size(), 1u);
    EXPECT_EQ(denied[0]->ref.occurrence, "rent@2026-12-01T10:00");
    EXPECT_EQ(denied[0]->limit, "already_paid_this_period");
    EXPECT_THAT(denied[0]->reason, HasSubstr("in this month"));
    EXPECT_EQ(all<audit::intent_record>().back()->ref.occurrence, "rent@2027-01-01T10:00");
}

// min_pay_interval belongs to the rule id, not to one definition of it.
TEST_F(engine_test, min_pay_interval_holds_across_an_edit)
{
    policy.min_pay_interval = 1h;
    run(load(pay_rule("daily at 09:00")), at(2026, 12, 1, 8), at(2026, 12, 1, 9));
    run(load(pay_rule("daily at 09:30")), at(2026, 12, 1, 9, 10), at(2026, 12, 1, 10));
    EXPECT_EQ(agent->payments(), 1u);
    auto denied = all<audit::denied_record>();
    ASSERT_EQ(denied.size(), 1u);
    EXPECT_EQ(denied[0]->limit, "min_pay_interval");
    EXPECT_THAT(denied[0]->reason, HasSubstr("30 min before"));
}

// A payment that did not happen does not hold the period: the edited rule pays.
TEST_F(engine_test, an_edit_after_a_failed_payment_pays_the_period)
{
    agent->answer = [](const std::string& text) {
        if (text.starts_with("send")) return failure(payman::error_class::rejected, 400);
        return reply("The balance of the Main wallet is **1000.00 TSD**.");
    };
    run(load(pay_rule("daily at 09:00")), at(2026, 12, 1, 8), at(2026, 12, 1, 9));
    agent->answer = [](const std::string&) {
        return reply("I've successfully sent 100.00 TSD to John Doe.");
    };
    run(load(pay_rule("daily at 11:00")), at(2026, 12, 1, 10), at(2026, 12, 1, 11));
    EXPECT_EQ(agent->payments(), 2u);
    EXPECT_TRUE(all<audit::denied_record>().empty());
}

}  // namespace
}  // namespace paymand::engine

namespace paymand::engine {
namespace {

// --- balance reads shared by occurrences asking at the same moment ---------------------

// The entries of `count` rules r0, r1... (ids after `prefix`) paying from `wallet` when its
// balance allows; a rule file is "rules:\n" and entries.
std::string balance_rules(int count, std::string_view wallet, std::string_view prefix = "r",
                          std::string_view schedule = "monthly on day 1 at 09:00")
{
    std::string text;
    for (int i = 0; i < count; ++i)
        text += fmt::format("  - id: {}{}\n    schedule: {}\n    timezone: UTC\n"
                            "    when: {{balance: {{wallet: {}, min_remaining: 0.00}}}}\n"
                            "    pay: {{payee: John Doe, amount: 1.00, wallet: {}}}\n",
                            prefix, i, schedule, wallet, wallet);
    return text;
}

std::size_t balance_asks(const scripted_agent& agent)
{
    return std::count_if(agent.asked.begin(), agent.asked.end(),
                         [](const auto& t) { return t.starts_with("what"); });
}

// Each wallet's balance as the agent states it: 1000.00 TSD in whichever wallet is asked for.
ask_outcome answer_each_wallet(const std::string& text)
{
    if (text.starts_with("send")) return reply("I've successfully sent 1.00 TSD to John Doe.");
    const auto from = text.find('"') + 1;
    const auto wallet = text.substr(from, text.find('"', from) - from);
    return reply(fmt::format("The balance of the {} wallet is **1000.00 TSD**.", wallet));
}

// Eight occurrences due together read the balance of the wallet they pay from once: each
// joined the read before it went, so each saw a balance read after it asked. Each records
// that balance in its own condition record and pays.
TEST_F(engine_test, occurrences_due_together_share_one_read_of_a_wallets_balance)
{
    settings.concurrency = 8;
    agent->hold = 10ms;
    run(load("rules:\n" + balance_rules(8, "Main")), at(2026, 1, 31), at(2026, 2, 2));
    EXPECT_EQ(agent->payments(), 8u);
    EXPECT_EQ(balance_asks(*agent), 1u);
    const auto conditions = all<audit::condition_record>();
    ASSERT_EQ(conditions.size(), 8u);
    for (const auto* c : conditions) {
        EXPECT_TRUE(c->met) << c->ref.occurrence;
        EXPECT_EQ(c->balance, tsd("1000.00")) << c->ref.occurrence;
    }
}

TEST_F(engine_test, reads_of_different_wallets_are_never_shared)
{
    settings.concurrency = 4;
    agent->hold = 10ms;
    agent->answer = answer_each_wallet;
    run(load("rules:\n" + balance_rules(2, "Main", "m") + balance_rules(2, "Savings", "s")),
        at(2026, 1, 31), at(2026, 2, 2));
    EXPECT_EQ(agent->payments(), 4u);
    EXPECT_EQ(balance_asks(*agent), 2u);
    for (const auto* c : all<audit::condition_record>())
        EXPECT_EQ(c->wallet, c->ref.rule.starts_with("m") ? "Main" : "Savings");
}

// A read already sent answers only those who asked before it went. An occurrence that asks
// while it is in flight (a manual run started as the scheduled one's read goes out) sends a
// read of its own: the answer in flight may predate a payment made meanwhile.
TEST_F(engine_test, an_occurrence_never_takes_a_balance_read_sent_before_it_asked)
{
    settings.concurrency = 4;
    agent->hold = 20ms;
    engine* eng = nullptr;
    std::optional<asio::any_io_executor> ex;
    bool triggered = false;
    agent->on_ask = [&](const std::string& text) {
        if (triggered || !text.starts_with("what")) return;
        triggered = true;
        asio::co_spawn(
            *ex,
            [&]() -> asio::awaitable<void> {
                auto r = co_await eng->async_trigger("manual0");
                EXPECT_TRUE(r) << r.error().message;
            },
            asio::detached);
    };
    const auto text = "rules:\n" + balance_rules(1, "Main", "due") +
                      balance_rules(1, "Main", "manual", "monthly on day 15 at 09:00");
    run(load(text), at(2026, 1, 31), at(2026, 2, 2), [&](engine& e) -> asio::awaitable<void> {
        eng = &e;
        ex = co_await asio::this_coro::executor;
    });
    ASSERT_TRUE(triggered);
    EXPECT_EQ(agent->payments(), 2u);
    EXPECT_EQ(balance_asks(*agent), 2u) << "the manual run took a read sent before it asked";
}

// The shared read fails: every occurrence that waited for it fails closed with the reason,
// and each retries on its own budget (reads retry; these never get an answer).
TEST_F(engine_test, a_shared_read_that_fails_leaves_each_member_unclear_and_unpaid)
{
    settings.concurrency = 4;
    settings.retry.max_attempts = 2;
    agent->answer = [](const std::string& text) {
        if (text.starts_with("send")) return reply("I've successfully sent 1.00 TSD to John Doe.");
        return failure(payman::error_class::unknown_outcome, 502);
    };
    run(load("rules:\n" + balance_rules(4, "Main")), at(2026, 1, 31), at(2026, 2, 2));
    EXPECT_EQ(agent->payments(), 0u);
    const auto conditions = all<audit::condition_record>();
    ASSERT_EQ(conditions.size(), 4u);
    for (const auto* c : conditions) {
        EXPECT_FALSE(c->met);
        EXPECT_THAT(c->unclear_reason.value_or(""), HasSubstr("balance ask failed"));
    }
    EXPECT_EQ(all<audit::skipped_record>().size(), 4u);
    EXPECT_GE(balance_asks(*agent), 2u);  // the first shared read and at least one retry
    EXPECT_LE(balance_asks(*agent), 8u);  // no member asked more than its budget
}

}  // namespace
}  // namespace paymand::engine
