#pragma once

// Reads of Payman's agent that occurrences share: the callers of the same read-only ask (a
// balance condition's "what is the balance of the ... wallet?") that come while an ask of it
// is in flight are all answered by one ask sent after it. A caller is never answered by an
// ask sent before it asked, so a shared answer is as fresh as its own would have been. 1,000
// rules due at once on one wallet, 16 at a time, ask for the balance about once per round
// trip instead of 1,000 times.
//
// One executor, one thread: not thread-safe.

#include "paymand/engine/agent.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace paymand::engine {

class shared_reads {
public:
    explicit shared_reads(boost::asio::any_io_executor executor);

    // The answer to `text`: asked at once (with `options`) when no ask of it is in flight or
    // waiting; else by the next ask of it, sent when the one in flight has its answer, with
    // the options of the first caller waiting for it. A caller whose shared ask was given up
    // (its first caller cancelled, at a stop) gets a not_sent error; a cancelled caller leaves
    // the others their answer.
    boost::asio::awaitable<ask_outcome> async_read(agent& payman, std::string text,
                                                   payman::ask_options options);

    std::size_t asks_sent() const noexcept { return asks_sent_; }

private:
    struct line;
    struct batch;
    struct ask_over;
    struct batch_over;

    boost::asio::awaitable<ask_outcome> ask(const std::shared_ptr<line>& l, agent& payman,
                                            std::string text, payman::ask_options options);

    boost::asio::any_io_executor executor_;
    std::map<std::string, std::shared_ptr<line>, std::less<>> lines_;
    std::size_t asks_sent_ = 0;
};

}  // namespace paymand::engine
