#pragma once

// Drives paymand's Payman client against a real payman-sandbox: runs coroutines to completion
// on a private io_context with a deadline, collects the client's log lines, and offers a clock
// the test moves by hand.

#include "paymand/payman/client.hpp"
#include "support/manual_clock.hpp"
#include "support/sandbox.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace paymand::test {

using namespace std::chrono_literals;
using ask_outcome = boost::system::result<payman::ask_result, payman::client_error>;

// Sandbox parameters built field by field (GCC 12 misreports nested designated initializers).
template <class Edit>
sandbox_params params_with(Edit edit)
{
    sandbox_params p;
    edit(p);
    return p;
}

class client_test : public testing::Test {
protected:
    // Every operation must have finished: nothing left behind on the io_context (no timer,
    // no read on a pooled connection).
    void TearDown() override
    {
        io.restart();
        EXPECT_EQ(io.poll(), 0u) << "work was left on the io_context";
    }

    // Runs `make()` (a coroutine) to completion; fails the test past `deadline`.
    template <class T, class Make>
    T run(Make make, std::chrono::milliseconds deadline = 60s)
    {
        std::optional<T> out;
        std::exception_ptr error;
        boost::asio::co_spawn(
            io, [&]() -> boost::asio::awaitable<void> { out.emplace(co_await make()); },
            [&](std::exception_ptr e) { error = e; });
        io.restart();
        io.run_for(deadline);
        if (error) std::rethrow_exception(error);
        if (!out) throw std::runtime_error("the operation did not finish before its deadline");
        return std::move(*out);
    }

    ask_outcome ask(payman::client& c, std::string text, payman::ask_options options = {})
    {
        return run<ask_outcome>([&]() { return c.async_ask(text, options); });
    }

    // A client config pointing at `sb`, logging into `log_lines`.
    payman::client_config config_for(const sandbox_process& sb)
    {
        payman::client_config config;
        config.base_url = sb.base_url();
        config.logger = [this](payman::log_level, std::string_view line) {
            log_lines.emplace_back(line);
        };
        config.log_threshold = payman::log_level::debug;
        return config;
    }

    payman::client credentials_client(const sandbox_process&, payman::client_config config)
    {
        auto c = payman::client::with_credentials(io.get_executor(), std::move(config),
                                                  std::string(sandbox_client_id),
                                                  payman::secret(sandbox_client_secret));
        if (!c) throw std::runtime_error(c.error().what());
        return std::move(*c);
    }

    payman::client credentials_client(const sandbox_process& sb)
    {
        return credentials_client(sb, config_for(sb));
    }

    static std::int64_t stat(sandbox_process& sb, std::string_view path)
    {
        auto s = sb.stats();
        const boost::json::value* v = &s;
        std::string_view rest = path;
        while (!rest.empty()) {
            auto dot = rest.find('.');
            auto key = rest.substr(0, dot);
            v = &v->as_object().at(key);
            rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
        }
        return v->to_number<std::int64_t>();
    }

    static std::size_t ledger_size(sandbox_process& sb)
    {
        return sb.ledger().as_object().at("transactions").as_array().size();
    }

    std::string all_log() const
    {
        std::string out;
        for (const auto& line : log_lines) out += line + "\n";
        return out;
    }

    boost::asio::io_context io;
    std::vector<std::string> log_lines;
};

}  // namespace paymand::test
