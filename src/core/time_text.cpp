#include "paymand/core/time_text.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>

namespace paymand::core {
namespace {

using namespace std::chrono;

void put_digits(char* out, std::int64_t value, int width) noexcept
{
    for (int i = width - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
}

// "YYYY-MM-DDTHH:MM:SS" into out[0..19).
void put_date_time(char* out, sys_seconds t) noexcept
{
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss<seconds> hms{t - day};
    put_digits(out, static_cast<int>(ymd.year()), 4);
    out[4] = '-';
    put_digits(out + 5, static_cast<unsigned>(ymd.month()), 2);
    out[7] = '-';
    put_digits(out + 8, static_cast<unsigned>(ymd.day()), 2);
    out[10] = 'T';
    put_digits(out + 11, hms.hours().count(), 2);
    out[13] = ':';
    put_digits(out + 14, hms.minutes().count(), 2);
    out[16] = ':';
    put_digits(out + 17, hms.seconds().count(), 2);
}

bool get_digits(std::string_view s, std::size_t at, int width, int& value) noexcept
{
    value = 0;
    for (int i = 0; i < width; ++i) {
        const char c = s[at + static_cast<std::size_t>(i)];
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    return true;
}

std::optional<sys_seconds> get_date_time(std::string_view s) noexcept
{
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
    if (!get_digits(s, 0, 4, y) || s[4] != '-' || !get_digits(s, 5, 2, mo) || s[7] != '-' ||
        !get_digits(s, 8, 2, d) || s[10] != 'T' || !get_digits(s, 11, 2, h) || s[13] != ':' ||
        !get_digits(s, 14, 2, mi) || s[16] != ':' || !get_digits(s, 17, 2, se)) {
        return std::nullopt;
    }
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                             day{static_cast<unsigned>(d)}};
    if (y < 1 || !ymd.ok() || h > 23 || mi > 59 || se > 59) return std::nullopt;
    return sys_days{ymd} + hours{h} + minutes{mi} + seconds{se};
}

}  // namespace

void append_minute(std::string& out, int year, int month, int day, int hour, int minute,
                   bool compact)
{
    const auto two = [](int v) { return v >= 0 && v <= 99; };
    if (year < 0 || year > 9999 || !two(month) || !two(day) || !two(hour) || !two(minute)) {
        if (compact)
            fmt::format_to(std::back_inserter(out), "{:04}{:02}{:02}T{:02}{:02}", year, month, day,
                           hour, minute);
        else
            fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}", year, month,
                           day, hour, minute);
        return;
    }
    std::array<char, 16> text{};
    char* at = text.data();
    const auto put = [&](int value, int width, char after) {
        put_digits(at, value, width);
        at += width;
        if (after != '\0') *at++ = after;
    };
    put(year, 4, compact ? '\0' : '-');
    put(month, 2, compact ? '\0' : '-');
    put(day, 2, 'T');
    put(hour, 2, compact ? '\0' : ':');
    put(minute, 2, '\0');
    out.append(text.data(), at);
}

std::string format_ts(utc_micros t)
{
    std::string out(ts_length, '\0');
    const auto whole = floor<seconds>(t);
    put_date_time(out.data(), whole);
    out[19] = '.';
    put_digits(out.data() + 20, (t - whole).count(), 6);
    out[26] = 'Z';
    return out;
}

std::string format_utc_millis(system_clock::time_point t)
{
    std::string out(utc_millis_length, '\0');
    const auto ms = floor<milliseconds>(t);
    const auto whole = floor<seconds>(ms);
    put_date_time(out.data(), whole);
    out[19] = '.';
    put_digits(out.data() + 20, (ms - whole).count(), 3);
    out[23] = 'Z';
    return out;
}

std::string format_utc(utc_seconds t)
{
    std::string out(utc_length, '\0');
    put_date_time(out.data(), t);
    out[19] = 'Z';
    return out;
}

std::optional<utc_micros> parse_ts(std::string_view s) noexcept
{
    if (s.size() != ts_length || s[19] != '.' || s[26] != 'Z') return std::nullopt;
    const auto whole = get_date_time(s);
    int micros = 0;
    if (!whole || !get_digits(s, 20, 6, micros)) return std::nullopt;
    return utc_micros{*whole} + microseconds{micros};
}

std::optional<utc_seconds> parse_utc(std::string_view s) noexcept
{
    if (s.size() != utc_length || s[19] != 'Z') return std::nullopt;
    return get_date_time(s);
}

}  // namespace paymand::core
