// The metrics endpoint on 127.0.0.1:0 inside the test process, fetched with a plain Beast
// client on the same io_context. Every client step has a deadline; a server that blocked the
// io_context would make these deadlines fail instead of hanging.

#include "paymand/metrics/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace paymand::metrics {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr auto client_deadline = 5s;

struct reply {
    boost::system::error_code ec;
    http::response<http::string_body> res;
};

// A client connection: a stream with its read buffer.
struct client {
    explicit client(asio::any_io_executor ex) : stream(ex) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
};

asio::awaitable<std::unique_ptr<client>> connect(tcp::endpoint to)
{
    auto c = std::make_unique<client>(co_await asio::this_coro::executor);
    c->stream.expires_after(client_deadline);
    co_await c->stream.async_connect(to, asio::use_awaitable);
    co_return c;
}

asio::awaitable<boost::system::error_code> send_raw(client& c, std::string bytes)
{
    c.stream.expires_after(client_deadline);
    auto [ec, n] = co_await asio::async_write(c.stream, asio::buffer(bytes), use_tuple);
    co_return ec;
}

asio::awaitable<reply> read_reply(client& c, bool head = false)
{
    http::response_parser<http::string_body> parser;
    parser.skip(head);
    c.stream.expires_after(client_deadline);
    auto [ec, n] = co_await http::async_read(c.stream, c.buffer, parser, use_tuple);
    reply out;
    out.ec = ec;
    if (!ec) out.res = parser.release();
    co_return out;
}

asio::awaitable<reply> fetch(client& c, http::verb method, std::string target)
{
    http::request<http::empty_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    c.stream.expires_after(client_deadline);
    auto [ec, n] = co_await http::async_write(c.stream, req, use_tuple);
    if (ec) {
        reply failed;
        failed.ec = ec;
        co_return failed;
    }
    co_return co_await read_reply(c, method == http::verb::head);
}

// Reads until the server closes the connection; the error that ended it (never a timeout
// when the server does its part).
asio::awaitable<boost::system::error_code> wait_closed(client& c)
{
    std::array<char, 4096> sink;
    c.stream.expires_after(client_deadline);
    for (;;) {
        auto [ec, n] = co_await c.stream.async_read_some(asio::buffer(sink), use_tuple);
        if (ec) co_return ec;
    }
}

bool is_closed_by_peer(const boost::system::error_code& ec)
{
    return ec == asio::error::eof || ec == asio::error::connection_reset;
}

class http_server_test : public ::testing::Test {
protected:
    void start(server_params params = {})
    {
        auto s = http_server::start(
            ioc_.get_executor(), {asio::ip::make_address("127.0.0.1"), 0}, reg_,
            [this] { return health_; }, params);
        ASSERT_TRUE(s) << s.error().message;
        server_.emplace(std::move(*s));
        ASSERT_NE(server_->local_endpoint().port(), 0);
    }

    void TearDown() override
    {
        clients_.clear();
        if (server_) server_->stop();
        // Everything the server started must end once it is stopped.
        ioc_.run_for(5s);
        EXPECT_TRUE(ioc_.stopped()) << "work was left on the io_context after stop()";
    }

    // Runs `op` on the io_context until it completes; fails the test past the deadline.
    template <class T>
    T run(asio::awaitable<T> op, std::chrono::seconds limit = 10s)
    {
        std::optional<T> out;
        std::exception_ptr error;
        bool done = false;
        asio::co_spawn(ioc_, std::move(op), [&](std::exception_ptr e, T value) {
            done = true;
            error = e;
            if (!e) out.emplace(std::move(value));
        });
        const auto deadline = steady::now() + limit;
        while (!done && steady::now() < deadline) ioc_.run_one_until(deadline);
        if (!done) throw std::runtime_error("the operation did not finish in time");
        if (error) std::rethrow_exception(error);
        return std::move(*out);
    }

    // Lets the server work until `condition` holds; fails past the deadline.
    void run_until(const std::function<bool()>& condition, std::chrono::seconds limit = 10s)
    {
        const auto deadline = steady::now() + limit;
        while (!condition()) {
            ASSERT_LT(steady::now(), deadline) << "condition not reached in time";
            ioc_.run_one_for(10ms);
        }
    }

    client& connected()
    {
        clients_.push_back(run(connect(server_->local_endpoint())));
        return *clients_.back();
    }

