#pragma once

// A loopback TCP proxy for fault tests: put between a paymand node and PostgreSQL or the
// sandbox, it listens on 127.0.0.1 on an ephemeral port and forwards each connection it
// accepts to a target on 127.0.0.1 (or a Unix socket), and the test switches it, at any time,
// between passing, a silent network, resets and delays. It runs on a thread of its own (its own
// io_context), so the test thread may block on the client side meanwhile.
//
// The mode setters are called from the test's thread (never from inside the proxy) and return
// once the mode is in effect for every connection, open or new.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>

namespace paymand::test {

class tcp_proxy {
public:
    // Forwards to 127.0.0.1:target_port.
    explicit tcp_proxy(std::uint16_t target_port);
    // Forwards to the Unix socket at `target_socket` (PostgreSQL's .s.PGSQL.<port>).
    explicit tcp_proxy(const std::filesystem::path& target_socket);
    // Resets every open connection (black-holed ones included), then joins its thread.
    ~tcp_proxy();
    tcp_proxy(const tcp_proxy&) = delete;
    tcp_proxy& operator=(const tcp_proxy&) = delete;

    // The port it listens on, on 127.0.0.1.
    std::uint16_t port() const { return port_; }

    // Forwards bytes as they come (the default). Bytes held by black_hole() or delay() go
    // first, in order.
    void pass();
    // A silent network: connections are accepted and read, nothing is forwarded either way,
    // and no end (EOF, reset) of one side reaches the other, so each peer sees a connection
    // that stays open and goes quiet. What is read is held, in order, and forwarded once the
    // proxy passes again (as TCP retransmits across a partition that heals).
    void black_hole();
    // Resets every open connection on both sides (SO_LINGER 0, so the peers get RST and read
    // ECONNRESET), and resets each new one as soon as it is accepted, while in this mode.
    void reset();
    // Forwards each direction's bytes `by` after they were read, order kept.
    void delay(std::chrono::milliseconds by);

    // Connections accepted (reset ones included) since the start.
    std::uint64_t accepted() const;
    // Bytes forwarded (written) to the target, and to the clients, since the start.
    std::uint64_t bytes_to_target() const;
    std::uint64_t bytes_to_client() const;

    // Its io_context, thread and connections (tcp_proxy.cpp).
    struct state;

private:
    std::unique_ptr<state> state_;
    std::uint16_t port_ = 0;
};

}  // namespace paymand::test
