#include "support/tcp_proxy.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <deque>
#include <functional>
#include <future>
#include <thread>
#include <vector>

namespace paymand::test {

namespace asio = boost::asio;
using boost::system::error_code;
using generic_socket = asio::generic::stream_protocol::socket;
using generic_endpoint = asio::generic::stream_protocol::endpoint;
using steady = std::chrono::steady_clock;

namespace {

enum class proxy_mode { pass, black_hole, reset, delay };

// What one side read, in the order read: bytes, its end (EOF), or its failure (a reset).
struct chunk {
    enum class kind { data, eof, failure };
    kind what = kind::data;
    std::vector<char> bytes;
    steady::time_point read_at;
};

// One direction of a connection: what was read and not yet forwarded, and the timer its
// writer sleeps on until there is something to forward (or a delay runs out).
struct pipe {
    explicit pipe(asio::io_context& ctx) : wake(ctx) {}
    std::deque<chunk> held;
    asio::steady_timer wake;
};

struct connection {
    connection(asio::io_context& ctx, generic_socket accepted)
        : client(std::move(accepted)), target(ctx), up(ctx), down(ctx)
    {
    }
    generic_socket client;
    generic_socket target;
    pipe up;    // client -> target
    pipe down;  // target -> client
    bool closed = false;
};

// Closes a socket so that its peer reads ECONNRESET (SO_LINGER 0: RST instead of FIN).
void reset_socket(generic_socket& socket)
{
    error_code ec;
    if (!socket.is_open()) return;
    socket.set_option(asio::socket_base::linger(true, 0), ec);
    socket.close(ec);
}

// Resets both sides and wakes the connection's coroutines, which then end.
void abort_connection(connection& c)
{
    if (c.closed) return;
    c.closed = true;
    reset_socket(c.client);
    reset_socket(c.target);
    c.up.wake.cancel();
    c.down.wake.cancel();
}

}  // namespace

struct tcp_proxy::state {
    explicit state(generic_endpoint to)
        : target(std::move(to)),
          acceptor(ctx, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0))
    {
    }

    asio::io_context ctx;
    generic_endpoint target;
    asio::ip::tcp::acceptor acceptor;
    // Touched on the proxy's thread only (the setters post their change there).
    proxy_mode mode = proxy_mode::pass;
    std::chrono::milliseconds delay{0};
    std::vector<std::weak_ptr<connection>> connections;
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> to_target{0};
    std::atomic<std::uint64_t> to_client{0};
    std::thread thread;

    // Runs `change` on the proxy's thread and returns once it has run.
    void apply(const std::function<void()>& change)
    {
        std::promise<void> done;
        asio::post(ctx, [&] {
            change();
            done.set_value();
        });
        done.get_future().wait();
    }

    template <class Visit>
    void for_each_connection(Visit visit)
    {
        std::erase_if(connections, [](const auto& weak) { return weak.expired(); });
        for (const auto& weak : connections)
            if (auto c = weak.lock()) visit(*c);
    }

    void wake_all()
    {
        for_each_connection([](connection& c) {
            c.up.wake.cancel();
            c.down.wake.cancel();
        });
    }
};

