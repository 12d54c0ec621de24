#pragma once

// Payman's agent as the engine sees it: one ask at a time, answered or failed with a
// classified error. The daemon's implementation is a payman::client; tests substitute their
// own to script answers.

#include "paymand/payman/ask.hpp"
#include "paymand/payman/client.hpp"
#include "paymand/payman/client_error.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <memory>
#include <string>

namespace paymand::engine {

using ask_outcome = boost::system::result<payman::ask_result, payman::client_error>;

class agent {
public:
    virtual ~agent() = default;
    virtual boost::asio::awaitable<ask_outcome> async_ask(std::string text,
                                                          payman::ask_options options) = 0;
};

// An agent backed by a Payman client (copies share its token and connections).
std::shared_ptr<agent> make_client_agent(payman::client client);

}  // namespace paymand::engine
