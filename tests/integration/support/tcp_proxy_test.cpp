// The loopback proxy of the multi-node fault tests (tests/support/tcp_proxy.hpp), each mode
// observed from a client's side with an echo server behind the proxy.

#include "support/poll.hpp"
#include "support/process.hpp"
#include "support/tcp_proxy.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace paymand::test {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using steady = std::chrono::steady_clock;

template <class Protocol>
asio::awaitable<void> echo(typename Protocol::socket socket)
{
    std::array<char, 4096> buffer;
    for (;;) {
        error_code ec;
        const auto n = co_await socket.async_read_some(
            asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        co_await asio::async_write(socket, asio::buffer(buffer.data(), n),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
    }
}

template <class Protocol>
asio::awaitable<void> accept_echoes(typename Protocol::acceptor* acceptor)
{
    for (;;) {
        error_code ec;
        typename Protocol::socket socket(acceptor->get_executor());
        co_await acceptor->async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        asio::co_spawn(acceptor->get_executor(), echo<Protocol>(std::move(socket)), asio::detached);
    }
}

// An echo server on 127.0.0.1 (tcp) or a Unix socket (local::stream_protocol), on a thread.
template <class Protocol>
class echo_server {
public:
    explicit echo_server(typename Protocol::endpoint at) : acceptor_(ctx_, at)
    {
        asio::co_spawn(ctx_, accept_echoes<Protocol>(&acceptor_), asio::detached);
        thread_ = std::thread([this] { ctx_.run(); });
    }
    ~echo_server()
    {
        ctx_.stop();
        thread_.join();
    }
    echo_server(const echo_server&) = delete;
    echo_server& operator=(const echo_server&) = delete;

    typename Protocol::endpoint endpoint() const { return acceptor_.local_endpoint(); }

private:
    asio::io_context ctx_;
    typename Protocol::acceptor acceptor_;
    std::thread thread_;
};

using tcp_echo = echo_server<asio::ip::tcp>;
using unix_echo = echo_server<asio::local::stream_protocol>;

std::uint16_t loopback_port(const tcp_echo& server)
{
    return server.endpoint().port();
}

// A blocking client of the proxy: the side a paymand node would see.
class client {
public:
    explicit client(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))
    {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || ::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0)
            throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " +
                                     std::strerror(errno));
    }
    ~client() { ::close(fd_); }
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    void send(std::string_view bytes)
    {
        ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
                  static_cast<ssize_t>(bytes.size()))
            << std::strerror(errno);
    }

    // What a read of `size` bytes came to within `timeout`.
    struct received {
        std::string bytes;
        bool timed_out = false;
        bool eof = false;
        int error = 0;  // errno of a failed read (ECONNRESET)
    };
    received read(std::size_t size, std::chrono::milliseconds timeout = 5s)
    {
        received got;
        const auto until = steady::now() + timeout;
        while (got.bytes.size() < size) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(until - steady::now());
            pollfd readable{.fd = fd_, .events = POLLIN, .revents = 0};
            if (left.count() <= 0 || ::poll(&readable, 1, static_cast<int>(left.count())) == 0) {
                got.timed_out = true;
                return got;
            }
            std::array<char, 4096> buffer;
            const auto n = ::recv(fd_, buffer.data(), std::min(buffer.size(), size), 0);
            if (n < 0) {
                got.error = errno;
                return got;
            }
            if (n == 0) {
                got.eof = true;
                return got;
            }
            got.bytes.append(buffer.data(), static_cast<std::size_t>(n));
        }
        return got;
    }

    // Sends `bytes` and reads them back; returns what came back.
    std::string round_trip(std::string_view bytes, std::chrono::milliseconds timeout = 5s)
    {
        send(bytes);
        return read(bytes.size(), timeout).bytes;
    }

private:
    int fd_;
};

// Long enough for a loopback round trip on a loaded machine, short enough for a fast test.
constexpr auto quiet = 200ms;

// An echo server behind a proxy, and a client `a` that has seen bytes pass through it.
class tcp_proxy_modes : public testing::Test {
protected:
    void SetUp() override { ASSERT_EQ(a.round_trip("before"), "before"); }

    tcp_echo server{{asio::ip::address_v4::loopback(), 0}};
    tcp_proxy proxy{loopback_port(server)};
    client a{proxy.port()};
};

