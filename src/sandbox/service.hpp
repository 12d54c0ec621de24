#pragma once

// The sandbox's request handling, independent of sockets: an HTTP request in, a reply (and
// what the transport must do with it, for injected faults) out. The API (token endpoint,
// consent page, tasks.send) and the admin API share one `service`; it runs on one thread
// (the server's io_context) and is not thread-safe.

#include "sandbox/agent.hpp"
#include "sandbox/config.hpp"
#include "sandbox/faults.hpp"
#include "sandbox/request_log.hpp"
#include "sandbox/state.hpp"

#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::sandbox {

namespace http = boost::beast::http;

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

// What the transport does with a reply beyond writing it.
enum class transport_action {
    none,      // write the response
    delay,     // wait `delay`, then write the response
    reset,     // write nothing, reset the connection (RST)
    truncate,  // write the headers and half of the body, then close
    stall,     // write nothing and keep the connection open until the client leaves
};

struct reply {
    response message;
    transport_action action = transport_action::none;
    std::chrono::milliseconds delay{0};
};

struct service_stats {
    std::int64_t connections = 0;
    std::int64_t token = 0;
    std::int64_t tasks_send = 0;
    std::int64_t authorize = 0;
    std::int64_t other = 0;
    std::int64_t tokens_issued = 0;
};

class service {
public:
    using clock_fn = std::function<time_point()>;

    // `state_file`: where the ledger persists (loaded now if it exists); none keeps it in memory.
    // `clock`: the time source (the system clock when empty).
    service(sandbox_config config, std::optional<std::filesystem::path> state_file,
            clock_fn clock = {});

    // An error when loading the state file failed (unreadable or invalid); the service then
    // must not run.
    const core::result<void>& startup() const { return startup_; }

    // The path prefix of the API, as in Payman's base URL https://agent.payman.ai/api.
    static constexpr std::string_view base_path = "/api";

    reply handle_api(const request& req);
    reply handle_admin(const request& req);

    // Parses raw bytes as one HTTP/1.1 request (with the configured limits) and returns the
    // serialised response: the entry point for fuzzing. Malformed input yields a 400.
    std::string handle_bytes(std::string_view raw, bool admin = false);

    void count_connection() { ++stats_.connections; }
    const service_stats& stats() const { return stats_; }
    const sandbox_config& config() const { return config_; }
    const ledger_state& state() const { return state_; }
    // Every tasks.send request handled since the start or the last reset (GET /admin/requests).
    const request_log& requests() const { return requests_; }

    // Writes the state file now, or says why it could not. Without a scheduler (below)
    // this also happens after every change.
    core::result<void> persist();

    // Defers saving: after a change, `schedule` is called once (until flush()) and the caller
    // arranges for flush() to run soon, so a burst of payments costs one write, not one each.
    void defer_persistence(std::function<void()> schedule) { schedule_ = std::move(schedule); }
    // Writes the state if a deferred change is pending.
    void flush();

private:
    time_point now() const;
    void changed();
    std::string new_secret(std::string_view prefix);

    reply token_endpoint(const request& req);
    reply authorize_endpoint(const request& req);
    response consent_page(const client_config& client, const std::string& redirect_uri,
                          const std::vector<std::string>& scopes, const std::string* state,
                          const std::string* challenge) const;
    reply tasks_endpoint(const request& req);

    // handle_api without the request log; `applied` is the fault that hit the request.
    reply route_api(const request& req, std::optional<fault>& applied);
    // Appends a tasks.send request and what became of it to the request log.
    void log_tasks_request(const request& req, time_point arrival,
                           const std::optional<fault>& applied, const reply& answer);
    // The client whose valid access token the request carries; none when unauthenticated.
    std::optional<std::string> authenticated_client(const request& req) const;

    reply admin_ledger();
    reply admin_stats();
    reply admin_requests(std::string_view query);
    void reset();

    void apply_pre_fault(const fault& f);
    // A fault that answers instead of the endpoint (or changes state first: nothing).
    std::optional<reply> answer_with_fault(const fault& f, const request& req,
                                           const std::string& trace);
    // A fault that changes the endpoint's answer or how it is sent.
    void apply_post_fault(const fault& f, reply& r);
    // Rewrites an executed answer as a hostile server would (the forge_* and error_and_result
    // faults).
    void forge_answer(const fault& f, reply& r);

    sandbox_config config_;
    std::optional<std::filesystem::path> state_file_;
    clock_fn clock_;
    ledger_state state_;
    fault_table faults_;
    agent agent_;
    service_stats stats_;
    request_log requests_;
    core::result<void> startup_;
    std::uint64_t trace_counter_ = 0;
    std::function<void()> schedule_;
    bool dirty_ = false;
};

// Builds a response in Payman's documented error shape:
// {"status":401,"timestamp":"…","errorCode":"…","errorMessage":"…","traceId":"…"}.
response error_response(http::status status, std::string_view code, std::string_view message,
                        time_point now, std::string_view trace_id);

}  // namespace paymand::sandbox
