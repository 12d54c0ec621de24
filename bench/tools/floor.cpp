// The floor of issue 10: what any client could get from the server on this machine. One token
// is fetched before timing starts, the tasks.send requests are built and serialised once, and
// N keep-alive connections send them back to back as fast as the server answers. With several
// --prompt options request i carries prompt i % count (the burst's balance + payment mix).
//
//   PAYMAN_CLIENT_SECRET=... bench_floor --base-url http://127.0.0.1:PORT/api
//       --client-id pm-test-bench --requests 2000 --connections 16
//       --prompt "send 1.00 TSD to John Doe"
//
// Prints one JSON line: {"requests","ok","errors","connections","seconds","rate"}; exit 0 when
// every request got HTTP 200 with a JSON-RPC result, 1 otherwise, 2 on bad arguments.

#include "paymand/payman/protocol.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
namespace net = paymand::net;
namespace payman = paymand::payman;

struct target {
    std::string host;
    std::string port;
    std::string prefix;  // the base URL's path, e.g. "/api"
};

// Serialises a request to the bytes that go on the wire, once.
std::string wire_bytes(http::request<http::string_body>& req)
{
    req.prepare_payload();
    std::ostringstream out;
    out << req;
    return out.str();
}

std::string fetch_token(asio::io_context& io, const tcp::resolver::results_type& endpoints,
                        const target& t, const std::string& client_id, const std::string& secret)
{
    tcp::socket socket(io);
    asio::connect(socket, endpoints);
    // The token request as paymand's client builds it: it is not timed, only its token is used.
    const net::endpoint where{.tls = false,
                              .host = t.host,
                              .port = static_cast<std::uint16_t>(std::stoi(t.port)),
                              .path_prefix = t.prefix};
    auto req = payman::build_token_request(where, payman::grant{}, client_id,
                                           payman::secret(secret), "paymand-bench-floor");
    req.set(http::field::host, t.host + ":" + t.port);
    req.prepare_payload();
    http::write(socket, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    if (res.result_int() != 200)
        throw std::runtime_error(fmt::format("token endpoint answered HTTP {}", res.result_int()));
    const auto body = json::parse(res.body()).as_object();
    const auto* token = body.if_contains("accessToken");
    if (token == nullptr) token = body.if_contains("access_token");
    if (token == nullptr || !token->is_string())
        throw std::runtime_error("token response without an access token");
    return std::string(token->as_string());
}

std::string task_body(std::string_view prompt)
{
    json::object part{{"type", "text"}, {"text", prompt}, {"metadata", nullptr}};
    json::object message{{"role", "user"}, {"parts", json::array{part}}, {"metadata", nullptr}};
    json::object params{{"id", "tsk-00000000-0000-4000-8000-000000000001"},
                        {"sessionId", "ses-00000000-0000-4000-8000-000000000001"},
                        {"message", std::move(message)},
                        {"metadata", json::object{{"timestamp", "2026-12-01T08:00:00.000Z"}}}};
    json::object rpc{{"jsonrpc", "2.0"},
                     {"id", "req-00000000-0000-4000-8000-000000000001"},
                     {"method", "tasks.send"},
                     {"params", std::move(params)}};
    return json::serialize(rpc);
}

struct run_state {
    std::vector<std::string> requests;  // pre-serialised, sent in turn
    std::size_t total = 0;
    std::size_t next = 0;  // one thread: no atomics needed
    std::size_t ok = 0;
    std::size_t errors = 0;
    std::string first_error;
};

bool is_success(const http::response<http::string_body>& res)
{
    if (res.result_int() != 200) return false;
    // A JSON-RPC error is a failure even with HTTP 200; the result object is not parsed, as a
    // load generator that parsed replies would no longer be the floor.
    return res.body().find("\"error\":null") != std::string::npos ||
           res.body().find("\"error\"") == std::string::npos;
}

asio::awaitable<void> drive(tcp::socket socket, run_state& s)
{
    beast::flat_buffer buffer;
    try {
        while (s.next < s.total) {
            const auto index = s.next++;
            const auto& bytes = s.requests[index % s.requests.size()];
            co_await asio::async_write(socket, asio::buffer(bytes), asio::use_awaitable);
            http::response<http::string_body> res;
            co_await http::async_read(socket, buffer, res, asio::use_awaitable);
            if (is_success(res)) {
                ++s.ok;
            } else {
                if (s.errors++ == 0)
                    s.first_error =
                        fmt::format("HTTP {}: {}", res.result_int(), res.body().substr(0, 200));
            }
        }
    } catch (const std::exception& e) {
        if (s.errors++ == 0) s.first_error = e.what();
    }
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Floor load generator: one pre-built tasks.send, one token, N keep-alive "
                 "connections (secret from PAYMAN_CLIENT_SECRET)"};
    std::string base_url;
    std::string client_id;
    std::size_t requests = 2000;
    std::size_t connections = 1;
    std::vector<std::string> prompts;
    app.add_option("--base-url", base_url, "e.g. http://127.0.0.1:8080/api")->required();
    app.add_option("--client-id", client_id)->required();
    app.add_option("--requests", requests)->check(CLI::Range(1, 100'000'000));
    app.add_option("--connections", connections)->check(CLI::Range(1, 1024));
    app.add_option("--prompt", prompts, "Prompt text; repeat to alternate")->required();
    CLI11_PARSE(app, argc, argv);

    const char* secret = std::getenv("PAYMAN_CLIENT_SECRET");
    if (secret == nullptr || *secret == '\0') {
        std::cerr << "bench_floor: PAYMAN_CLIENT_SECRET is not set\n";
        return 2;
    }
    auto url = boost::urls::parse_uri(base_url);
    if (!url || url->scheme() != "http" || !url->has_port()) {
        std::cerr << "bench_floor: --base-url must be http://HOST:PORT/PATH\n";
        return 2;
    }
    target t{std::string(url->host()), std::string(url->port()), std::string(url->path())};
    while (!t.prefix.empty() && t.prefix.back() == '/') t.prefix.pop_back();

    try {
        asio::io_context io;
        tcp::resolver resolver(io);
        const auto endpoints = resolver.resolve(t.host, t.port);
        const auto token = fetch_token(io, endpoints, t, client_id, secret);

        run_state s;
        s.total = requests;
        for (const auto& prompt : prompts) {
            http::request<http::string_body> req{http::verb::post, t.prefix + "/a2a/tasks/send",
                                                 11};
            req.set(http::field::host, t.host + ":" + t.port);
            req.set(http::field::content_type, "application/json");
            req.set("x-payman-access-token", token);
            req.body() = task_body(prompt);
            s.requests.push_back(wire_bytes(req));
        }
        std::vector<tcp::socket> sockets;
        for (std::size_t i = 0; i < connections; ++i) {
            tcp::socket socket(io);
            asio::connect(socket, endpoints);
            socket.set_option(tcp::no_delay(true));
            sockets.push_back(std::move(socket));
        }

        const auto start = std::chrono::steady_clock::now();
        for (auto& socket : sockets)
            asio::co_spawn(io, drive(std::move(socket), s), asio::detached);
        io.run();
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;

        std::cout << fmt::format("{{\"requests\":{},\"ok\":{},\"errors\":{},\"connections\":{},"
                                 "\"seconds\":{:.6f},\"rate\":{:.1f}}}\n",
                                 requests, s.ok, s.errors, connections, elapsed.count(),
                                 static_cast<double>(s.ok) / elapsed.count());
        if (s.errors != 0) {
            std::cerr << "bench_floor: " << s.errors << " failed; first: " << s.first_error << "\n";
            return 1;
        }
        return s.ok == requests ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "bench_floor: " << e.what() << "\n";
        return 1;
    }
}
