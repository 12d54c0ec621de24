// Schedule evaluation costs: parsing and next occurrence for 10,000 varied rules, a year of
// occurrences for a few schedules, catch-up planning after long downtime, shortest intervals.

#include "paymand/schedule/calendar.hpp"
#include "paymand/schedule/catchup.hpp"
#include "paymand/schedule/interval.hpp"
#include "paymand/schedule/occurrence.hpp"
#include "paymand/schedule/zone.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace paymand::schedule;
using namespace std::chrono_literals;

struct rule {
    std::string text;
    schedule_options options;
    std::string zone;
};

// 10,000 schedules in the shapes ops write, spread over times, days and zones.
std::vector<rule> varied_rules(std::size_t n)
{
    static constexpr std::array<const char*, 8> zones = {
        "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Tokyo",
        "UTC",           "Europe/London",    "America/Los_Angeles", "Asia/Kolkata"};
    static constexpr std::array<const char*, 7> days = {"mon", "tue", "wed", "thu",
                                                        "fri", "sat", "sun"};
    static constexpr std::array<const char*, 5> ordinals = {"first", "second", "third", "fourth",
                                                            "last"};
    std::vector<rule> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned h = static_cast<unsigned>(i * 7 % 24);
        const unsigned m = static_cast<unsigned>(i * 13 % 60);
        rule r{"", {}, zones[i % zones.size()]};
        switch (i % 10) {
        case 0:
            r.text = fmt::format("daily at {:02}:{:02}", h, m);
            break;
        case 1:
            r.text =
                fmt::format("weekly on {},{} at {:02}:{:02}", days[i % 7], days[(i + 3) % 7], h, m);
            break;
        case 2:
            r.text = fmt::format("monthly on day {} at {:02}:{:02}", 1 + i % 28, h, m);
            break;
        case 3:
            r.text =
                fmt::format("monthly on {} {} at {:02}:{:02}", ordinals[i % 5], days[i % 7], h, m);
            break;
        case 4:
            r.text = fmt::format("monthly on last day at {:02}:{:02}", h, m);
            break;
        case 5:
            r.text = fmt::format("{} {} * * 1-5", m, h);
            break;
        case 6:
            r.text = fmt::format("{} */{} * * *", m, 1 + i % 4);
            break;
        case 7:
            r.text = fmt::format("{} {} 31 * *", m, h);
            r.options.short_month =
                i % 20 < 10 ? short_month_policy::last_day : short_month_policy::skip;
            break;
        case 8:
            r.text = fmt::format("{} {} 13 * fri", m, h);
            r.options.day_match = day_match_policy::all;
            break;
        default:
            r.text = i % 20 < 10 ? "@hourly" : "every 15m";
            break;
        }
        out.push_back(std::move(r));
    }
    return out;
}

struct compiled {
    calendar cal;
    zone z;
};

std::vector<compiled> compile(const std::vector<rule>& rules)
{
    std::vector<compiled> out;
    out.reserve(rules.size());
    for (const auto& r : rules)
        out.push_back({parse_schedule(r.text, r.options).value(), find_zone(r.zone).value()});
    return out;
}

const std::chrono::sys_seconds year_start = date::sys_days{date::year{2026} / 1 / 1};
const std::chrono::sys_seconds year_end = date::sys_days{date::year{2027} / 1 / 1};

void parse_10k(benchmark::State& state)
{
    const auto rules = varied_rules(10'000);
    for (auto _ : state) {
        for (const auto& r : rules) benchmark::DoNotOptimize(parse_schedule(r.text, r.options));
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rules.size()));
}
BENCHMARK(parse_10k)->Unit(benchmark::kMillisecond);

// The figure issue 5 asks for: 10,000 rules get their next occurrence.
void next_occurrence_10k(benchmark::State& state)
{
    const auto rules = compile(varied_rules(10'000));
    auto now =
        date::sys_days{date::year{2026} / 3 / 27} + 13h + 7min;  // two days before Berlin's gap
    for (auto _ : state) {
        for (const auto& r : rules) benchmark::DoNotOptimize(next_occurrence(r.cal, r.z, now));
        now += 1h;  // vary the starting point from one iteration to the next
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rules.size()));
}
BENCHMARK(next_occurrence_10k)->Unit(benchmark::kMillisecond);

// Parse, look up the zone and get the next occurrence: the schedule's share of a 10,000-rule load.
void parse_and_next_10k(benchmark::State& state)
{
    const auto rules = varied_rules(10'000);
    const auto now = date::sys_days{date::year{2026} / 6 / 1} + 12h;
    for (auto _ : state) {
        for (const auto& r : rules) {
            const auto cal = parse_schedule(r.text, r.options).value();
            benchmark::DoNotOptimize(next_occurrence(cal, find_zone(r.zone).value(), now));
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rules.size()));
}
BENCHMARK(parse_and_next_10k)->Unit(benchmark::kMillisecond);

void shortest_interval_10k(benchmark::State& state)
{
    const auto rules = compile(varied_rules(10'000));
    for (auto _ : state) {
        for (const auto& r : rules) benchmark::DoNotOptimize(shortest_interval(r.cal));
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rules.size()));
}
BENCHMARK(shortest_interval_10k)->Unit(benchmark::kMillisecond);

// A year of occurrences in Europe/Berlin (both DST transitions inside).
void enumerate_year(benchmark::State& state, const char* text)
{
    const auto cal = parse_schedule(text).value();
    const auto z = find_zone("Europe/Berlin").value();
    std::size_t count = 0;
    for (auto _ : state) {
        const auto v = occurrences_between(cal, z, year_start, year_end);
        count = v.size();
        benchmark::DoNotOptimize(v.data());
    }
    state.counters["occurrences"] = static_cast<double>(count);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(count));
}
BENCHMARK_CAPTURE(enumerate_year, every_minute, "* * * * *")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(enumerate_year, every_15m, "every 15m")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(enumerate_year, hourly, "@hourly")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(enumerate_year, weekdays_0900, "0 9 * * mon-fri")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(enumerate_year, monthly_first_monday, "monthly on first monday at 09:00")
    ->Unit(benchmark::kMillisecond);

// A rule that fires every minute, down for a year: bounded by the listing caps.
void catchup_after_a_year_down(benchmark::State& state)
{
    const auto cal = parse_schedule("* * * * *").value();
    const auto z = find_zone("Europe/Berlin").value();
    const auto handled = z.to_local(year_start);
    std::uint64_t total = 0;
    for (auto _ : state) {
        const auto plan = plan_catchup(cal, z, handled, year_end);
        total = plan.missed_total() + plan.run.size();
        benchmark::DoNotOptimize(plan.run.data());
    }
    state.counters["due"] = static_cast<double>(total);
}
BENCHMARK(catchup_after_a_year_down)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
