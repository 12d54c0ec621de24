#pragma once

namespace paymand::net::detail {

// Called once a request has been written whole, before its response is read: the crash point
// "request_written" (include/paymand/core/crash_point.hpp). It lives in its own file so that
// `paymand-crashpoints` compiles only that file again with the crash points in, not the whole
// HTTP client; in `paymand` it does nothing.
void request_written() noexcept;

}  // namespace paymand::net::detail
