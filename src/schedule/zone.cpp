#include "paymand/schedule/zone.hpp"

#include "paymand/schedule/posix_tz.hpp"
#include "paymand/text/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace paymand::schedule {

namespace detail {

// One local time type of a TZif file.
struct zone_type {
    std::chrono::seconds offset{};
    bool dst = false;
    std::string abbrev;
};

// What a TZif version 2+ file says: transitions (64-bit data block) and the footer rule.
struct zone_data {
    std::vector<std::chrono::sys_seconds> times;  // ascending
    std::vector<std::uint16_t> type_of;           // the type in force from times[i] on
    std::vector<zone_type> types;
    posix_tz rule;  // after the last transition
};

}  // namespace detail

namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

// date/tz's own directory with USE_OS_TZDB on Debian.
constexpr std::string_view zoneinfo_dir = "/usr/share/zoneinfo/";

const sys_seconds time_line_begin = date::sys_days{date::year{-32767} / 1 / 1};

core::error make_error(schedule_errc code, std::size_t offset, std::string message)
{
    return core::error{make_error_code(code), offset, std::move(message)};
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

// Reads big-endian fields of a TZif file (RFC 8536), refusing to run past its end.
class tzif_reader {
public:
    explicit tzif_reader(std::string bytes) : b_(std::move(bytes)) {}

    bool has(std::size_t n) const noexcept { return b_.size() - i_ >= n && i_ <= b_.size(); }
    std::size_t position() const noexcept { return i_; }
    void skip(std::size_t n) noexcept { i_ += n; }
    std::string_view rest() const noexcept { return std::string_view(b_).substr(i_); }
    std::string_view take(std::size_t n) noexcept
    {
        auto s = std::string_view(b_).substr(i_, n);
        i_ += n;
        return s;
    }
    std::int64_t be(std::size_t n) noexcept
    {
        std::uint64_t v = 0;
        for (std::size_t k = 0; k < n; ++k) v = v << 8 | static_cast<unsigned char>(b_[i_ + k]);
        i_ += n;
        if (n == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
        return static_cast<std::int64_t>(v);
    }

private:
    std::string b_;
    std::size_t i_ = 0;
};

struct tzif_counts {
    std::int64_t isut, isstd, leap, time, type, chars;
};

// Until when the footer rule's changes are listed like the file's own transitions, so that
// an instant before then costs one binary search; later ones are answered by the rule itself.
const sys_seconds extended_until = date::sys_days{date::year{2200} / 1 / 1};

// Appends the footer rule's changes after the last listed transition up to extended_until.
void extend_with_rule(detail::zone_data& data)
{
    if (!data.rule.dst) return;
    sys_seconds t = data.times.empty() ? sys_seconds{} : data.times.back();
    while (true) {
        const auto period = data.rule.info_at(t);
        if (period.end >= extended_until) return;
        t = period.end;
        const auto next = data.rule.info_at(t);
        detail::zone_type type{next.offset, next.save != std::chrono::minutes{0}, next.abbrev};
        auto it = std::find_if(data.types.begin(), data.types.end(), [&type](const auto& x) {
            return x.offset == type.offset && x.dst == type.dst && x.abbrev == type.abbrev;
        });
        if (it == data.types.end()) {
            data.types.push_back(std::move(type));
            it = data.types.end() - 1;
        }
        data.times.push_back(t);
        data.type_of.push_back(static_cast<std::uint16_t>(it - data.types.begin()));
    }
}

boost::system::result<detail::zone_data, std::string> parse_tzif(std::string bytes)
{
    tzif_reader in(std::move(bytes));
    const auto header = [&in]() -> std::optional<tzif_counts> {
        if (!in.has(44) || in.take(4) != "TZif") return std::nullopt;
        in.skip(16);  // version, reserved
        tzif_counts c{in.be(4), in.be(4), in.be(4), in.be(4), in.be(4), in.be(4)};
        if (c.isut < 0 || c.isstd < 0 || c.leap < 0 || c.time < 0 || c.type < 1 || c.type > 256 ||
            c.chars < 0)
            return std::nullopt;
        return c;
    };
    if (!in.has(5) || in.rest().substr(0, 4) != "TZif") return std::string("not a TZif file");
    const char version = in.rest()[4];
    if (version < '2') return std::string("TZif version 1 has no rule for later times");
    auto v1 = header();
    if (!v1) return std::string("bad TZif header");
    const std::size_t v1_size = static_cast<std::size_t>(v1->time * 5 + v1->type * 6 + v1->chars +
                                                         v1->leap * 8 + v1->isstd + v1->isut);
    if (!in.has(v1_size)) return std::string("truncated TZif file");
    in.skip(v1_size);
    auto c = header();
    if (!c) return std::string("bad TZif version 2 header");
    if (c->leap != 0) return std::string("the file lists leap seconds (a right/ zone)");
    const std::size_t size =
        static_cast<std::size_t>(c->time * 9 + c->type * 6 + c->chars + c->isstd + c->isut);
    if (!in.has(size)) return std::string("truncated TZif file");
    detail::zone_data data;
    for (std::int64_t i = 0; i < c->time; ++i) data.times.emplace_back(seconds{in.be(8)});
    for (std::int64_t i = 0; i < c->time; ++i) {
        const auto t = in.be(1);
        if (t >= c->type) return std::string("transition to an undefined type");
        data.type_of.push_back(static_cast<std::uint16_t>(t));
    }
    std::vector<std::size_t> abbrev_index;
    for (std::int64_t i = 0; i < c->type; ++i) {
        detail::zone_type type;
        type.offset = seconds{in.be(4)};
        type.dst = in.be(1) != 0;
        abbrev_index.push_back(static_cast<std::size_t>(in.be(1)));
        data.types.push_back(std::move(type));
    }
    const std::string chars(in.take(static_cast<std::size_t>(c->chars)));
    for (std::size_t i = 0; i < data.types.size(); ++i) {
        if (abbrev_index[i] >= chars.size()) return std::string("bad abbreviation index");
        data.types[i].abbrev = chars.substr(abbrev_index[i]);
        data.types[i].abbrev.resize(data.types[i].abbrev.find('\0'));
    }
    in.skip(static_cast<std::size_t>(c->isstd + c->isut));
    if (!std::is_sorted(data.times.begin(), data.times.end()))
        return std::string("transitions out of order");
    const auto footer = in.rest();
    if (footer.size() < 2 || footer.front() != '\n' || footer.find('\n', 1) == footer.npos)
        return std::string("no footer line");
    const auto text = footer.substr(1, footer.find('\n', 1) - 1);
    if (text.empty()) {
        return std::string("its footer has no TZ rule, so local time after the last listed "
                           "transition is unknown");
    }
    auto rule = parse_posix_tz(text);
    if (!rule) return rule.error().message;
    data.rule = std::move(*rule);
    extend_with_rule(data);
    return data;
}

date::sys_info listed_info(const detail::zone_type& type, sys_seconds begin, sys_seconds end)
{
    date::sys_info info;
    info.begin = begin;
    info.end = end;
    info.offset = type.offset;
    info.save = std::chrono::minutes{type.dst ? 60 : 0};
    info.abbrev = type.abbrev;
    return info;
}

core::result<const detail::zone_data*> load_zone_data(std::string_view name,
                                                      const std::string& path)
{
    // Zones are few and live as long as the process: read each file once.
    static std::mutex mutex;
    static std::map<std::string, std::unique_ptr<const detail::zone_data>, std::less<>> cache;
    const std::lock_guard lock(mutex);
    if (auto it = cache.find(path); it != cache.end()) return it->second.get();
    std::ifstream file(path, std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    if (!file && !file.eof()) {
        return make_error(schedule_errc::bad_zone_data, 0,
                          fmt::format("time zone '{}': cannot read {}", name, path));
    }
    auto data = parse_tzif(std::move(bytes));
    if (!data) {
        return make_error(schedule_errc::bad_zone_data, 0,
                          fmt::format("time zone '{}': {} cannot be used: {}; occurrences in "
                                      "this zone could not all be computed",
                                      name, path, data.error()));
    }
    auto& slot = cache[path];
    slot = std::make_unique<const detail::zone_data>(std::move(*data));
    return slot.get();
}

}  // namespace

date::sys_info zone::sys_info_at(sys_seconds t) const
{
    const auto& d = *data_;
    const auto after = std::upper_bound(d.times.begin(), d.times.end(), t);
    if (after == d.times.end()) {
        // Past the last listed transition: the footer rule, its period starting no earlier
        // than that transition.
        auto info = d.rule.info_at(t);
        if (!d.times.empty() && info.begin < d.times.back()) info.begin = d.times.back();
        return info;
    }
    const auto i = static_cast<std::size_t>(after - d.times.begin());
    const auto& type = i == 0 ? d.types.front() : d.types[d.type_of[i - 1]];
    const sys_seconds begin = i == 0 ? time_line_begin : d.times[i - 1];
    return listed_info(type, begin, *after);
}

date::local_info zone::local_info_at(date::local_seconds t) const
{
    // Every period that could contain local time t: those overlapping t -/+ a day and more
    // (UTC offsets stay within -26h..+26h). A period holds t when begin + offset <= t <
    // end + offset.
    const sys_seconds as_utc{t.time_since_epoch()};
    const auto holds = [t](const date::sys_info& i) {
        return date::local_seconds{(i.begin + i.offset).time_since_epoch()} <= t &&
               t < date::local_seconds{(i.end + i.offset).time_since_epoch()};
    };
    date::local_info out{};
    auto info = sys_info_at(as_utc - std::chrono::hours{27});
    std::optional<date::sys_info> before;
    int found = 0;
    while (true) {
        if (holds(info)) {
            if (found == 0) {
                out.first = info;
            } else {
                out.second = info;
            }
            ++found;
        } else if (found == 0 &&
                   t >= date::local_seconds{(info.end + info.offset).time_since_epoch()}) {
            before = info;
        }
        if (info.end > as_utc + std::chrono::hours{27} || found == 2) break;
        info = sys_info_at(info.end);
    }
    if (found == 2) {
        out.result = date::local_info::ambiguous;
    } else if (found == 1) {
        out.result = date::local_info::unique;
    } else {
        // In a gap: the period before it and the one after.
        out.result = date::local_info::nonexistent;
        out.first = before ? *before : info;
        out.second = sys_info_at(out.first.end);
    }
    return out;
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

namespace {

// The zone names of the system's tzdata, for suggesting one; empty when it cannot
// be read.
std::vector<std::string> known_zone_names()
{
    std::vector<std::string> names;
    try {
        const auto& db = date::get_tzdb();
        for (const auto& z : db.zones) names.push_back(z.name());
    } catch (const std::exception&) {
        names.clear();
    }
    return names;
}

}  // namespace

core::result<zone> find_zone(std::string_view name) noexcept
{
    return find_zone_in(name, zoneinfo_dir);
}

core::result<zone> find_zone_in(std::string_view name, std::string_view directory) noexcept
{
    const auto unknown = [name](std::size_t offset) {
        auto hint = text::did_you_mean(text::nearest(name, known_zone_names()));
        return make_error(schedule_errc::unknown_time_zone, offset,
                          fmt::format("unknown time zone '{}'; {}use an IANA name from the "
                                      "system's tzdata such as Europe/Berlin, America/New_York "
                                      "or UTC",
                                      name, hint.empty() ? "" : hint + " Otherwise "));
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
    const date::time_zone* tz = nullptr;
    try {
        tz = date::locate_zone(std::string(name));
    } catch (const std::exception&) {
        return unknown(0);
    }
    try {
        std::string path(directory);
        if (!path.empty() && path.back() != '/') path += '/';
        auto data = load_zone_data(name, path + std::string(name));
        if (!data) return data.error();
        return zone(tz, *data);
    } catch (const std::exception& e) {
        return make_error(schedule_errc::bad_zone_data, 0,
                          fmt::format("time zone '{}': {}", name, e.what()));
    }
}

}  // namespace paymand::schedule
