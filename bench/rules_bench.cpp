// Loading, validating and scheduling large rule sets: 10,000 rules must load, validate and
// get their next occurrence in well under a second. The rule files are generated in a
// temporary directory (100 rules a file) with a mix of schedules, zones, actions and
// conditions, and checked against a policy with an allow-list and limits, as in production.

#include "paymand/rules/rule_loader.hpp"
#include "paymand/rules/rule_schedule.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

namespace {

namespace fs = std::filesystem;
using namespace paymand;

constexpr int rules_per_file = 100;

const char* const zones[] = {"UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                             "Asia/Tokyo"};
const char* const schedules[] = {"monthly on day {} at 09:00",
                                 "weekly on mon,thu at 17:30",
                                 "daily at 06:{:02}",
                                 "0 {} * * 1-5",
                                 "monthly on last day at 18:00",
                                 "monthly on first monday at 10:30"};
const char* const payees[] = {"John Doe", "Maria Garcia", "Acme Cleaning Ltd."};

std::string rule_text(int i)
{
    auto schedule = fmt::format(fmt::runtime(schedules[i % 6]), i % 28 + 1);
    if (i % 6 == 2) schedule = fmt::format("daily at 06:{:02}", i % 60);
    if (i % 6 == 3) schedule = fmt::format("0 {} * * 1-5", i % 24);
    std::string out = fmt::format("  - id: rule-{}\n    description: generated rule {}\n"
                                  "    schedule: {}\n    timezone: {}\n",
                                  i, i, schedule, zones[i % 5]);
    if (i % 4 == 0) {
        out += "    report: balance\n";
    } else {
        if (i % 3 == 0) out += "    when: {balance: {wallet: Main, min_remaining: 100}}\n";
        out += fmt::format("    pay:\n      payee: {}\n      amount: {}.{:02}\n"
                           "      memo: Invoice {{{{month}}}} {{{{year}}}}\n",
                           payees[i % 3], 10 + i % 90, i % 100);
    }
    return out;
}

// A directory of generated rule files, removed at exit.
class rule_directory {
public:
    explicit rule_directory(int count)
    {
        char pattern[] = "/tmp/paymand-rules-bench-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
        for (int file = 0; file * rules_per_file < count; ++file) {
            std::ofstream out(path_ / fmt::format("r{:05}.yaml", file));
            out << "rules:\n";
            for (int i = file * rules_per_file; i < std::min(count, (file + 1) * rules_per_file);
                 ++i)
                out << rule_text(i);
        }
    }
    ~rule_directory() { fs::remove_all(path_); }
    rule_directory(const rule_directory&) = delete;
    rule_directory& operator=(const rule_directory&) = delete;
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

rules::policy bench_policy()
{
    rules::policy p;
    p.payees = {payees[0], payees[1], payees[2]};
    p.wallets = {"Main"};
    p.timezone = "Europe/Berlin";
    p.zone = date::locate_zone("Europe/Berlin");
    p.limits.currencies["TSD"] = {
        .per_transaction = 150000, .daily = 10000000, .monthly = 100000000};
    return p;
}

const rule_directory& directory_of(int count)
{
    static std::map<int, std::unique_ptr<rule_directory>> dirs;
    auto& d = dirs[count];
    if (!d) d = std::make_unique<rule_directory>(count);
    return *d;
}

std::chrono::sys_seconds bench_now()
{
    return date::sys_days(date::year(2026) / 11 / 28) + std::chrono::hours(20);
}

// The whole path the daemon takes at start and on reload: read, validate, plan.
void BM_load_validate_next(benchmark::State& state)
{
    const auto& dir = directory_of(static_cast<int>(state.range(0)));
    auto pol = bench_policy();
    for (auto _ : state) {
        yaml::diagnostics diags;
        auto set = rules::load_rules_directory(dir.path(), pol, diags);
        if (!set) {
            state.SkipWithError(diags.to_string().c_str());
            return;
        }
        auto next = rules::next_per_rule(*set, bench_now());
        auto due = rules::next_due(*set, bench_now());
        benchmark::DoNotOptimize(next.data());
        benchmark::DoNotOptimize(due.data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_load_validate_next)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_load_validate(benchmark::State& state)
{
    const auto& dir = directory_of(static_cast<int>(state.range(0)));
    auto pol = bench_policy();
    for (auto _ : state) {
        yaml::diagnostics diags;
        auto set = rules::load_rules_directory(dir.path(), pol, diags);
        benchmark::DoNotOptimize(set);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_load_validate)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_next_due(benchmark::State& state)
{
    const auto& dir = directory_of(static_cast<int>(state.range(0)));
    auto pol = bench_policy();
    yaml::diagnostics diags;
    auto set = rules::load_rules_directory(dir.path(), pol, diags);
    if (!set) {
        state.SkipWithError(diags.to_string().c_str());
        return;
    }
    for (auto _ : state) {
        auto due = rules::next_due(*set, bench_now());
        benchmark::DoNotOptimize(due.data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_next_due)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_occurrences_in_a_day(benchmark::State& state)
{
    const auto& dir = directory_of(static_cast<int>(state.range(0)));
    auto pol = bench_policy();
    yaml::diagnostics diags;
    auto set = rules::load_rules_directory(dir.path(), pol, diags);
    if (!set) {
        state.SkipWithError(diags.to_string().c_str());
        return;
    }
    for (auto _ : state) {
        auto occs =
            rules::occurrences_between(*set, bench_now(), bench_now() + std::chrono::days(1));
        benchmark::DoNotOptimize(occs.data());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_occurrences_in_a_day)->Arg(10000)->Unit(benchmark::kMillisecond);

// What `simulate` enumerates for a year of rules.
void BM_occurrences_in_a_year(benchmark::State& state)
{
    const auto& dir = directory_of(static_cast<int>(state.range(0)));
    auto pol = bench_policy();
    yaml::diagnostics diags;
    auto set = rules::load_rules_directory(dir.path(), pol, diags);
    if (!set) {
        state.SkipWithError(diags.to_string().c_str());
        return;
    }
    std::size_t count = 0;
    for (auto _ : state) {
        auto occs =
            rules::occurrences_between(*set, bench_now(), bench_now() + std::chrono::days(365));
        count = occs.size();
        benchmark::DoNotOptimize(occs.data());
    }
    state.counters["occurrences"] = static_cast<double>(count);
}
BENCHMARK(BM_occurrences_in_a_year)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
