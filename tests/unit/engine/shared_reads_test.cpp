// Reads that occurrences share: callers that come while an ask of the same text is in flight
// are answered together by the next ask, never by one sent before they asked.

#include "paymand/engine/shared_reads.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace paymand::engine {
namespace {

namespace asio = boost::asio;

// An agent whose asks stay in flight until the test answers them, in any order.
class gated_agent final : public agent {
public:
    struct pending {
        pending(asio::any_io_executor ex, std::string t, payman::ask_options o)
            : text(std::move(t)), options(std::move(o)),
              gate(ex, asio::steady_timer::time_point::max())
        {
        }
        std::string text;
        payman::ask_options options;
        std::optional<ask_outcome> outcome;
        asio::steady_timer gate;
    };

    explicit gated_agent(asio::any_io_executor ex) : executor_(std::move(ex)) {}

    asio::awaitable<ask_outcome> async_ask(std::string text, payman::ask_options options) override
    {
        auto p = std::make_shared<pending>(executor_, std::move(text), std::move(options));
        asks.push_back(p);
        co_await p->gate.async_wait(asio::as_tuple(asio::use_awaitable));
        ask_outcome out = *p->outcome;
        co_return out;
    }

    void answer(std::size_t i, ask_outcome outcome)
    {
        asks.at(i)->outcome = std::move(outcome);
        asks.at(i)->gate.cancel();
    }

    std::vector<std::shared_ptr<pending>> asks;

private:
    asio::any_io_executor executor_;
};

ask_outcome agent_says(std::string text)
{
    payman::ask_result r;
    r.state = payman::task_state::completed;
    r.artifacts.push_back({.name = "response", .text = std::move(text)});
    return r;
}

payman::ask_options read_options(std::string key)
{
    payman::ask_options o;
    o.idempotency_key = std::move(key);
    o.read_only = true;
    return o;
}

class shared_reads_test : public ::testing::Test {
protected:
    // A caller's read, started now; `got` holds its answer once it has one.
    struct caller {
        std::optional<ask_outcome> got;
        asio::cancellation_signal cancel;
        bool ended = false;
    };

    std::shared_ptr<caller> read(std::string text, std::string key)
    {
        auto c = std::make_shared<caller>();
        asio::co_spawn(
            io,
            [this, c, text = std::move(text), key = std::move(key)]() -> asio::awaitable<void> {
                auto r = co_await reads.async_read(payman, text, read_options(key));
                c->got.emplace(std::move(r));
            },
            asio::bind_cancellation_slot(c->cancel.slot(),
                                         [c](std::exception_ptr) { c->ended = true; }));
        run_ready();
        return c;
    }

    void answer(std::size_t i, ask_outcome outcome)
    {
        payman.answer(i, std::move(outcome));
        run_ready();
    }

    // Runs what is ready (an io_context that ran out of work must be restarted first).
    void run_ready()
    {
        io.restart();
        io.poll();
    }

    static std::string text_of(const caller& c)
    {
        return c.got && *c.got ? (*c.got)->reply_text() : std::string("(no answer)");
    }

