// The instrumented agent: forwards asks unchanged, returns answers unchanged, and records the
// kind, outcome and latency of each.

#include "paymand/daemon/instrumented_agent.hpp"
#include "support/manual_clock.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <string>
#include <vector>

namespace paymand::daemon {
namespace {

using metrics::ask_kind;
using metrics::ask_status;
using metrics::registry;

namespace asio = boost::asio;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// A scripted agent that lets time pass on a settable clock while it "waits" for the answer.
class fake_agent final : public engine::agent {
public:
    struct step {
        engine::ask_outcome outcome;
        std::chrono::nanoseconds takes;
    };

    explicit fake_agent(test::manual_clock& clock) : clock_(clock) {}

    asio::awaitable<engine::ask_outcome> async_ask(std::string text,
                                                   payman::ask_options options) override
    {
        texts.push_back(std::move(text));
        options_seen.push_back(std::move(options));
        auto next = std::move(script.front());
        script.pop_front();
        clock_.advance(next.takes);
        co_return next.outcome;
    }

    std::deque<step> script;
    std::vector<std::string> texts;
    std::vector<payman::ask_options> options_seen;

private:
    test::manual_clock& clock_;
};

payman::ask_result answer(std::string task_id)
{
    payman::ask_result r;
    r.task_id = std::move(task_id);
    r.state = payman::task_state::completed;
    r.state_text = "completed";
    return r;
}

payman::client_error failure(payman::error_class kind, std::string message)
{
    return core::extend({.message = std::move(message)},
                        payman::client_error{.kind = kind, .http_status = 503});
}

class instrumented_agent_test : public ::testing::Test {
protected:
    engine::ask_outcome ask(std::string text, payman::ask_options options)
    {
        auto future = asio::co_spawn(ioc_, agent_->async_ask(std::move(text), std::move(options)),
                                     asio::use_future);
        ioc_.run();
        ioc_.restart();
        return future.get();
    }

    asio::io_context ioc_;
    std::shared_ptr<test::manual_clock> clock_ = std::make_shared<test::manual_clock>(
        std::chrono::system_clock::time_point{}, steady::time_point{steady::duration(1'000'000)});
    registry reg_{std::chrono::system_clock::time_point{}, "test"};
    std::shared_ptr<fake_agent> fake_ = std::make_shared<fake_agent>(*clock_);
    std::shared_ptr<engine::agent> agent_ = instrument(fake_, reg_, clock_);
};

TEST_F(instrumented_agent_test, forwards_the_text_and_options_unchanged)
{
    fake_->script.push_back({answer("t-1"), 1ms});
    payman::ask_options options;
    options.occurrence_id = "rent@2026-12-01T09:00";
    options.idempotency_key = "idem-1";
    options.session_id = "s-1";
    options.metadata["rule"] = "rent";
    ask("send 100.00 TSD to John Doe", options);

    ASSERT_EQ(fake_->texts.size(), 1u);
    EXPECT_EQ(fake_->texts[0], "send 100.00 TSD to John Doe");
    const auto& seen = fake_->options_seen[0];
    EXPECT_EQ(seen.occurrence_id, options.occurrence_id);
    EXPECT_EQ(seen.idempotency_key, options.idempotency_key);
    EXPECT_EQ(seen.session_id, options.session_id);
    EXPECT_EQ(seen.new_session, options.new_session);
    EXPECT_EQ(seen.metadata, options.metadata);
}

TEST_F(instrumented_agent_test, returns_the_answer_unchanged_and_counts_a_payment)
{
    fake_->script.push_back({answer("t-42"), 1500ms});
    payman::ask_options options;
    options.idempotency_key = "idem-1";
    auto outcome = ask("pay", options);

    ASSERT_TRUE(outcome);
    EXPECT_EQ(outcome->task_id, "t-42");
    EXPECT_EQ(outcome->state, payman::task_state::completed);
    EXPECT_EQ(reg_.asks(ask_kind::payment, ask_status::answered), 1u);
    EXPECT_EQ(reg_.asks(ask_kind::read, ask_status::answered), 0u);
    const auto text = reg_.render();
    EXPECT_NE(text.find("paymand_ask_duration_seconds_sum{kind=\"payment\"} 1.5\n"),
              std::string::npos);
    EXPECT_NE(text.find("paymand_ask_duration_seconds_bucket{kind=\"payment\",le=\"1\"} 0\n"),
              std::string::npos);
    EXPECT_NE(text.find("paymand_ask_duration_seconds_bucket{kind=\"payment\",le=\"2.5\"} 1\n"),
              std::string::npos);
}

TEST_F(instrumented_agent_test, returns_a_failure_unchanged_and_counts_it_by_error_class)
{
    fake_->script.push_back(
        {failure(payman::error_class::unknown_outcome, "timed out after the request"), 30s});
    fake_->script.push_back({failure(payman::error_class::not_sent, "connect refused"), 2ms});
    fake_->script.push_back({failure(payman::error_class::rejected, "HTTP 403"), 7ms});

    payman::ask_options pay;
    pay.idempotency_key = "idem-2";
    auto first = ask("pay", pay);
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().kind, payman::error_class::unknown_outcome);
    EXPECT_EQ(first.error().message, "timed out after the request");
    EXPECT_EQ(first.error().http_status, 503);

    payman::ask_options read;
    read.read_only = true;
    auto second = ask("balance?", read);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().message, "connect refused");
    auto third = ask("payees?", read);
    ASSERT_FALSE(third);
    EXPECT_EQ(third.error().kind, payman::error_class::rejected);

    EXPECT_EQ(reg_.asks(ask_kind::payment, ask_status::unknown_outcome), 1u);
    EXPECT_EQ(reg_.asks(ask_kind::read, ask_status::not_sent), 1u);
    EXPECT_EQ(reg_.asks(ask_kind::read, ask_status::rejected), 1u);
    EXPECT_NE(reg_.render().find("paymand_ask_duration_seconds_sum{kind=\"read\"} 0.009\n"),
              std::string::npos);
}

// Reads carry idempotency keys too (issue 15): what makes an ask a read is the engine's word.
TEST_F(instrumented_agent_test, a_read_only_ask_is_a_read_whatever_its_idempotency_key)
{
    fake_->script.push_back({answer("t-1"), 1ms});
    payman::ask_options options;
    options.occurrence_id = "report@2026-12-01T09:00";
    options.idempotency_key = "pm-0123";
    options.read_only = true;
    ask("what is my balance?", options);
    EXPECT_EQ(reg_.asks(ask_kind::read, ask_status::answered), 1u);
    EXPECT_EQ(reg_.asks(ask_kind::payment, ask_status::answered), 0u);
}

}  // namespace
}  // namespace paymand::daemon
