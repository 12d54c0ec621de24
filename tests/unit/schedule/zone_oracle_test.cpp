// The zone code against Python's zoneinfo for every zone of the system's tzdata, 2026-2099:
// tests/fixtures/zones/expected.txt, written by tests/fixtures/zones/generate.
#include "paymand/schedule/zone.hpp"
#include "schedule_test_util.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace paymand::schedule {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;
using test::show;

struct change {
    sys_seconds at;
    seconds offset;
    std::string readings;  // "oon": minute before, middle, end of the gap or fold
};

struct block {
    std::vector<std::string> zones;
    seconds start{};
    std::vector<change> changes;
};

const std::string fixture = std::string(PAYMAND_SOURCE_DIR) + "/tests/fixtures/zones/expected.txt";
const sys_seconds range_begin{seconds{1767225600}};  // 2026-01-01T00:00:00Z
const sys_seconds range_end{seconds{4102444800}};    // 2100-01-01T00:00:00Z

std::vector<block> read_blocks(std::istream& in, std::string& version)
{
    std::vector<block> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line.front() == '#') continue;
        std::istringstream words(line);
        std::string first;
        words >> first;
        if (first == "tzdata") {
            words >> version;
        } else if (first == "zones") {
            out.emplace_back();
            for (std::string z; words >> z;) out.back().zones.push_back(z);
        } else if (first == "start") {
            std::int64_t s = 0;
            words >> s;
            out.back().start = seconds{s};
        } else {
            std::int64_t offset = 0;
            change c;
            words >> offset >> c.readings;
            const std::int64_t value = std::stoll(first.front() == '+' ? first.substr(1) : first);
            c.at = first.front() == '+' ? out.back().changes.back().at + seconds{value}
                                        : sys_seconds{seconds{value}};
            c.offset = seconds{offset};
            out.back().changes.push_back(c);
        }
    }
    return out;
}

std::string tzdata_version()
{
    std::ifstream in("/usr/share/zoneinfo/tzdata.zi");
    std::string line;
    std::getline(in, line);  // "# version 2025b"
    return line.substr(line.rfind(' ') + 1);
}

// The zone's offsets over the whole range, walked period by period, are exactly the
// expected ones: the same offset at the start, a change at each expected instant and none
// anywhere else. Then each change's three local readings.
void compare(const zone& z, const block& b)
{
    const auto name = std::string(z.name());
    std::size_t next = 0;
    seconds expected = b.start;
    for (sys_seconds t = range_begin; t < range_end;) {
        const auto info = z.sys_info_at(t);
        ASSERT_LE(info.begin, t) << name;
        ASSERT_GT(info.end, t) << name;
        if (info.offset != expected) {
            ASSERT_LT(next, b.changes.size())
                << name << ": offset changes at " << show(t) << " to " << info.offset.count()
                << " s, zoneinfo has no further change";
            ASSERT_EQ(show(t), show(b.changes[next].at)) << name << ": a change zoneinfo has later";
            ASSERT_EQ(info.offset, b.changes[next].offset) << name << " at " << show(t);
            expected = info.offset;
            ++next;
        }
        if (next < b.changes.size() && info.end > b.changes[next].at) {
            ASSERT_EQ(info.offset, expected);
            FAIL() << name << ": zoneinfo changes the offset at " << show(b.changes[next].at)
                   << " to " << b.changes[next].offset.count() << " s; the zone keeps "
                   << info.offset.count() << " s until " << show(info.end);
        }
        t = info.end;
    }
    ASSERT_EQ(next, b.changes.size()) << name;

    seconds old = b.start;
    for (const auto& c : b.changes) {
        const seconds low = std::min(old, c.offset);
        const seconds high = std::max(old, c.offset);
        const auto wall = [&c](seconds plus) {
            return local_minutes{
                std::chrono::floor<std::chrono::minutes>(c.at.time_since_epoch() + plus)};
        };
        const local_minutes walls[3] = {
            wall(low - std::chrono::minutes{1}),
            wall(low + std::chrono::floor<std::chrono::minutes>((high - low) / 2)), wall(high)};
        for (std::size_t k = 0; k < 3; ++k) {
            const seconds used = c.readings.at(k) == 'o' ? old : c.offset;
            const sys_seconds want{walls[k].time_since_epoch() - used};
            EXPECT_EQ(show(z.resolve(walls[k])), show(want))
                << name << ": local " << date::format("%F %R", walls[k]) << " around the change at "
                << show(c.at);
        }
        old = c.offset;
    }
}

TEST(zone_oracle, every_tzdata_zone_agrees_with_python_zoneinfo_2026_to_2099)
{
    std::ifstream in(fixture);
    ASSERT_TRUE(in) << fixture;
    std::string version;
    const auto blocks = read_blocks(in, version);
    ASSERT_EQ(version, tzdata_version())
        << "the fixture was made from another tzdata release than the system's: run "
           "tests/fixtures/zones/generate > tests/fixtures/zones/expected.txt and review the diff";
    std::size_t zones = 0;
    std::size_t changes = 0;
    for (const auto& b : blocks) {
        for (const auto& name : b.zones) {
            auto z = find_zone(name);
            ASSERT_TRUE(z) << name << ": " << z.error().message;
            compare(*z, b);
            if (HasFatalFailure()) return;
            ++zones;
            changes += b.changes.size();
        }
    }
    // The fixture is whole: every zone of tzdata (about 600 names with links), and the
    // changes of the zones that keep DST.
    EXPECT_GT(zones, 500U);
    EXPECT_GT(changes, 20'000U);
}

}  // namespace
}  // namespace paymand::schedule
