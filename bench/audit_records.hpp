#pragma once

// The audit records the benchmarks write: per occurrence a condition, an intent and a result
// (about 330 bytes a line), the mix a paying rule with a balance condition produces. Shared by
// bench/audit_bench.cpp and bench/tools/audit_fill.cpp so both measure the same log.

#include "paymand/audit/record.hpp"
#include "paymand/money/currency.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace paymand::bench {

inline audit::occurrence_ref ref_for(std::int64_t i)
{
    const auto utc = std::chrono::sys_seconds{std::chrono::seconds{1'780'000'000 + i * 3600}};
    return {fmt::format("rule-{}", i % 500), fmt::format("rule-{}@{}", i % 500, i), utc};
}

inline std::vector<audit::record_body> occurrence_records(std::int64_t i)
{
    const auto ref = ref_for(i);
    const auto tsd = *money::currency::find("TSD");
    return {
        audit::condition_record{ref, "balance of Main above 100.00 TSD", "Main",
                                money::amount(tsd, 500'000), std::nullopt, true},
        audit::intent_record{ref, "John Doe", money::amount(tsd, 10'000), "Main",
                             fmt::format("pm:{}", ref.occurrence), fmt::format("idem-{}", i),
                             "send 100.00 TSD to John Doe from wallet Main"},
        audit::result_record{ref, audit::outcome::completed, fmt::format("task-{}", i), "completed",
                             std::nullopt,
                             "I've sent 100.00 TSD to John Doe. The payment is complete."},
    };
}

}  // namespace paymand::bench
