#include "paymand/daemon/instrumented_agent.hpp"

#include <utility>

namespace paymand::daemon {
namespace {

using metrics::ask_kind;
using metrics::ask_status;
using metrics::registry;

class instrumented_agent final : public engine::agent {
public:
    instrumented_agent(std::shared_ptr<engine::agent> inner, registry& reg, steady_now_fn now)
        : inner_(std::move(inner)), reg_(reg), now_(std::move(now))
    {
    }

    boost::asio::awaitable<engine::ask_outcome> async_ask(std::string text,
                                                          payman::ask_options options) override
    {
        const auto kind = options.read_only ? ask_kind::read : ask_kind::payment;
        const auto started = now_();
        auto outcome = co_await inner_->async_ask(std::move(text), std::move(options));
        const auto latency = now_() - started;
        reg_.observe_ask(kind,
                         outcome ? ask_status::answered : metrics::status_of(outcome.error().kind),
                         std::chrono::duration_cast<std::chrono::nanoseconds>(latency));
        co_return outcome;
    }

private:
    std::shared_ptr<engine::agent> inner_;
    registry& reg_;
    steady_now_fn now_;
};

}  // namespace

std::shared_ptr<engine::agent> instrument(std::shared_ptr<engine::agent> inner,
                                          metrics::registry& reg, steady_now_fn now)
{
    return std::make_shared<instrumented_agent>(std::move(inner), reg, std::move(now));
}

}  // namespace paymand::daemon
