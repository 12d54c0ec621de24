#include "paymand/engine/shared_reads.hpp"

#include "paymand/payman/payman_errc.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>

namespace paymand::engine {

namespace asio = boost::asio;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

ask_outcome given_up()
{
    return core::extend({.code = payman::payman_errc::internal,
                         .message = "the shared read was given up before its answer (stopping)"},
                        payman::client_error{.kind = payman::error_class::not_sent});
}

}  // namespace

// The callers waiting for the next ask of one text; the first of them sends it.
struct shared_reads::batch {
    explicit batch(const asio::any_io_executor& ex)
        : done(ex, asio::steady_timer::time_point::max())
    {
    }
    std::optional<ask_outcome> outcome;
    asio::steady_timer done;  // cancelled when the ask is over, answered or given up
};

// One text's asks: at most one in flight, and one batch of callers waiting behind it.
struct shared_reads::line {
    explicit line(const asio::any_io_executor& ex) : idle(ex, asio::steady_timer::time_point::max())
    {
    }
    bool in_flight = false;
    asio::steady_timer idle;  // cancelled when the ask in flight is over
    std::shared_ptr<batch> next;
};

// The end of an ask, however it ends: the next ask of the text may go.
struct shared_reads::ask_over {
    shared_reads& reads;
    const std::shared_ptr<line>& l;
    const std::string& text;
    ~ask_over()
    {
        l->in_flight = false;
        l->idle.cancel();
        if (!l->next) reads.lines_.erase(text);
    }
};

// The end of a batch's first caller: its callers wake, to the answer or, when it went without
// one, to given_up(); a batch left without its first caller takes no more callers.
struct shared_reads::batch_over {
    line& l;
    const std::shared_ptr<batch>& b;
    ~batch_over()
    {
        if (l.next == b) l.next.reset();
        b->done.cancel();
    }
};

shared_reads::shared_reads(asio::any_io_executor executor) : executor_(std::move(executor)) {}

asio::awaitable<ask_outcome> shared_reads::ask(const std::shared_ptr<line>& l, agent& payman,
                                               std::string text, payman::ask_options options)
{
    l->in_flight = true;
    ++asks_sent_;
    const ask_over at_the_end{*this, l, text};
    auto outcome = co_await payman.async_ask(text, std::move(options));
    co_return outcome;
}

asio::awaitable<ask_outcome> shared_reads::async_read(agent& payman, std::string text,
                                                      payman::ask_options options)
{
    auto found = lines_.find(text);
    if (found == lines_.end())
        found = lines_.emplace(text, std::make_shared<line>(executor_)).first;
    const std::shared_ptr<line> l = found->second;
    if (!l->in_flight && !l->next) {
        auto alone = co_await ask(l, payman, std::move(text), std::move(options));
        co_return alone;
    }

    if (l->next) {
        // Behind the first caller of the next ask: its answer, once it has one.
        const std::shared_ptr<batch> b = l->next;
        co_await b->done.async_wait(use_tuple);
        if (b->outcome) co_return *b->outcome;
        co_return given_up();
    }

    // The first caller of the next ask: it is sent once the one in flight is over.
    const auto b = std::make_shared<batch>(executor_);
    l->next = b;
    const batch_over at_the_end{*l, b};
    while (l->in_flight) co_await l->idle.async_wait(use_tuple);
    l->next.reset();  // callers from now on wait for the ask after this one
    auto outcome = co_await ask(l, payman, std::move(text), std::move(options));
    b->outcome = outcome;
    co_return outcome;
}

}  // namespace paymand::engine
