// The HTTP client's deadlines, against a server on 127.0.0.1 that misbehaves on purpose: a
// connect, TLS handshake, write or read that outlives its deadline fails with Beast's timeout in
// its phase, a deadline that is
// still to come does not end a request, and a connection waiting for its next request holds no
// deadline (nor any work on the io_context).

#include "paymand/net/http_client.hpp"
#include "support/poll.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <optional>
#include <thread>

namespace paymand::net {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// How the server treats each connection.
enum class conduct {
    answer,       // reads each request and answers it at once
    answer_late,  // reads each request and answers it after `late`
    read_only,    // reads each request, never answers
    deaf,         // accepts, never reads
};

// A server on its own thread and io_context, so that the client's io_context holds only the
// client's work.
class misbehaving_server {
public:
    misbehaving_server(conduct c, std::chrono::milliseconds late = 0ms)
        : conduct_(c), late_(late), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}),
          port_(acceptor_.local_endpoint().port())
    {
        asio::co_spawn(io_, accept(), asio::detached);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~misbehaving_server()
    {
        io_.stop();
        thread_.join();
    }
    misbehaving_server(const misbehaving_server&) = delete;
    misbehaving_server& operator=(const misbehaving_server&) = delete;

    std::uint16_t port() const { return port_; }

private:
    asio::awaitable<void> accept()
    {
        for (;;) {
            tcp::socket socket = co_await acceptor_.async_accept(asio::use_awaitable);
            asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
        }
    }

    asio::awaitable<void> serve(tcp::socket socket)
    {
        boost::beast::flat_buffer buffer;
        asio::steady_timer pause(io_);
        if (conduct_ == conduct::deaf) {
            pause.expires_at(asio::steady_timer::time_point::max());
            co_await pause.async_wait(asio::use_awaitable);
        }
        for (;;) {
            http::request_parser<http::string_body> req;
            req.body_limit(boost::none);  // requests larger than Beast's 1 MB default too
            co_await http::async_read(socket, buffer, req, asio::use_awaitable);
            if (conduct_ == conduct::read_only) continue;
            if (conduct_ == conduct::answer_late) {
                pause.expires_after(late_);
                co_await pause.async_wait(asio::use_awaitable);
            }
            http::response<http::string_body> res{http::status::ok, 11};
            res.body() = "answered";
            res.keep_alive(true);
            res.prepare_payload();
            co_await http::async_write(socket, res, asio::use_awaitable);
        }
    }

    conduct conduct_;
    std::chrono::milliseconds late_;
    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::uint16_t port_;  // read before the server's thread starts
    std::thread thread_;
};

class http_client_deadlines : public ::testing::Test {
protected:
    http_client client_for(std::uint16_t port, phase_timeouts timeouts, bool tls = false)
    {
        return http_client(
            io.get_executor(), endpoint{.tls = tls, .host = "127.0.0.1", .port = port},
            http_config{.timeouts = timeouts},
            tls ? std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client) : nullptr);
    }
    http_client client_for(const misbehaving_server& server, phase_timeouts timeouts)
    {
        return client_for(server.port(), timeouts);
    }

    // One request, run until it ends or `limit` passes (nullopt then).
    std::optional<boost::system::result<response, transport_error>>
    send(http_client& client, std::string body = "ask", std::chrono::seconds limit = 20s)
    {
        std::optional<boost::system::result<response, transport_error>> out;
        request req{http::verb::post, "/x", 11};
        req.body() = std::move(body);
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                auto r = co_await client.async_send(std::move(req));
                out.emplace(std::move(r));
            },
            asio::detached);
        io.restart();
        while (!out && io.run_one_for(limit) != 0) {
        }
        return out;
    }

    // The request ended (`what` otherwise), failed, and with Beast's timeout in `expected`;
    // the request counts as written only when the read is what timed out.
    static void
    expect_timed_out(const std::optional<boost::system::result<response, transport_error>>& r,
                     phase expected, const char* what)
    {
        ASSERT_TRUE(r) << what;
        ASSERT_FALSE(*r);
        EXPECT_EQ(r->error().phase, expected);
        EXPECT_EQ(r->error().code, boost::beast::error::timeout);
        EXPECT_EQ(r->error().request_written, expected == phase::read);
    }

    asio::io_context io;
};

