#pragma once

#include "paymand/schedule/schedule_errc.hpp"
#include "paymand/schedule/zone.hpp"

#include <boost/system/result.hpp>

#include <compare>
#include <string>
#include <string_view>

namespace paymand::schedule {

// The identity of one occurrence: the rule's id and the occurrence's local date-time in the
// rule's zone (minute precision). It is what the daemon fires exactly once. Ordering is by
// rule, then chronological by local time.
struct occurrence_id {
    std::string rule;
    local_minutes local;

    friend bool operator==(const occurrence_id&, const occurrence_id&) = default;
    friend std::strong_ordering operator<=>(const occurrence_id& a, const occurrence_id& b)
    {
        if (auto c = a.rule <=> b.rule; c != 0) return c;
        return a.local <=> b.local;
    }
};

// Whether `id` is a valid rule id: [a-z0-9][a-z0-9._-]{0,63}. Identity text relies on it (no
// '@' in an id, so the text splits unambiguously).
bool is_valid_rule_id(std::string_view id) noexcept;

// Stable text form "rent-john@2026-12-01T09:00" (rule id, '@', ISO 8601 local date-time to the
// minute, no zone). Years 0000-9999 only; outside that range the result is unspecified.
std::string to_string(const occurrence_id& id);

// Compact tag of the local date-time for payment memos: "20261201T0900".
std::string occurrence_tag(local_minutes local);

// Strict inverses: exactly the forms above (valid rule id, real calendar date, hour 00-23,
// minute 00-59); anything else fails with bad_identity and the offset of the first bad byte.
core::result<occurrence_id> parse_occurrence_id(std::string_view text);
core::result<local_minutes> parse_occurrence_tag(std::string_view text);

}  // namespace paymand::schedule
