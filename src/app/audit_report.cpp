// `paymand audit report --month YYYY-MM`: what was paid to whom in a month, what was denied,
// what is still in doubt, failed, skipped or missed; from the audit log alone.

#include "app/audit_format.hpp"
#include "app/audit_log_source.hpp"
#include "app/audit_report_cluster.hpp"
#include "app/audit_subcommands.hpp"
#include "paymand/audit/reader.hpp"
#include "paymand/audit/report.hpp"
#include "paymand/schedule/zone.hpp"

#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>

namespace paymand::app {
namespace {

constexpr std::string_view who = "paymand audit report";
constexpr std::string_view default_config = "/etc/paymand/paymand.yaml";

struct report_args {
    audit_log_args source;
    std::string month;
    std::string from;
    std::string to;
    std::string format = "table";
    bool json = false;
    std::string tz;
    bool cluster = false;
};

// The days a --from or --to value names: a day (YYYY-MM-DD), or a whole month (YYYY-MM:
// its first day for --from, its last for --to).
std::optional<std::chrono::year_month_day> bound(std::string_view option, const std::string& text,
                                                 bool last)
{
    if (auto day = audit::parse_day(text)) return day;
    if (auto month = audit::parse_month(text))
        return last
                   ? std::chrono::year_month_day(month->year() / month->month() / std::chrono::last)
                   : std::chrono::year_month_day(*month / 1);
    std::cerr << who << ": " << option << " '" << one_line(text)
              << "' is not a day or a month: write YYYY-MM-DD or YYYY-MM, e.g. 2026-01\n";
    return std::nullopt;
}

// The period asked for, in `zone_name`'s calendar ("" or UTC: UTC); nothing after saying why.
std::optional<audit::month_window> window_of(const report_args& args, const std::string& zone_name)
{
    std::optional<schedule::zone> zone;
    if (!zone_name.empty() && zone_name != "UTC") {
        auto found = schedule::find_zone(zone_name);
        if (!found) {
            std::cerr << who << ": --tz: " << found.error().message << "\n";
            return std::nullopt;
        }
        zone = *found;
    }
    if (!args.month.empty()) {
        const auto month = audit::parse_month(args.month);
        if (!month) {
            std::cerr << who << ": --month '" << one_line(args.month)
                      << "' is not a month: write YYYY-MM, e.g. 2026-12\n";
            return std::nullopt;
        }
        return zone ? audit::local_month(*month, *zone) : audit::utc_month(*month);
    }
    const auto first = bound("--from", args.from, false);
    const auto last = first ? bound("--to", args.to, true) : std::nullopt;
    if (!first || !last) return std::nullopt;
    if (std::chrono::sys_days{*last} < std::chrono::sys_days{*first}) {
        std::cerr << who << ": --to " << args.to << " lies before --from " << args.from << "\n";
        return std::nullopt;
    }
    return audit::day_range(*first, *last, zone ? &*zone : nullptr);
}

int run_report(const report_args& args)
{
    if (args.month.empty() && args.from.empty()) {
        std::cerr << who << ": say which occurrences: --month YYYY-MM, or --from and --to\n";
        return exit_usage;
    }
    int code = exit_ok;
    std::string configured_zone;
    const auto log = locate_log(args.source, who, code, &configured_zone);
    if (!log) return code;
    // The configured zone's calendar unless --tz names another (UTC without a configuration).
    const auto window = window_of(args, args.tz.empty() ? configured_zone : args.tz);
    if (!window) return exit_failure;
    if (args.cluster) {
        if (args.format == "csv") {
            std::cerr << who << ": --cluster reports as a table or as JSON, not as CSV\n";
            return exit_usage;
        }
        return run_cluster_report({.config = args.source.config,
                                   .window = *window,
                                   .json = args.json || args.format == "json"});
    }
    auto reader = audit::audit_reader::open(*log);
    if (!reader) {
        print_read_error(who, *log, reader.error());
        return exit_for(reader.error(), true);
    }
    audit::month_report_builder builder(*window);
    auto read = reader->read_to_end([&](const audit::record& r) { builder.add(r); });
    if (!read) {
        print_read_error(who, *log, read.error());
        return exit_for(read.error(), false);
    }
    auto report = builder.finish();
    if (!report) {
        std::cerr << who << ": " << report.error().message << "\n";
        return exit_data_error;
    }

    const std::string format = args.json ? "json" : args.format;
    if (format == "json") {
        auto o = audit::to_json(*report);
        o["log"] = log->string();
        std::cout << boost::json::serialize(o) << "\n";
    } else if (format == "csv") {
        std::cout << report_csv(*report);
    } else {
        // The resolve command must reach the same state as this report.
        std::string suffix;
        if (args.source.log.empty() && args.source.config != default_config) {
            suffix = " --config " + args.source.config;
        }
        std::cout << report_text(*report, log->string(), suffix);
    }
    return exit_ok;
}

}  // namespace

command add_audit_report(CLI::App& audit)
{
    auto a = std::make_shared<report_args>();
    auto* cmd = audit.add_subcommand(
        "report", "One month (or any run of days) from the audit log: paid (to whom, how "
                  "much), denied, in doubt, failed, skipped, missed");
    auto* month = cmd->add_option("--month", a->month,
                                  "The month, YYYY-MM. An occurrence belongs to the month of its "
                                  "scheduled instant in the configured time zone's calendar "
                                  "(UTC with --log; --tz names another)");
    auto* from = cmd->add_option("--from", a->from,
                                 "First day of the period, YYYY-MM-DD (or YYYY-MM: its first day)")
                     ->excludes(month);
    auto* to = cmd->add_option("--to", a->to,
                               "Last day of the period, included: YYYY-MM-DD (or YYYY-MM: its "
                               "last day)")
                   ->excludes(month);
    from->needs(to);
    to->needs(from);
    auto* format = cmd->add_option("--format", a->format, "table, json or csv")
                       ->check(CLI::IsMember({"table", "json", "csv"}))
                       ->capture_default_str();
    cmd->add_flag("--json", a->json, "Same as --format json: one JSON object")->excludes(format);
    cmd->add_option("--tz", a->tz,
                    "Read the month or days in this IANA zone's calendar (e.g. Europe/Berlin) "
                    "instead of the configured zone's");
    add_log_options(*cmd, a->source);
    cmd->add_flag("--cluster", a->cluster,
                  "HA mode: every node's report from the shared ledger's copies of their audit "
                  "logs, and the cluster's totals (needs the configuration's ha: section)")
        ->excludes(cmd->get_option("--log"))
        ->excludes(cmd->get_option("--dry-run"));
    cmd->footer(fmt::format(
        "Paid means completed, reconciled from a transaction listing, or resolved as paid by an\n"
        "operator; dry-run records are never counted as paid. Totals are exact (minor units).\n"
        "Read-only, no lock: works while the daemon runs.\n"
        "{}\n"
        "Example: paymand audit report --month 2026-12 --format csv > 2026-12.csv\n"
        "Example: paymand audit report --from 2026-01 --to 2026-12 --json (a year)\n"
        "Example: paymand audit report --month 2026-12 --cluster (HA: every node, from the "
        "shared ledger)",
        audit_exit_codes));
    return {cmd, [a] { return run_report(*a); }};
}

}  // namespace paymand::app
