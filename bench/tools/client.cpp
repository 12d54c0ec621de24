// paymand's own Payman client under load: `--asks` asks through payman::client, `--concurrency`
// of them in flight at a time on one io_context (one thread, as the daemon runs it), with a
// connection pool as large as the concurrency. Every ask is a full client ask: a new request and
// task id, the token checked (fetched once, reused), the reply parsed into an ask_result.
//
//   PAYMAN_CLIENT_SECRET=... bench_client --base-url http://127.0.0.1:PORT/api
//       --client-id pm-test-bench --asks 2000 --concurrency 16 --prompt "send 1.00 TSD to John Doe"
//
// Prints one JSON line: {"asks","ok","errors","concurrency","seconds","rate","connections",
// "token_requests"}; exit 0 when every ask completed, 1 otherwise, 2 on bad arguments.

#include "paymand/payman/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {

namespace asio = boost::asio;
using namespace paymand;

struct run_state {
    std::size_t total = 0;
    std::size_t next = 0;  // one thread: no atomics needed
    std::size_t ok = 0;
    std::size_t errors = 0;
    std::string first_error;
};

asio::awaitable<void> drive(payman::client client, std::string prompt, run_state& s)
{
    while (s.next < s.total) {
        ++s.next;
        auto reply = co_await client.async_ask(prompt);
        if (reply && reply->state == payman::task_state::completed) {
            ++s.ok;
        } else if (s.errors++ == 0) {
            s.first_error = reply ? fmt::format("task state {}", payman::to_string(reply->state))
                                  : reply.error().what();
        }
    }
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Drive paymand's Payman client: N asks at concurrency C (secret from "
                 "PAYMAN_CLIENT_SECRET)"};
    std::string base_url;
    std::string client_id;
    std::string prompt;
    std::size_t asks = 2000;
    std::size_t concurrency = 1;
    app.add_option("--base-url", base_url, "e.g. http://127.0.0.1:8080/api")->required();
    app.add_option("--client-id", client_id)->required();
    app.add_option("--asks", asks)->check(CLI::Range(1, 100'000'000));
    app.add_option("--concurrency", concurrency)->check(CLI::Range(1, 1024));
    app.add_option("--prompt", prompt)->required();
    CLI11_PARSE(app, argc, argv);

    const char* secret = std::getenv("PAYMAN_CLIENT_SECRET");
    if (secret == nullptr || *secret == '\0') {
        std::cerr << "bench_client: PAYMAN_CLIENT_SECRET is not set\n";
        return 2;
    }

    asio::io_context io(1);
    payman::client_config config;
    config.base_url = base_url;
    config.http.max_connections = concurrency;
    auto client = payman::client::with_credentials(io.get_executor(), config, client_id,
                                                   payman::secret(secret));
    if (!client) {
        std::cerr << "bench_client: " << client.error().what() << "\n";
        return 2;
    }

    run_state s;
    s.total = asks;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < concurrency; ++i)
        asio::co_spawn(io, drive(*client, prompt, s), asio::detached);
    io.run();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

    const auto stats = client->stats();
    std::cout << fmt::format("{{\"asks\":{},\"ok\":{},\"errors\":{},\"concurrency\":{},"
                             "\"seconds\":{:.6f},\"rate\":{:.1f},\"connections\":{},"
                             "\"token_requests\":{}}}\n",
                             asks, s.ok, s.errors, concurrency, elapsed.count(),
                             static_cast<double>(s.ok) / elapsed.count(), stats.connections_opened,
                             stats.token_requests);
    if (s.errors != 0) {
        std::cerr << "bench_client: " << s.errors << " failed; first: " << s.first_error << "\n";
        return 1;
    }
    return 0;
}
