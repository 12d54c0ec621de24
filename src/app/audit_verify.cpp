// `paymand audit verify [--full] [--json]`: the hash chain, sequence and record shapes of the
// whole log, read-only; points at the first bad record.

#include "app/audit_log_source.hpp"
#include "app/audit_subcommands.hpp"
#include "paymand/audit/verify.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include <iostream>
#include <memory>

namespace paymand::app {
namespace {

constexpr std::string_view verify_who = "paymand audit verify";

struct verify_args {
    audit_log_args source;
    bool full = false;
    bool json = false;
};

void print_json(const std::filesystem::path& log, const audit::verify_report& r, bool full)
{
    boost::json::object o{{"log", log.string()},
                          {"ok", r.ok()},
                          {"full", full},
                          {"records", r.records},
                          {"last_seq", r.last_seq},
                          {"bytes", r.bytes},
                          {"torn_tail_bytes", r.torn_tail_bytes}};
    if (r.problem) {
        o["problem"] = {{"line", r.problem->line},
                        {"seq", r.problem->seq},
                        {"offset", r.problem->offset},
                        {"code", errc_name(r.problem->code)},
                        {"message", r.problem->message}};
    } else {
        o["problem"] = nullptr;
    }
    std::cout << boost::json::serialize(o) << "\n";
}

void print_text(const std::filesystem::path& log, const audit::verify_report& r)
{
    if (r.problem) {
        const auto& p = *r.problem;
        std::cout << fmt::format("audit log {}: CORRUPT\n", log.string());
        std::cout << fmt::format("  first bad record: line {}, seq {}, byte offset {}\n", p.line,
                                 p.seq ? std::to_string(p.seq) : std::string("unreadable"),
                                 p.offset);
        std::cout << "  " << one_line(p.message) << "\n";
        std::cout << fmt::format("  verified before it: {} records, last seq {}, {} bytes\n",
                                 r.records, r.last_seq, r.bytes);
        std::cout << "  The daemon refuses to pay until an operator acts: compare with a backup "
                     "or a shipped copy,\n  then move the log aside (keep it) and restore a good "
                     "copy or start a new log.\n  Nothing was changed.\n";
        return;
    }
    std::cout << fmt::format("audit log {}: ok{}\n", log.string(),
                             r.torn_tail_bytes ? ", with a torn final line" : "");
    std::cout << fmt::format("  records: {}, last seq: {}, bytes: {}\n", r.records, r.last_seq,
                             r.bytes);
    if (r.torn_tail_bytes) {
        std::cout << fmt::format(
            "  note: {} bytes after the last complete record are a write cut short by a crash "
            "(not corruption);\n  nothing acted on them and the daemon removes them when it "
            "next starts\n",
            r.torn_tail_bytes);
    }
}

int run_verify(const verify_args& args)
{
    int code = exit_ok;
    const auto log = locate_log(args.source, verify_who, code);
    if (!log) return code;
    auto report = audit::verify_log(*log, {.full_parse = args.full});
    if (!report) {
        print_read_error(verify_who, *log, report.error());
        return exit_for(report.error(), true);
    }
    if (args.json) {
        print_json(*log, *report, args.full);
    } else {
        print_text(*log, *report);
    }
    return report->ok() ? exit_ok : exit_data_error;
}

}  // namespace

command add_audit_verify(CLI::App& audit)
{
    auto a = std::make_shared<verify_args>();
    auto* cmd = audit.add_subcommand(
        "verify", "Check the whole audit log (hash chain, sequence, records); read-only, no lock");
    add_log_options(*cmd, a->source);
    cmd->add_flag("--full", a->full,
                  "Also parse every field of every record (slower; the chain check is the same)");
    cmd->add_flag("--json", a->json, "Print one JSON object");
    cmd->footer(fmt::format(
        "Works while the daemon runs. A torn final line (a crash mid-write) is reported, exit 0.\n"
        "{}\n"
        "Example: paymand audit verify --config /etc/paymand/paymand.yaml",
        audit_exit_codes));
    return {cmd, [a] { return run_verify(*a); }};
}

}  // namespace paymand::app