namespace {

// Coroutines take their arguments by value or as pointers (see docs/development.md on GCC
// 12): the state outlives them all (the destructor joins the thread they run on).

// Reads one side into its pipe until that side ends; the end is held like any bytes.
asio::awaitable<void> read_side(std::shared_ptr<connection> c, bool upstream)
{
    generic_socket& from = upstream ? c->client : c->target;
    pipe& into = upstream ? c->up : c->down;
    std::array<char, 16 * 1024> buffer;
    for (;;) {
        error_code ec;
        const auto n = co_await from.async_read_some(asio::buffer(buffer),
                                                     asio::redirect_error(asio::use_awaitable, ec));
        if (c->closed) co_return;
        chunk read;
        read.read_at = steady::now();
        if (ec == asio::error::eof)
            read.what = chunk::kind::eof;
        else if (ec)
            read.what = chunk::kind::failure;
        else
            read.bytes.assign(buffer.data(), buffer.data() + n);
        into.held.push_back(std::move(read));
        into.wake.cancel();
        if (ec) co_return;
    }
}

// Forwards what one side read to the other, as the mode allows: at once, after the delay,
// or not at all for now (black hole).
asio::awaitable<void> write_side(tcp_proxy::state* s, std::shared_ptr<connection> c, bool upstream)
{
    generic_socket& to = upstream ? c->target : c->client;
    pipe& from = upstream ? c->up : c->down;
    std::atomic<std::uint64_t>& forwarded = upstream ? s->to_target : s->to_client;
    for (;;) {
        if (c->closed) co_return;
        auto sleep_until = steady::time_point::max();
        bool ready = !from.held.empty() && s->mode != proxy_mode::black_hole;
        if (ready && s->mode == proxy_mode::delay) {
            const auto due = from.held.front().read_at + s->delay;
            if (steady::now() < due) {
                ready = false;
                sleep_until = due;
            }
        }
        if (!ready) {
            error_code ec;
            from.wake.expires_at(sleep_until);
            co_await from.wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        chunk next = std::move(from.held.front());
        from.held.pop_front();
        if (next.what == chunk::kind::failure) {
            abort_connection(*c);
            co_return;
        }
        error_code ec;
        if (next.what == chunk::kind::eof) {
            to.shutdown(asio::socket_base::shutdown_send, ec);
            co_return;
        }
        co_await asio::async_write(to, asio::buffer(next.bytes),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            abort_connection(*c);
            co_return;
        }
        forwarded += next.bytes.size();
    }
}

// Connects the target side, then runs both directions.
asio::awaitable<void> run_connection(tcp_proxy::state* s, std::shared_ptr<connection> c)
{
    error_code ec;
    co_await c->target.async_connect(s->target, asio::redirect_error(asio::use_awaitable, ec));
    if (c->closed) co_return;
    if (ec) {
        abort_connection(*c);
        co_return;
    }
    for (bool upstream : {true, false}) {
        asio::co_spawn(s->ctx, read_side(c, upstream), asio::detached);
        asio::co_spawn(s->ctx, write_side(s, c, upstream), asio::detached);
    }
}

asio::awaitable<void> accept_loop(tcp_proxy::state* s)
{
    for (;;) {
        generic_socket client(s->ctx);
        error_code ec;
        co_await s->acceptor.async_accept(client, asio::redirect_error(asio::use_awaitable, ec));
        if (!s->acceptor.is_open()) co_return;
        if (ec) continue;
        ++s->accepted;
        if (s->mode == proxy_mode::reset) {
            reset_socket(client);
            continue;
        }
        auto c = std::make_shared<connection>(s->ctx, std::move(client));
        s->for_each_connection([](connection&) {});
        s->connections.push_back(c);
        asio::co_spawn(s->ctx, run_connection(s, std::move(c)), asio::detached);
    }
}

void start(tcp_proxy::state& s)
{
    asio::co_spawn(s.ctx, accept_loop(&s), asio::detached);
    s.thread = std::thread([&s] { s.ctx.run(); });
}

}  // namespace

tcp_proxy::tcp_proxy(std::uint16_t target_port)
    : state_(std::make_unique<state>(
          asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), target_port))),
      port_(state_->acceptor.local_endpoint().port())
{
    start(*state_);
}

tcp_proxy::tcp_proxy(const std::filesystem::path& target_socket)
    : state_(std::make_unique<state>(asio::local::stream_protocol::endpoint(target_socket))),
      port_(state_->acceptor.local_endpoint().port())
{
    start(*state_);
}

tcp_proxy::~tcp_proxy()
{
    // With the acceptor closed and every connection aborted, every coroutine ends and run()
    // returns: nothing is left to destroy half-way.
    auto* s = state_.get();
    asio::post(s->ctx, [s] {
        error_code ec;
        s->acceptor.close(ec);
        s->for_each_connection(abort_connection);
    });
    s->thread.join();
}

void tcp_proxy::pass()
{
    auto* s = state_.get();
    s->apply([s] {
        s->mode = proxy_mode::pass;
        s->wake_all();
    });
}

void tcp_proxy::black_hole()
{
    auto* s = state_.get();
    s->apply([s] { s->mode = proxy_mode::black_hole; });
}

void tcp_proxy::reset()
{
    auto* s = state_.get();
    s->apply([s] {
        s->mode = proxy_mode::reset;
        s->for_each_connection(abort_connection);
    });
}

void tcp_proxy::delay(std::chrono::milliseconds by)
{
    auto* s = state_.get();
    s->apply([s, by] {
        s->mode = proxy_mode::delay;
        s->delay = by;
        s->wake_all();
    });
}

std::uint64_t tcp_proxy::accepted() const
{
    return state_->accepted;
}

std::uint64_t tcp_proxy::bytes_to_target() const
{
    return state_->to_target;
}

std::uint64_t tcp_proxy::bytes_to_client() const
{
    return state_->to_client;
}

}  // namespace paymand::test
