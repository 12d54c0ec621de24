#include "paymand/schedule/catchup.hpp"
#include "paymand/schedule/overlap.hpp"
#include "paymand/schedule/schedule_options.hpp"

namespace paymand::schedule {

std::optional<day_match_policy> parse_day_match(std::string_view text) noexcept
{
    if (text == "any") return day_match_policy::any;
    if (text == "all") return day_match_policy::all;
    return std::nullopt;
}

std::optional<short_month_policy> parse_short_month(std::string_view text) noexcept
{
    if (text == "last_day") return short_month_policy::last_day;
    if (text == "skip") return short_month_policy::skip;
    return std::nullopt;
}

std::string_view to_string(day_match_policy p) noexcept
{
    return p == day_match_policy::any ? "any" : "all";
}

std::string_view to_string(short_month_policy p) noexcept
{
    return p == short_month_policy::last_day ? "last_day" : "skip";
}

std::optional<overlap_policy> parse_overlap(std::string_view text) noexcept
{
    if (text == "queue") return overlap_policy::queue;
    if (text == "skip") return overlap_policy::skip;
    return std::nullopt;
}

std::string_view to_string(overlap_policy p) noexcept
{
    return p == overlap_policy::queue ? "queue" : "skip";
}

std::optional<catchup_policy> parse_catchup(std::string_view text) noexcept
{
    if (text == "each") return catchup_policy::each;
    if (text == "latest") return catchup_policy::latest;
    if (text == "none") return catchup_policy::none;
    return std::nullopt;
}

std::string_view to_string(catchup_policy p) noexcept
{
    switch (p) {
    case catchup_policy::each:
        return "each";
    case catchup_policy::latest:
        return "latest";
    case catchup_policy::none:
        return "none";
    }
    return "each";
}

std::string_view to_string(missed_reason r) noexcept
{
    switch (r) {
    case missed_reason::outside_window:
        return "outside_window";
    case missed_reason::superseded:
        return "superseded";
    case missed_reason::catchup_none:
        return "catchup_none";
    case missed_reason::run_cap:
        return "run_cap";
    }
    return "outside_window";
}

}  // namespace paymand::schedule
