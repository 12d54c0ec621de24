// Reading an ask's answer: every ask (a payment, a balance condition, a listing) is read on the
// engine's one thread, and at concurrency 1 each microsecond of it is a microsecond of every
// round trip. The answer is the sandbox's to a payment, byte for byte; the JSON parse alone is
// measured beside it, so the cost of reading the tree is the difference.

#include "paymand/payman/protocol.hpp"

#include <boost/json/parse.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <string_view>

namespace {

using namespace paymand;

constexpr std::string_view paid_body =
    R"({"jsonrpc":"2.0","id":"req-1","result":{"id":"tsk-00000000-0000-4000-8000-000000000001",)"
    R"("sessionId":"ses-00000000-0000-4000-8000-000000000001","status":{"state":"completed",)"
    R"("message":null,"timestamp":"2026-12-05T07:48:45.739Z"},"artifacts":[{"name":"response",)"
    R"("description":"AI Assistant Response","parts":[{"type":"text","text":"Payment sent! )"
    R"(1.00 TSD is on its way to **John Doe** from **Operations**. New balance: 99,929,999.00 )"
    R"(TSD."}],"metadata":{}}],"metadata":{"timestamp":"2026-12-05T07:48:45.739Z",)"
    R"("agentId":"ai-sandbox-agent","orgId":"org-sandbox"}},"error":null})";

net::response paid_response()
{
    net::response res{boost::beast::http::status::ok, 11};
    res.set(boost::beast::http::field::content_type, "application/json");
    res.set(boost::beast::http::field::server, "payman-sandbox");
    res.body() = std::string(paid_body);
    res.prepare_payload();
    return res;
}

void parse_ask_response_paid(benchmark::State& state)
{
    const auto res = paid_response();
    const auto now = std::chrono::system_clock::now();
    for (auto _ : state) {
        auto parsed = payman::parse_ask_response(res, "req-1", now);
        if (!parsed) state.SkipWithError("the reply did not parse");
        benchmark::DoNotOptimize(parsed);
    }
}
BENCHMARK(parse_ask_response_paid);

void json_parse_paid(benchmark::State& state)
{
    for (auto _ : state) benchmark::DoNotOptimize(boost::json::parse(paid_body));
}
BENCHMARK(json_parse_paid);

}  // namespace

BENCHMARK_MAIN();