    reply get(client& c, std::string target) { return run(fetch(c, http::verb::get, target)); }

    asio::io_context ioc_;
    registry reg_{std::chrono::system_clock::time_point{} + 1'700'000'000s, "0.1.0"};
    health_status health_;
    std::optional<http_server> server_;
    std::vector<std::unique_ptr<client>> clients_;
};

TEST_F(http_server_test, serves_the_scrape_on_get_metrics)
{
    reg_.set_rules(7, 6);
    start();
    auto r = get(connected(), "/metrics");
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.result(), http::status::ok);
    EXPECT_EQ(r.res[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(r.res.body(), reg_.render());
    EXPECT_NE(r.res.body().find("paymand_rules_loaded 7\n"), std::string::npos);
}

TEST_F(http_server_test, keeps_the_connection_alive_between_requests)
{
    start();
    auto& c = connected();
    for (int i = 0; i < 3; ++i) {
        auto r = get(c, "/metrics");
        ASSERT_FALSE(r.ec) << r.ec.message();
        EXPECT_EQ(r.res.result(), http::status::ok);
        EXPECT_TRUE(r.res.keep_alive());
    }
    EXPECT_EQ(server_->connections(), 1u);
}

TEST_F(http_server_test, closes_after_the_answer_when_the_client_asks_to)
{
    start();
    auto& c = connected();
    ASSERT_FALSE(run(send_raw(c, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
    auto r = run(read_reply(c));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.body(), "ok\n");
    EXPECT_FALSE(r.res.keep_alive());
    EXPECT_TRUE(is_closed_by_peer(run(wait_closed(c))));
}

TEST_F(http_server_test, serves_http_1_0_and_closes_after_it)
{
    start();
    auto& c = connected();
    ASSERT_FALSE(run(send_raw(c, "GET /metrics HTTP/1.0\r\n\r\n")));
    auto r = run(read_reply(c));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.version(), 10);
    EXPECT_EQ(r.res.result(), http::status::ok);
    EXPECT_EQ(r.res.body(), reg_.render());
    EXPECT_TRUE(is_closed_by_peer(run(wait_closed(c))));
}

TEST_F(http_server_test, answers_pipelined_requests_in_order)
{
    start();
    auto& c = connected();
    ASSERT_FALSE(run(send_raw(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                                 "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")));
    auto first = run(read_reply(c));
    auto second = run(read_reply(c));
    ASSERT_FALSE(first.ec);
    ASSERT_FALSE(second.ec);
    EXPECT_EQ(first.res.result(), http::status::ok);
    EXPECT_EQ(second.res.result(), http::status::not_found);
}

TEST_F(http_server_test, healthz_is_ok_when_healthy)
{
    start();
    auto r = get(connected(), "/healthz");
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.res.result(), http::status::ok);
    EXPECT_EQ(r.res.body(), "ok\n");
}

TEST_F(http_server_test, healthz_is_503_with_the_reason_when_unhealthy)
{
    start();
    auto& c = connected();
    health_ = {.ok = false, .reason = "audit log unwritable"};
    auto r = get(c, "/healthz");
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.res.result(), http::status::service_unavailable);
    EXPECT_EQ(r.res.body(), "audit log unwritable\n");

    health_ = {};
    EXPECT_EQ(get(c, "/healthz").res.result(), http::status::ok);
}

TEST_F(http_server_test, other_paths_are_404)
{
    start();
    auto r = get(connected(), "/metrics/extra");
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.res.result(), http::status::not_found);
}

TEST_F(http_server_test, other_methods_are_405_with_allow_and_keep_the_connection)
{
    start();
    auto& c = connected();
    auto r = run(fetch(c, http::verb::delete_, "/metrics"));
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.res.result(), http::status::method_not_allowed);
    EXPECT_EQ(r.res[http::field::allow], "GET, HEAD");
    EXPECT_EQ(get(c, "/metrics").res.result(), http::status::ok);
}

TEST_F(http_server_test, head_sends_the_header_of_get_without_a_body)
{
    start();
    auto& c = connected();
    auto r = run(fetch(c, http::verb::head, "/metrics"));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.result(), http::status::ok);
    EXPECT_EQ(r.res[http::field::content_length], std::to_string(reg_.render().size()));
    EXPECT_EQ(r.res.body(), "");
    // Had any body bytes followed the header, this answer would not parse.
    auto next = get(c, "/healthz");
    ASSERT_FALSE(next.ec) << next.ec.message();
    EXPECT_EQ(next.res.body(), "ok\n");
    EXPECT_EQ(c.buffer.size(), 0u);
}

