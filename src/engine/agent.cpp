#include "paymand/engine/agent.hpp"

namespace paymand::engine {
namespace {

class client_agent final : public agent {
public:
    explicit client_agent(payman::client client) : client_(std::move(client)) {}

    boost::asio::awaitable<ask_outcome> async_ask(std::string text,
                                                  payman::ask_options options) override
    {
        co_return co_await client_.async_ask(std::move(text), std::move(options));
    }

private:
    payman::client client_;
};

}  // namespace

std::shared_ptr<agent> make_client_agent(payman::client client)
{
    return std::make_shared<client_agent>(std::move(client));
}

}  // namespace paymand::engine
