// Fuzzes the schedule parser (cron expressions and the friendly forms such as "monthly on
// day 1 at 09:00"). The first byte picks day_match/short_month options, the rest is the
// schedule text. Promises checked on every accepted schedule: its normalised text parses
// to the same calendar when reparsed, the next occurrence in zones with and without DST
// lies strictly after the start, and occurrences over a span come in order and in range.

#include "fuzz_support.hpp"
#include "paymand/schedule/calendar.hpp"
#include "paymand/schedule/occurrence.hpp"
#include "paymand/schedule/zone.hpp"

#include <array>
#include <chrono>

namespace {

using namespace paymand;

schedule::schedule_options options_from(std::uint8_t b)
{
    schedule::schedule_options o;
    switch (b & 3) {
    case 1:
        o.day_match = schedule::day_match_policy::any;
        break;
    case 2:
        o.day_match = schedule::day_match_policy::all;
        break;
    default:
        break;
    }
    switch ((b >> 2) & 3) {
    case 1:
        o.short_month = schedule::short_month_policy::last_day;
        break;
    case 2:
        o.short_month = schedule::short_month_policy::skip;
        break;
    default:
        break;
    }
    return o;
}

const std::array<schedule::zone, 3>& zones()
{
    static const std::array<schedule::zone, 3> z{*schedule::find_zone("UTC"),
                                                 *schedule::find_zone("Europe/Berlin"),
                                                 *schedule::find_zone("Australia/Lord_Howe")};
    return z;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) return 0;
    auto options = options_from(data[0]);
    auto text = fuzz::as_text(data + 1, size - 1);
    auto cal = schedule::parse_schedule(text, options);
    if (!cal) {
        fuzz::require(!cal.error().message.empty(), "a refusal says why");
        return 0;
    }
    fuzz::require(!cal->normalised().empty(), "an accepted schedule has a normalised text");
    // Plain cron normalised text is valid input and a fixed point (with the options the
    // calendar kept); the display-only extensions (L, MON#1, day_match=...) are refused.
    const std::string& n = cal->normalised();
    auto again = schedule::parse_schedule(n, {cal->day_match(), cal->short_month()});
    if (n.find_first_of("L#=") == std::string::npos) {
        fuzz::require(again.has_value(), "a plain normalised text parses again");
        fuzz::require(again->normalised() == n && *again == *cal,
                      "the normalised text is a fixed point");
    }

    // Around a spring-forward night in Berlin (2026-03-29) and far from any change.
    const std::array<std::chrono::sys_seconds, 2> starts{
        std::chrono::sys_days{std::chrono::year{2026} / 3 / 28},
        std::chrono::sys_days{std::chrono::year{2031} / 7 / 14} + std::chrono::hours(13)};
    for (const auto& z : zones()) {
        for (auto start : starts) {
            auto next = schedule::next_occurrence(*cal, z, start);
            fuzz::require(next.has_value(), "an accepted schedule fires again before 9999");
            fuzz::require(next->instant > start, "the next occurrence lies after the start");
            auto span =
                schedule::occurrences_between(*cal, z, start, start + std::chrono::days(40), 64);
            for (std::size_t i = 0; i < span.size(); ++i) {
                fuzz::require(span[i].instant >= start &&
                                  span[i].instant < start + std::chrono::days(40),
                              "occurrences_between stays in its range");
                if (i > 0)
                    fuzz::require(span[i - 1].instant <= span[i].instant,
                                  "occurrences come in instant order");
            }
            for (const auto& o : span)
                fuzz::require(o.instant <= start || o.instant >= next->instant,
                              "nothing after the start comes before next_occurrence");
        }
    }
    return 0;
}