TEST_F(http_server_test, refuses_an_oversized_header_with_431_and_closes)
{
    start();
    auto& c = connected();
    const std::string request =
        "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(9 * 1024, 'a') + "\r\n\r\n";
    ASSERT_FALSE(run(send_raw(c, request)));
    auto r = run(read_reply(c));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.result(), http::status::request_header_fields_too_large);
    EXPECT_FALSE(r.res.keep_alive());
    EXPECT_TRUE(is_closed_by_peer(run(wait_closed(c))));
}

TEST_F(http_server_test, accepts_a_header_just_under_the_limit)
{
    start();
    auto& c = connected();
    const std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ";
    const std::string request = head + std::string(8 * 1024 - head.size() - 4, 'a') + "\r\n\r\n";
    ASSERT_EQ(request.size(), 8u * 1024);
    ASSERT_FALSE(run(send_raw(c, request)));
    auto r = run(read_reply(c));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.result(), http::status::ok);
}

TEST_F(http_server_test, refuses_a_request_body_with_413_and_closes)
{
    start();
    auto& c = connected();
    ASSERT_FALSE(run(send_raw(c, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"
                                 "hello")));
    auto r = run(read_reply(c));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.result(), http::status::payload_too_large);
    EXPECT_TRUE(is_closed_by_peer(run(wait_closed(c))));
}

TEST_F(http_server_test, answers_a_malformed_request_with_400_and_closes)
{
    start();
    auto& c = connected();
    ASSERT_FALSE(run(send_raw(c, "GET /metrics HTTP/9.x\r\n\r\n")));
    auto r = run(read_reply(c));
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.result(), http::status::bad_request);
    EXPECT_TRUE(is_closed_by_peer(run(wait_closed(c))));
}

// Issue 16, item 5: 32 idle connections of one local user used to keep /healthz and /metrics
// down (60 of 60 probes failed). Now the oldest idle connection makes room for each new one.
TEST_F(http_server_test, idle_connections_never_keep_a_probe_out)
{
    start();
    // Each hostile client has asked once and then sits idle on its keep-alive connection.
    for (int i = 0; i < 40; ++i) {
        auto r = get(connected(), "/healthz");
        ASSERT_FALSE(r.ec) << i << ": " << r.ec.message();
    }
    EXPECT_LE(server_->connections(), 32u);
    // Plus idle connections that never sent a byte.
    for (int i = 0; i < 40; ++i) connected();
    run_until([&] { return server_->connections() <= 32u; });

    int answered = 0;
    steady::duration slowest{};
    for (int probe = 0; probe < 60; ++probe) {
        const auto began = steady::now();
        auto r = get(connected(), "/healthz");
        const auto took = steady::now() - began;
        if (!r.ec && r.res.result() == http::status::ok && took < 1s) ++answered;
        EXPECT_LT(took, 1s) << probe;
        slowest = std::max(slowest, took);
    }
    EXPECT_EQ(answered, 60);
    RecordProperty(
        "slowest_probe_us",
        std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(slowest).count()));
    EXPECT_LE(server_->connections(), 32u);
    // The oldest idle connection was the one closed: the first client's.
    EXPECT_TRUE(is_closed_by_peer(run(wait_closed(*clients_.front()))));
}

TEST_F(http_server_test, one_peer_keeps_at_most_its_idle_share)
{
    start({.max_connections = 32, .max_idle_per_peer = 4});
    for (int i = 0; i < 10; ++i) ASSERT_FALSE(get(connected(), "/healthz").ec);
    // Four idle, plus at most the last one still finishing its answer when counted.
    EXPECT_LE(server_->connections(), 5u);
    // The newest are the ones kept: the last client is still served on its connection.
    auto r = get(*clients_.back(), "/healthz");
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_TRUE(is_closed_by_peer(run(wait_closed(*clients_.front()))));
}

