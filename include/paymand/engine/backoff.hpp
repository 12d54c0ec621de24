#pragma once

// How long to wait before the next attempt of an ask that cannot have reached Payman:
// exponential backoff with full jitter (AWS's "full jitter"), honouring a server's
// Retry-After when it asks for longer. Pure: the random draw is passed in.

#include "paymand/config/daemon_config.hpp"
#include "paymand/engine/clock.hpp"
#include "paymand/payman/client_error.hpp"

#include <chrono>
#include <optional>

namespace paymand::engine {

// `attempt` is the number of attempts already made (1 after the first failure); `unit` is a
// uniform draw in [0, 1) scaled to 1,000,000 (so the function stays integer and pure).
std::chrono::milliseconds backoff_delay(const config::retry_config& retry, unsigned attempt,
                                        std::optional<std::chrono::seconds> retry_after,
                                        std::uint32_t unit);

// Whether a failed ask is asked again, and after how long: only failures that cannot have had
// an effect are retried (not sent; 429, refused before anything was done) and, for a read,
// anything but a rejection. A payment that may have reached Payman is never asked again.
// Nothing once `attempts` reach the configured maximum or the wait would end at or after
// `deadline`.
std::optional<std::chrono::milliseconds>
retry_delay(const config::retry_config& retry, const payman::client_error& failure,
            unsigned attempts, bool read_only, sys_time now, sys_time deadline, std::uint32_t unit);

}  // namespace paymand::engine
