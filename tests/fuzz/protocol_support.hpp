#pragma once

// Turns fuzz input into an HTTP response for the Payman client's response parsers. The input
// is text so that seeds stay readable: a first line "STATUS [Retry-After value]", then the
// body (everything after the first '\n').

#include "fuzz_support.hpp"
#include "paymand/net/http_client.hpp"

#include <boost/beast/http/status.hpp>

#include <string>
#include <string_view>

namespace paymand::fuzz {

inline net::response response_from(std::string_view input)
{
    namespace http = boost::beast::http;
    auto eol = input.find('\n');
    std::string_view head = input.substr(0, eol);
    std::string_view body =
        eol == std::string_view::npos ? std::string_view{} : input.substr(eol + 1);
    unsigned status = 0;
    std::size_t i = 0;
    for (; i < head.size() && i < 3 && head[i] >= '0' && head[i] <= '9'; ++i)
        status = status * 10 + static_cast<unsigned>(head[i] - '0');
    if (status < 100 || status > 999) status = 200;
    net::response res{static_cast<http::status>(status), 11};
    if (i < head.size() && head[i] == ' ') res.set(http::field::retry_after, head.substr(i + 1));
    // As the client's parser delivers it; no prepare_payload(), which refuses a body on
    // 1xx/204/304 answers that a server may still send.
    res.body() = std::string(body);
    return res;
}

// The fixed "now" of every parse: responses are read against this instant.
inline std::chrono::system_clock::time_point fixed_now()
{
    return std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} + std::chrono::hours(8);
}

// The client's promise about error texts: its own words never empty, server text cleaned
// (no control characters) and bounded.
inline void check_error(const payman::client_error& e)
{
    require(!e.message.empty(), "an error explains itself in our words");
    require(e.diagnostics.size() <= payman::max_diagnostics_size, "diagnostics are bounded");
    for (unsigned char c : e.diagnostics)
        require(c >= 0x20 && c != 0x7f, "diagnostics hold no control characters");
    (void)e.what();
}

}  // namespace paymand::fuzz
