#include "app/time_args.hpp"

#include "paymand/audit/time_format.hpp"
#include "paymand/schedule/zone.hpp"

#include <fmt/format.h>

#include <sstream>

namespace paymand::app {

core::result<std::chrono::sys_seconds>
parse_instant_arg(std::string_view text, const date::time_zone* zone, bool day_after)
{
    if (auto utc = audit::parse_utc(text)) return *utc;
    const auto bad = core::error{
        .code = make_error_code(boost::system::errc::invalid_argument),
        .message = fmt::format("\"{}\" is neither a date (2026-12-01) nor a UTC time stamp "
                               "(2026-12-01T09:00:00Z)",
                               text)};
    if (text.size() != 10) return bad;
    std::istringstream in{std::string(text)};
    date::year_month_day day{};
    in >> date::parse("%Y-%m-%d", day);
    if (in.fail() || !day.ok() || in.peek() != std::char_traits<char>::eof()) return bad;
    auto local = date::local_days(day);
    if (day_after) local += date::days(1);
    if (zone == nullptr) return std::chrono::sys_seconds(local.time_since_epoch());
    // Midnight exists in every zone except where a transition skips it; then the first
    // instant after the gap, where the day begins. Read with paymand's zone code, which
    // knows the years after the TZif files' listed transitions (date/tz does not).
    auto z = schedule::find_zone(zone->name());
    if (!z) return z.error();
    auto info = z->local_info_at(date::local_seconds(local));
    if (info.result == date::local_info::nonexistent)
        return std::chrono::sys_seconds(info.second.begin);
    return std::chrono::sys_seconds((local - info.first.offset).time_since_epoch());
}

}  // namespace paymand::app
