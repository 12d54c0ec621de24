#pragma once

// Deadlines and limits of the HTTP transport, one deadline per phase of a request.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>

namespace paymand::net {

struct phase_timeouts {
    std::chrono::milliseconds resolve{10'000};
    std::chrono::milliseconds connect{10'000};
    std::chrono::milliseconds tls_handshake{10'000};
    std::chrono::milliseconds write{10'000};
    // From the request written to the whole response read: the agent can take a while.
    std::chrono::milliseconds read{120'000};
};

struct http_config {
    phase_timeouts timeouts;
    // Responses above this many bytes (headers + body) are refused while reading.
    std::size_t max_response_bytes = 4 * 1024 * 1024;
    // Keep-alive pool: at most this many connections, in use or idle.
    std::size_t max_connections = 4;
    // An idle connection older than this is closed rather than reused (servers drop idle ones).
    std::chrono::milliseconds idle_timeout{15'000};
    // How long a request may wait for a pooled connection when all are busy.
    std::chrono::milliseconds connection_wait{30'000};
    // CA bundle for TLS instead of the system store (a private CA, the sandbox's test CA).
    std::optional<std::filesystem::path> ca_file;
};

}  // namespace paymand::net
