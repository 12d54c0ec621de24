#include "paymand/engine/backoff.hpp"

#include <algorithm>

namespace paymand::engine {

std::chrono::milliseconds backoff_delay(const config::retry_config& retry, unsigned attempt,
                                        std::optional<std::chrono::seconds> retry_after,
                                        std::uint32_t unit)
{
    using std::chrono::milliseconds;
    const milliseconds cap = retry.max_delay;
    // initial * 2^(attempt-1), saturating at the cap without overflowing.
    milliseconds ceiling = retry.initial_delay;
    for (unsigned i = 1; i < attempt && ceiling < cap; ++i) ceiling *= 2;
    ceiling = std::min(ceiling, cap);
    auto jittered =
        milliseconds(ceiling.count() * static_cast<std::int64_t>(unit % 1'000'000) / 1'000'000);
    // Never hammer: at least a tenth of the ceiling, and never earlier than the server asked.
    jittered = std::max(jittered, ceiling / 10);
    if (retry_after) jittered = std::max<milliseconds>(jittered, *retry_after);
    return jittered;
}

std::optional<std::chrono::milliseconds>
retry_delay(const config::retry_config& retry, const payman::client_error& failure,
            unsigned attempts, bool read_only, sys_time now, sys_time deadline, std::uint32_t unit)
{
    const bool rate_limited = failure.http_status == 429;
    const bool retryable = failure.kind == payman::error_class::not_sent || rate_limited ||
                           (read_only && failure.kind == payman::error_class::unknown_outcome);
    if (!retryable || attempts >= retry.max_attempts) return std::nullopt;
    auto delay = backoff_delay(retry, attempts, failure.retry_after, unit);
    if (now + delay >= deadline) return std::nullopt;
    return delay;
}

}  // namespace paymand::engine