TEST(tcp_proxy, passes_bytes_both_ways_and_counts_them)
{
    tcp_echo server({asio::ip::address_v4::loopback(), 0});
    tcp_proxy proxy(loopback_port(server));
    client a(proxy.port());
    EXPECT_EQ(a.round_trip("hello"), "hello");
    client b(proxy.port());
    EXPECT_EQ(b.round_trip("world!"), "world!");
    EXPECT_EQ(proxy.accepted(), 2u);
    EXPECT_TRUE(eventually([&] { return proxy.bytes_to_client() == 11; }));
    EXPECT_EQ(proxy.bytes_to_target(), 11u);
}

TEST(tcp_proxy, forwards_to_a_unix_socket)
{
    temp_dir dir;
    unix_echo server(asio::local::stream_protocol::endpoint((dir / "echo.sock").string()));
    tcp_proxy proxy(dir / "echo.sock");
    client a(proxy.port());
    EXPECT_EQ(a.round_trip("over a unix socket"), "over a unix socket");
}

TEST_F(tcp_proxy_modes, black_hole_keeps_the_connection_open_and_silent_until_it_passes_again)
{

    proxy.black_hole();
    a.send("during");
    const auto silent = a.read(6, quiet);
    EXPECT_TRUE(silent.timed_out);
    EXPECT_EQ(silent.bytes, "");
    EXPECT_EQ(silent.error, 0);
    EXPECT_FALSE(silent.eof);
    EXPECT_EQ(proxy.bytes_to_target(), 6u);
    // A new connection is accepted, and silent too.
    client b(proxy.port());
    b.send("new");
    EXPECT_TRUE(b.read(3, quiet).timed_out);

    // Healed: what was held arrives, in order, on the same connections.
    proxy.pass();
    EXPECT_EQ(a.read(6).bytes, "during");
    EXPECT_EQ(a.round_trip("after"), "after");
    EXPECT_EQ(b.read(3).bytes, "new");
    EXPECT_EQ(proxy.accepted(), 2u);
}

TEST_F(tcp_proxy_modes, reset_resets_open_connections_and_new_ones_until_it_passes_again)
{

    proxy.reset();
    EXPECT_EQ(a.read(1).error, ECONNRESET);
    client b(proxy.port());
    EXPECT_EQ(b.read(1).error, ECONNRESET);

    proxy.pass();
    client c(proxy.port());
    EXPECT_EQ(c.round_trip("after"), "after");
    EXPECT_EQ(proxy.accepted(), 3u);
}

TEST_F(tcp_proxy_modes, delay_holds_each_direction_in_order_and_pass_ends_it)
{

    const auto by = 100ms;
    proxy.delay(by);
    const auto start = steady::now();
    a.send("one,");
    a.send("two,");
    a.send("three");
    EXPECT_EQ(a.read(13).bytes, "one,two,three");
    // Delayed on the way there and on the way back.
    EXPECT_GE(steady::now() - start, 2 * by);

    proxy.pass();
    const auto again = steady::now();
    EXPECT_EQ(a.round_trip("after"), "after");
    EXPECT_LT(steady::now() - again, 2 * by);
}

TEST(tcp_proxy, a_target_that_refuses_is_a_reset_for_the_client)
{
    std::uint16_t closed_port = 0;
    {
        tcp_echo gone({asio::ip::address_v4::loopback(), 0});
        closed_port = loopback_port(gone);
    }
    tcp_proxy proxy(closed_port);
    client a(proxy.port());
    EXPECT_EQ(a.read(1).error, ECONNRESET);
}

TEST(tcp_proxy, stops_at_once_with_connections_stuck_in_black_hole)
{
    tcp_echo server({asio::ip::address_v4::loopback(), 0});
    auto proxy = std::make_unique<tcp_proxy>(loopback_port(server));
    client a(proxy->port());
    ASSERT_EQ(a.round_trip("before"), "before");
    proxy->black_hole();
    a.send("held");

    const auto start = steady::now();
    proxy.reset();
    EXPECT_LT(steady::now() - start, quiet);
    EXPECT_EQ(a.read(1).error, ECONNRESET);
}

}  // namespace
}  // namespace paymand::test
