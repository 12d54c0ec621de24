#pragma once

#include "paymand/schedule/calendar.hpp"
#include "paymand/schedule/occurrence.hpp"
#include "paymand/schedule/zone.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::schedule::test {

inline std::chrono::sys_seconds utc(int y, unsigned mo, unsigned d, unsigned h = 0, unsigned mi = 0,
                                    unsigned s = 0)
{
    return date::sys_days{date::year{y} / mo / d} + std::chrono::hours{h} +
           std::chrono::minutes{mi} + std::chrono::seconds{s};
}

inline local_minutes local(int y, unsigned mo, unsigned d, unsigned h = 0, unsigned mi = 0)
{
    return date::local_days{date::year{y} / mo / d} + std::chrono::hours{h} +
           std::chrono::minutes{mi};
}

// A calendar that must parse; a failure is reported with the parser's message.
inline calendar cal(std::string_view text, const schedule_options& options = {})
{
    auto r = parse_schedule(text, options);
    if (!r) {
        ADD_FAILURE() << "'" << text << "' did not parse: " << r.error().message;
        return parse_schedule("* * * * *").value();
    }
    return *r;
}

inline zone tz(std::string_view name)
{
    return find_zone(name).value();
}

// A calendar's policies left unset.
inline constexpr std::optional<day_match_policy> no_match;
inline constexpr std::optional<short_month_policy> no_short;

inline std::string show(std::chrono::sys_seconds t)
{
    return date::format("%F %T UTC", t);
}
inline std::string show(local_minutes t)
{
    return date::format("%F %R", t);
}

}  // namespace paymand::schedule::test
