// Fuzzes the tasks.send (JSON-RPC) response parser for request id "req-1", including the
// non-2xx classification. Input: "STATUS [Retry-After]" line, then the body. Promises: a
// success answers our request id and its reply text can be read; a failure carries cleaned,
// bounded diagnostics; a 2xx that is not a well-formed answer never reads as a success.

#include "paymand/payman/protocol.hpp"
#include "protocol_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace paymand;
    auto res = fuzz::response_from(fuzz::as_text(data, size));
    auto r = payman::parse_ask_response(res, "req-1", fuzz::fixed_now());
    if (r) {
        fuzz::require(res.result_int() >= 200 && res.result_int() < 300,
                      "only a 2xx answer is a success");
        fuzz::require(r->request_id == "req-1", "a success answers our request id");
        (void)r->reply_text();
    } else {
        fuzz::check_error(r.error());
        if (r.error().retry_after)
            fuzz::require(r.error().retry_after->count() >= 0, "Retry-After is never negative");
    }
    return 0;
}
