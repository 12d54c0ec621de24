// Growth figures through the library, one measurement per process so that the peak RSS it
// prints belongs to that measurement alone:
//
//   bench_growth rules --dir RULES --policy POLICY.yaml   load + validate + next occurrences
//   bench_growth replay --log AUDIT.jsonl                 file_audit_store::replay (lock, read,
//                                                         verify the chain, rebuild the state)
//   bench_growth verify --log AUDIT.jsonl                 audit::verify_log (read-only)
//
// Prints one JSON line: {"what","items","seconds","cpu_seconds","peak_rss_kb"} where the times
// cover the measured call only (not process start); exit 0 when the input was good, 1 otherwise.

#include "paymand/audit/file_audit_store.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/audit/verify.hpp"
#include "paymand/rules/policy.hpp"
#include "paymand/rules/rule_loader.hpp"
#include "paymand/rules/rule_schedule.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <iostream>

namespace {

using namespace paymand;
using steady = std::chrono::steady_clock;

rusage self_usage()
{
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage;
}

double cpu_seconds(const rusage& u)
{
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Wall and CPU time of the measured call: on a shared machine the CPU time is the steadier
// figure, the wall time the one a user waits.
struct stopwatch {
    steady::time_point wall = steady::now();
    rusage cpu = self_usage();
};

int print(std::string_view what, std::uint64_t items, const stopwatch& start)
{
    const std::chrono::duration<double> elapsed = steady::now() - start.wall;
    const auto now = self_usage();
    std::cout << fmt::format("{{\"what\":\"{}\",\"items\":{},\"seconds\":{:.6f},"
                             "\"cpu_seconds\":{:.6f},\"peak_rss_kb\":{}}}\n",
                             what, items, elapsed.count(),
                             cpu_seconds(now) - cpu_seconds(start.cpu),
                             now.ru_maxrss /* kilobytes on Linux */);
    return 0;
}

int measure_rules(const std::filesystem::path& dir, const std::filesystem::path& policy_file)
{
    yaml::diagnostics diags;
    auto pol = rules::load_policy_file(policy_file, policy_file.string(), diags);
    if (!pol) {
        std::cerr << diags.to_string();
        return 1;
    }
    const stopwatch start;
    auto set = rules::load_rules_directory(dir, *pol, diags);
    if (!set) {
        std::cerr << diags.to_string();
        return 1;
    }
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const auto next = rules::next_per_rule(*set, now);
    const auto due = rules::next_due(*set, now);
    if (due.empty()) {
        std::cerr << "bench_growth: no rule fires again\n";
        return 1;
    }
    return print("rules", next.size(), start);
}

int measure_replay(const std::filesystem::path& log)
{
    const stopwatch start;
    audit::file_audit_store store({.log_path = log});
    if (auto locked = store.lock(); !locked) {
        std::cerr << "bench_growth: cannot lock " << log << "\n";
        return 1;
    }
    audit::audit_projection projection;
    auto report = store.replay(projection);
    if (!report) {
        std::cerr << "bench_growth: cannot replay " << log << "\n";
        return 1;
    }
    if (report->corruption) {
        std::cerr << "bench_growth: " << report->corruption->message << "\n";
        return 1;
    }
    return print("replay", report->records, start);
}

int measure_verify(const std::filesystem::path& log)
{
    const stopwatch start;
    auto report = audit::verify_log(log);
    if (!report) {
        std::cerr << "bench_growth: cannot read " << log << "\n";
        return 1;
    }
    if (!report->ok()) {
        std::cerr << "bench_growth: " << report->problem->message << "\n";
        return 1;
    }
    return print("verify", report->records, start);
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Growth measurements through paymand's library"};
    app.require_subcommand(1);
    std::filesystem::path dir;
    std::filesystem::path policy;
    std::filesystem::path log;
    auto* rules_cmd = app.add_subcommand("rules", "load + validate + next occurrences");
    rules_cmd->add_option("--dir", dir)->required()->check(CLI::ExistingDirectory);
    rules_cmd->add_option("--policy", policy)->required()->check(CLI::ExistingFile);
    auto* replay_cmd = app.add_subcommand("replay", "file_audit_store::replay");
    replay_cmd->add_option("--log", log)->required()->check(CLI::ExistingFile);
    auto* verify_cmd = app.add_subcommand("verify", "audit::verify_log");
    verify_cmd->add_option("--log", log)->required()->check(CLI::ExistingFile);
    CLI11_PARSE(app, argc, argv);

    if (*rules_cmd) return measure_rules(dir, policy);
    if (*replay_cmd) return measure_replay(log);
    return measure_verify(log);
}
