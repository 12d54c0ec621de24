// `paymand audit report --month YYYY-MM`: what was paid to whom in a month, what was denied,
// what is still in doubt, failed, skipped or missed; from the audit log alone.

#include "app/audit_format.hpp"
#include "app/audit_log_source.hpp"
#include "app/audit_subcommands.hpp"
#include "paymand/audit/reader.hpp"
#include "paymand/audit/report.hpp"
#include "paymand/schedule/zone.hpp"

#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include <iostream>
#include <memory>

namespace paymand::app {
namespace {

constexpr std::string_view who = "paymand audit report";
constexpr std::string_view default_config = "/etc/paymand/paymand.yaml";

struct report_args {
    audit_log_args source;
    std::string month;
    std::string format = "table";
    bool json = false;
    std::string tz;
};

int run_report(const report_args& args)
{
    const auto month = audit::parse_month(args.month);
    if (!month) {
        std::cerr << who << ": --month '" << one_line(args.month)
                  << "' is not a month: write YYYY-MM, e.g. 2026-12\n";
        return audit_bad_input;
    }
    audit::month_window window = audit::utc_month(*month);
    if (!args.tz.empty()) {
        auto zone = schedule::find_zone(args.tz);
        if (!zone) {
            std::cerr << who << ": --tz: " << zone.error().message << "\n";
            return audit_bad_input;
        }
        window = audit::local_month(*month, *zone);
    }

    int code = audit_ok;
    const auto log = locate_log(args.source, who, code);
    if (!log) return code;
    auto reader = audit::audit_reader::open(*log);
    if (!reader) {
        print_read_error(who, *log, reader.error());
        return exit_for(reader.error(), true);
    }
    audit::month_report_builder builder(window);
    auto read = reader->read_to_end([&](const audit::record& r) { builder.add(r); });
    if (!read) {
        print_read_error(who, *log, read.error());
        return exit_for(read.error(), false);
    }
    auto report = builder.finish();
    if (!report) {
        std::cerr << who << ": " << report.error().message << "\n";
        return audit_data_error;
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
    return audit_ok;
}

}  // namespace

command add_audit_report(CLI::App& audit)
{
    auto a = std::make_shared<report_args>();
    auto* cmd = audit.add_subcommand(
        "report", "One month from the audit log: paid (to whom, how much), denied, in doubt, "
                  "failed, skipped, missed");
    cmd->add_option("--month", a->month,
                    "The month, YYYY-MM. An occurrence belongs to the month of its scheduled "
                    "instant in UTC (or in --tz ZONE's calendar)")
        ->required();
    auto* format = cmd->add_option("--format", a->format, "table, json or csv")
                       ->check(CLI::IsMember({"table", "json", "csv"}))
                       ->capture_default_str();
    cmd->add_flag("--json", a->json, "Same as --format json: one JSON object")->excludes(format);
    cmd->add_option("--tz", a->tz,
                    "Read the month as a calendar month in this IANA zone (e.g. Europe/Berlin) "
                    "instead of UTC");
    add_log_options(*cmd, a->source);
    cmd->footer(fmt::format(
        "Paid means completed, reconciled from a transaction listing, or resolved as paid by an\n"
        "operator; dry-run records are never counted as paid. Totals are exact (minor units).\n"
        "Read-only, no lock: works while the daemon runs.\n"
        "{}\n"
        "Example: paymand audit report --month 2026-12 --format csv > 2026-12.csv",
        audit_exit_codes));
    return {cmd, [a] { return run_report(*a); }};
}

}  // namespace paymand::app