    asio::io_context io;
    gated_agent payman{io.get_executor()};
    shared_reads reads{io.get_executor()};
};

constexpr std::string_view operations_balance = "what is the balance of the \"Operations\" wallet?";

TEST_F(shared_reads_test, a_read_with_none_in_flight_is_asked_at_once_with_its_own_options)
{
    auto a = read(std::string(operations_balance), "key-a");
    ASSERT_EQ(payman.asks.size(), 1u);
    EXPECT_EQ(payman.asks[0]->text, operations_balance);
    EXPECT_EQ(payman.asks[0]->options.idempotency_key, "key-a");
    answer(0, agent_says("100.00 TSD"));
    EXPECT_EQ(text_of(*a), "100.00 TSD");
    EXPECT_EQ(reads.asks_sent(), 1u);
}

TEST_F(shared_reads_test, reads_that_come_while_one_is_in_flight_share_the_next_ask)
{
    auto a = read(std::string(operations_balance), "key-a");
    auto b = read(std::string(operations_balance), "key-b");
    auto c = read(std::string(operations_balance), "key-c");
    auto d = read(std::string(operations_balance), "key-d");
    EXPECT_EQ(payman.asks.size(), 1u) << "the next ask goes once the one in flight is over";

    answer(0, agent_says("before"));
    EXPECT_EQ(text_of(*a), "before");
    // Sent before b, c and d asked, so not theirs.
    EXPECT_FALSE(b->got || c->got || d->got);
    ASSERT_EQ(payman.asks.size(), 2u);
    EXPECT_EQ(payman.asks[1]->options.idempotency_key, "key-b") << "the first waiting caller's";

    answer(1, agent_says("after"));
    EXPECT_EQ(text_of(*b), "after");
    EXPECT_EQ(text_of(*c), "after");
    EXPECT_EQ(text_of(*d), "after");
    EXPECT_EQ(reads.asks_sent(), 2u);
}

TEST_F(shared_reads_test, a_caller_after_the_next_ask_went_waits_for_the_one_after_it)
{
    auto a = read(std::string(operations_balance), "key-a");
    auto b = read(std::string(operations_balance), "key-b");
    answer(0, agent_says("first"));
    ASSERT_EQ(payman.asks.size(), 2u);  // b's, in flight
    auto c = read(std::string(operations_balance), "key-c");
    EXPECT_EQ(payman.asks.size(), 2u);

    answer(1, agent_says("second"));
    EXPECT_EQ(text_of(*b), "second");
    EXPECT_FALSE(c->got) << "the second ask was sent before c asked";
    ASSERT_EQ(payman.asks.size(), 3u);
    EXPECT_EQ(payman.asks[2]->options.idempotency_key, "key-c");
    answer(2, agent_says("third"));
    EXPECT_EQ(text_of(*c), "third");
}

TEST_F(shared_reads_test, reads_of_different_texts_do_not_share)
{
    auto a = read(std::string(operations_balance), "key-a");
    auto b = read("what is the balance of the \"Payroll\" wallet?", "key-b");
    ASSERT_EQ(payman.asks.size(), 2u);
    answer(1, agent_says("payroll"));
    answer(0, agent_says("operations"));
    EXPECT_EQ(text_of(*a), "operations");
    EXPECT_EQ(text_of(*b), "payroll");
}

TEST_F(shared_reads_test, a_failed_shared_ask_fails_every_caller_it_answers)
{
    auto a = read(std::string(operations_balance), "key-a");
    auto b = read(std::string(operations_balance), "key-b");
    auto c = read(std::string(operations_balance), "key-c");
    answer(0, agent_says("fine"));
    answer(1, payman::client_error{.kind = payman::error_class::unknown_outcome});
    for (const auto& x : {b, c}) {
        ASSERT_TRUE(x->got);
        ASSERT_FALSE(*x->got);
        EXPECT_EQ(x->got->error().kind, payman::error_class::unknown_outcome);
    }
    // The line starts afresh: the next caller asks at once.
    auto d = read(std::string(operations_balance), "key-d");
    EXPECT_EQ(payman.asks.size(), 3u);
}

TEST_F(shared_reads_test, a_first_caller_cancelled_while_waiting_leaves_its_batch_a_not_sent_error)
{
    auto a = read(std::string(operations_balance), "key-a");
    auto b = read(std::string(operations_balance), "key-b");  // the first caller of the next ask
    auto c = read(std::string(operations_balance), "key-c");
    b->cancel.emit(asio::cancellation_type::terminal);
    run_ready();
    EXPECT_TRUE(b->ended);
    EXPECT_FALSE(b->got);
    ASSERT_TRUE(c->got) << "c waits for an ask nobody will send";
    ASSERT_FALSE(*c->got);
    EXPECT_EQ(c->got->error().kind, payman::error_class::not_sent);

    // a's ask still answers a; a caller after it is not left behind the abandoned batch.
    answer(0, agent_says("a's"));
    EXPECT_EQ(text_of(*a), "a's");
    auto d = read(std::string(operations_balance), "key-d");
    ASSERT_EQ(payman.asks.size(), 2u);
    answer(1, agent_says("d's"));
    EXPECT_EQ(text_of(*d), "d's");
}

TEST_F(shared_reads_test, a_cancelled_caller_waiting_behind_another_leaves_the_others_their_answer)
{
    auto a = read(std::string(operations_balance), "key-a");
    auto b = read(std::string(operations_balance), "key-b");
    auto c = read(std::string(operations_balance), "key-c");
    c->cancel.emit(asio::cancellation_type::terminal);
    run_ready();
    answer(0, agent_says("first"));
    answer(1, agent_says("second"));
    EXPECT_EQ(text_of(*b), "second");
    ASSERT_TRUE(c->got) << "a cancelled caller ends at once";
    EXPECT_FALSE(*c->got);
    EXPECT_EQ(payman.asks.size(), 2u);
}

}  // namespace
}  // namespace paymand::engine