TEST_F(http_server_test, an_idle_connection_makes_room_even_with_one_slot)
{
    // One slot, held by a client that was answered and now sits idle.
    start({.max_connections = 1, .write_timeout = 2s});
    reg_.set_rules(1, 1);
    auto& busy = connected();
    ASSERT_FALSE(run(send_raw(busy, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")));
    ASSERT_FALSE(run(read_reply(busy)).ec);
    // Idle again: a newcomer takes its place.
    auto r = get(connected(), "/healthz");
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_TRUE(is_closed_by_peer(run(wait_closed(busy))));
}

TEST_F(http_server_test, a_slow_client_does_not_block_another)
{
    start();
    auto& slow = connected();
    ASSERT_FALSE(run(send_raw(slow, "GET /metrics HTTP/1.1\r\nHo")));
    run_until([&] { return server_->connections() == 1; });

    auto r = get(connected(), "/healthz");
    ASSERT_FALSE(r.ec) << r.ec.message();
    EXPECT_EQ(r.res.result(), http::status::ok);

    ASSERT_FALSE(run(send_raw(slow, "st: x\r\n\r\n")));
    auto late = run(read_reply(slow));
    ASSERT_FALSE(late.ec) << late.ec.message();
    EXPECT_EQ(late.res.result(), http::status::ok);
}

TEST_F(http_server_test, closes_a_request_that_takes_too_long)
{
    start({.request_timeout = 200ms});
    auto& c = connected();
    ASSERT_FALSE(run(send_raw(c, "GET /metrics HTTP/1.1\r\n")));
    const auto began = steady::now();
    EXPECT_TRUE(is_closed_by_peer(run(wait_closed(c))));
    EXPECT_LT(steady::now() - began, client_deadline);
}

TEST_F(http_server_test, closes_an_idle_connection)
{
    start({.idle_timeout = 200ms});
    auto& c = connected();
    EXPECT_EQ(get(c, "/healthz").res.result(), http::status::ok);
    EXPECT_TRUE(is_closed_by_peer(run(wait_closed(c))));
    run_until([&] { return server_->connections() == 0; });
}

TEST_F(http_server_test, stop_closes_connected_clients_and_the_listener)
{
    start();
    auto& idle = connected();
    EXPECT_EQ(get(idle, "/metrics").res.result(), http::status::ok);
    auto& midway = connected();
    ASSERT_FALSE(run(send_raw(midway, "GET /metrics HTTP/1.1\r\n")));
    run_until([&] { return server_->connections() == 2; });
    const auto where = server_->local_endpoint();

    server_->stop();
    server_->stop();  // a second stop does nothing
    EXPECT_TRUE(is_closed_by_peer(run(wait_closed(idle))));
    EXPECT_TRUE(is_closed_by_peer(run(wait_closed(midway))));
    run_until([&] { return server_->connections() == 0; });

    auto refused = [](tcp::endpoint to) -> asio::awaitable<boost::system::error_code> {
        beast::tcp_stream s(co_await asio::this_coro::executor);
        s.expires_after(client_deadline);
        auto [ec] = co_await s.async_connect(to, use_tuple);
        co_return ec;
    };
    EXPECT_EQ(run(refused(where)), asio::error::connection_refused);
}

TEST_F(http_server_test, reports_an_address_in_use)
{
    start();
    const auto taken = server_->local_endpoint();
    auto second = http_server::start(ioc_.get_executor(), taken, reg_, {});
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, boost::system::errc::address_in_use);
    EXPECT_EQ(second.error().message,
              "metrics.listen: cannot bind to 127.0.0.1:" + std::to_string(taken.port()) + ": " +
                  second.error().code.message());
}

TEST_F(http_server_test, refuses_parameters_out_of_range)
{
    const tcp::endpoint any{asio::ip::make_address("127.0.0.1"), 0};
    auto none = http_server::start(ioc_.get_executor(), any, reg_, {}, {.max_connections = 0});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, metrics_errc::invalid_params);
    EXPECT_EQ(none.error().message, "metrics server: max_connections must be at least 1");
    auto tiny = http_server::start(ioc_.get_executor(), any, reg_, {}, {.header_limit = 100});
    ASSERT_FALSE(tiny);
    EXPECT_EQ(tiny.error().message, "metrics server: header_limit must be 1024 to 65536 bytes, "
                                    "not 100");
    auto instant = http_server::start(ioc_.get_executor(), any, reg_, {}, {.idle_timeout = 0ms});
    ASSERT_FALSE(instant);
    EXPECT_EQ(instant.error().code, metrics_errc::invalid_params);
}

}  // namespace
}  // namespace paymand::metrics
