#include "paymand/daemon/instrumented_agent.hpp"

#include <utility>

namespace paymand::daemon {
namespace {

using metrics::ask_kind;
using metrics::ask_status;
using metrics::registry;

class instrumented_agent final : public engine::agent {
public:
    instrumented_agent(std::shared_ptr<engine::agent> inner, registry& reg,
                       std::shared_ptr<const core::clock> clock)
        : inner_(std::move(inner)), reg_(reg), clock_(std::move(clock))
    {
    }

    boost::asio::awaitable<engine::ask_outcome> async_ask(std::string text,
                                                          payman::ask_options options) override
    {
        const auto kind = options.read_only ? ask_kind::read : ask_kind::payment;
        const auto started = clock_->steady_now();
        auto outcome = co_await inner_->async_ask(std::move(text), std::move(options));
        const auto latency = clock_->steady_now() - started;
        reg_.observe_ask(kind,
                         outcome ? ask_status::answered : metrics::status_of(outcome.error().kind),
                         std::chrono::duration_cast<std::chrono::nanoseconds>(latency));
        co_return outcome;
    }

private:
    std::shared_ptr<engine::agent> inner_;
    registry& reg_;
    std::shared_ptr<const core::clock> clock_;
};

}  // namespace

std::shared_ptr<engine::agent> instrument(std::shared_ptr<engine::agent> inner,
                                          metrics::registry& reg,
                                          std::shared_ptr<const core::clock> clock)
{
    return std::make_shared<instrumented_agent>(std::move(inner), reg, std::move(clock));
}

}  // namespace paymand::daemon
