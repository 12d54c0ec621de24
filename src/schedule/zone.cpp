#include "paymand/schedule/zone.hpp"

#include <fmt/format.h>

#include <exception>
#include <optional>
#include <string>

namespace paymand::schedule {
namespace {

schedule_error make_error(schedule_errc code, std::size_t offset, std::string message)
{
    return schedule_error{make_error_code(code), offset, std::move(message)};
}

// IANA names are ASCII letters, digits, '/', '_', '-', '+'; no empty or dot-dot components.
// Checking first keeps arbitrary text away from the tzdata lookup.
std::optional<std::size_t> bad_name_char(std::string_view name) noexcept
{
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '-' || c == '+';
        if (!ok) return i;
        if (c == '/' && (i == 0 || i + 1 == name.size() || name[i + 1] == '/')) return i;
    }
    return std::nullopt;
}

constexpr date::year listed_until{2037};

// How far back to answer a time in `y` from: whole 28-year cycles, landing in 2009..2036.
date::days cycle_shift(date::year y) noexcept
{
    if (y <= listed_until - date::years{1}) return date::days{0};
    const int cycles = (static_cast<int>(y) - 2036 + 27) / 28;
    const date::year back = y - date::years{28 * cycles};
    return date::sys_days{y / 1 / 1} - date::sys_days{back / 1 / 1};
}

date::sys_info moved(date::sys_info info, date::days shift)
{
    // The far end of the last listed period stays where it is (the end of time).
    const auto far = date::sys_days{date::year{9000} / 1 / 1};
    info.begin += shift;
    if (info.end < far) info.end += shift;
    return info;
}

}  // namespace

zone::zone(const date::time_zone* tz) : tz_(tz)
{
    const auto last = tz_->get_info(date::sys_days{date::year{2038} / 1 / 1});
    extrapolate_ = date::year_month_day{date::floor<date::days>(last.begin)}.year() == listed_until;
}

date::sys_info zone::sys_info_at(std::chrono::sys_seconds t) const
{
    if (!extrapolate_) return tz_->get_info(t);
    const auto shift = cycle_shift(date::year_month_day{date::floor<date::days>(t)}.year());
    if (shift == date::days{0}) return tz_->get_info(t);
    return moved(tz_->get_info(t - shift), shift);
}

date::local_info zone::local_info_at(date::local_seconds t) const
{
    if (!extrapolate_) return tz_->get_info(t);
    const auto shift = cycle_shift(date::year_month_day{date::floor<date::days>(t)}.year());
    if (shift == date::days{0}) return tz_->get_info(t);
    auto info = tz_->get_info(t - shift);
    info.first = moved(info.first, shift);
    info.second = moved(info.second, shift);
    return info;
}

std::chrono::sys_seconds zone::resolve(local_minutes t) const
{
    const date::local_seconds local{t.time_since_epoch()};
    // `first` is the offset in force before a gap or the earlier reading of a fold, so one
    // subtraction gives both DST rules.
    const auto info = local_info_at(local);
    return std::chrono::sys_seconds{local.time_since_epoch() - info.first.offset};
}

local_minutes zone::to_local(std::chrono::sys_seconds t) const
{
    const auto info = sys_info_at(t);
    return date::floor<std::chrono::minutes>(
        date::local_seconds{t.time_since_epoch() + info.offset});
}

boost::system::result<zone, schedule_error> find_zone(std::string_view name) noexcept
{
    const auto unknown = [name](std::size_t offset) {
        return make_error(schedule_errc::unknown_time_zone, offset,
                          fmt::format("unknown time zone '{}'; use an IANA name from the system's "
                                      "tzdata such as Europe/Berlin, America/New_York or UTC",
                                      name));
    };
    if (name.empty()) {
        return make_error(schedule_errc::unknown_time_zone, 0,
                          "empty time zone name; use an IANA name such as Europe/Berlin or UTC");
    }
    if (name == "localtime") {
        return make_error(schedule_errc::host_time_zone, 0,
                          "time zone 'localtime' is the host's zone, which paymand never uses; "
                          "name the zone, e.g. Europe/Berlin or UTC");
    }
    if (auto bad = bad_name_char(name)) return unknown(*bad);
    try {
        return zone(date::locate_zone(std::string(name)));
    } catch (const std::exception&) {
        return unknown(0);
    }
}

}  // namespace paymand::schedule
