// Fuzzes the token endpoint response parser (and Retry-After). Input: "STATUS [Retry-After]"
// line, then the body. Promises: a success has a non-empty access token and a positive
// lifetime; a failure is not_sent with cleaned, bounded diagnostics.

#include "paymand/payman/protocol.hpp"
#include "protocol_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace paymand;
    auto res = fuzz::response_from(fuzz::as_text(data, size));
    auto r = payman::parse_token_response(res, fuzz::fixed_now());
    if (r) {
        fuzz::require(!r->access_token.empty(), "a token response has an access token");
        fuzz::require(r->expires_in.count() > 0, "a token lifetime is positive");
    } else {
        fuzz::require(r.error().kind == payman::error_class::not_sent,
                      "a token failure is not_sent");
        fuzz::check_error(r.error());
    }
    if (auto it = res.find(boost::beast::http::field::retry_after); it != res.end()) {
        auto delay = payman::parse_retry_after(it->value(), fuzz::fixed_now());
        if (delay) fuzz::require(delay->count() >= 0, "a Retry-After delay is never negative");
    }
    return 0;
}
