#include "paymand/metrics/routes.hpp"

#include "paymand/metrics/exposition.hpp"

namespace paymand::metrics {
namespace {

namespace http = boost::beast::http;

constexpr std::string_view plain_text = "text/plain; charset=utf-8";

http_answer text(http::status status, std::string body)
{
    return {.status = status, .content_type = std::string(plain_text), .body = std::move(body)};
}

}  // namespace

http_answer route(http::verb method, std::string_view target, bool has_body, const registry& reg,
                  const health_fn& health)
{
    if (has_body) {
        auto answer = text(http::status::payload_too_large, "request bodies are not accepted\n");
        answer.close = true;
        return answer;
    }
    if (method != http::verb::get && method != http::verb::head) {
        auto answer = text(http::status::method_not_allowed, "only GET and HEAD are allowed\n");
        answer.allow = "GET, HEAD";
        return answer;
    }
    const auto path = target.substr(0, target.find('?'));
    if (path == "/metrics") {
        return {.status = http::status::ok,
                .content_type = std::string(exposition_content_type),
                .body = reg.render()};
    }
    if (path == "/healthz") {
        auto status = health ? health() : health_status{};
        if (status.ok) return text(http::status::ok, "ok\n");
        if (status.reason.empty()) status.reason = "unhealthy";
        return text(http::status::service_unavailable, status.reason + "\n");
    }
    return text(http::status::not_found, "not found; try /metrics or /healthz\n");
}

}  // namespace paymand::metrics
