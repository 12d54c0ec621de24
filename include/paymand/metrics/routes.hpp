#pragma once

// What the metrics endpoint answers to a request, decided without any I/O.

#include "paymand/metrics/health.hpp"
#include "paymand/metrics/registry.hpp"

#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>

#include <string>
#include <string_view>

namespace paymand::metrics {

struct http_answer {
    boost::beast::http::status status = boost::beast::http::status::ok;
    std::string content_type;
    std::string body;    // for HEAD still the full body: its length becomes Content-Length
    std::string allow;   // the Allow field of a 405, else empty
    bool close = false;  // the connection must close after this answer
};

// GET or HEAD of /metrics -> 200 with reg.render(); /healthz -> 200 "ok\n" or 503 with the
// reason from `health`; other paths 404; other methods 405 with "Allow: GET, HEAD". A request
// with a body is refused with 413 and the connection closed (bodies are never read). A query
// string is ignored.
http_answer route(boost::beast::http::verb method, std::string_view target, bool has_body,
                  const registry& reg, const health_fn& health);

}  // namespace paymand::metrics