TEST_F(http_client_deadlines, a_connection_the_server_does_not_take_ends_at_the_connect_deadline)
{
    // A listener (backlog 0) whose one queued connection is never accepted: Linux drops the
    // next SYN while the queue is full, so the client's connect neither succeeds nor is refused.
    asio::io_context server_io;
    tcp::acceptor acceptor(server_io);
    acceptor.open(tcp::v4());
    acceptor.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor.listen(0);
    tcp::socket queued(server_io);
    queued.connect(acceptor.local_endpoint());
    // The queued connection counts once the listener has taken the handshake's last ACK, which
    // a loaded machine may process after connect returns: wait for the accept queue (a
    // listener's TCP_INFO gives its length in tcpi_unacked, as ss shows it).
    ASSERT_TRUE(test::eventually([&] {
        tcp_info info{};
        socklen_t size = sizeof info;
        return ::getsockopt(acceptor.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &size) == 0 &&
               info.tcpi_unacked >= 1;
    })) << "the first connection never reached the accept queue";
    // Were the connect to succeed, the request would end at the read's deadline instead.
    auto client = client_for(acceptor.local_endpoint().port(), {.connect = 300ms, .read = 2s});
    auto r = send(client);
    expect_timed_out(r, phase::connect, "the connect never ended");
}

TEST_F(http_client_deadlines, a_tls_handshake_the_server_does_not_answer_ends_at_its_deadline)
{
    misbehaving_server server(conduct::deaf);
    auto client = client_for(server.port(), {.tls_handshake = 300ms}, true);
    auto r = send(client);
    expect_timed_out(r, phase::tls_handshake, "the handshake never ended");
}

TEST_F(http_client_deadlines, a_request_the_server_does_not_read_ends_at_the_write_deadline)
{
    misbehaving_server server(conduct::deaf);
    auto client = client_for(server, {.write = 200ms});
    // More than the loopback socket buffers hold, so the write cannot complete.
    auto r = send(client, std::string(32 * 1024 * 1024, 'x'));
    expect_timed_out(r, phase::write, "the write never ended");
}

TEST_F(http_client_deadlines, a_request_larger_than_the_socket_takes_at_once_is_written_whole)
{
    // The client writes what the socket takes at once and the rest asynchronously: the server
    // answers only once it has read the whole request.
    misbehaving_server server(conduct::answer);
    auto client = client_for(server, {.write = 20s, .read = 20s});
    auto r = send(client, std::string(8 * 1024 * 1024, 'x'));
    ASSERT_TRUE(r);
    ASSERT_TRUE(*r) << r->error().what();
    EXPECT_EQ((*r)->body(), "answered");
}

TEST_F(http_client_deadlines, an_answer_that_never_comes_ends_at_the_read_deadline)
{
    misbehaving_server server(conduct::read_only);
    auto client = client_for(server, {.read = 200ms});
    auto r = send(client);
    expect_timed_out(r, phase::read, "the read never ended");
}

TEST_F(http_client_deadlines, a_read_deadline_before_the_write_deadline_is_kept)
{
    // The connection's deadline first stands at the write's (an hour away); the read's comes
    // sooner and must be the one that ends the request, well within the test's wait.
    misbehaving_server server(conduct::read_only);
    auto client = client_for(server, {.write = 3600s, .read = 200ms});
    auto r = send(client, "ask", 20s);
    expect_timed_out(r, phase::read, "the read outlived its deadline");
}

TEST_F(http_client_deadlines, a_passed_write_deadline_does_not_end_the_read_after_it)
{
    // The write's deadline passes while the answer is on its way; the read's has not.
    misbehaving_server server(conduct::answer_late, 600ms);
    auto client = client_for(server, {.write = 50ms, .read = 20s});
    auto r = send(client);
    ASSERT_TRUE(r);
    ASSERT_TRUE(*r) << r->error().what();
    EXPECT_EQ((*r)->body(), "answered");
}

TEST_F(http_client_deadlines, a_kept_connection_outlives_the_deadlines_of_its_last_request)
{
    misbehaving_server server(conduct::answer);
    auto client = client_for(server, {.write = 50ms, .read = 50ms});
    auto first = send(client);
    ASSERT_TRUE(first && *first);
    // Idle for several of its past deadlines, with the io_context running all along.
    asio::steady_timer idle(io, 400ms);
    idle.async_wait([](boost::system::error_code) {});
    io.restart();
    io.run();
    auto second = send(client);
    ASSERT_TRUE(second && *second) << (second ? second->error().what() : "no end");
    EXPECT_EQ(client.stats().connections_opened, 1u);
}

TEST_F(http_client_deadlines, an_idle_connection_leaves_no_work_on_the_io_context)
{
    // A waiting deadline would keep io_context::run going (for an hour here) after the last
    // request: a command that runs its io_context to the end would not exit.
    misbehaving_server server(conduct::answer);
    auto client = client_for(server, {.write = 3600s, .read = 3600s});
    auto r = send(client);
    ASSERT_TRUE(r && *r);
    io.run_for(20s);
    EXPECT_TRUE(io.stopped());
    EXPECT_EQ(client.stats().idle_connections, 1u);
}

}  // namespace
}  // namespace paymand::net
