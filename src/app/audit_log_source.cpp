#include "app/audit_log_source.hpp"

#include "paymand/config/daemon_config.hpp"
#include "paymand/text/display.hpp"

#include <cerrno>
#include <cstdlib>
#include <iostream>

namespace paymand::app {

void add_log_options(CLI::App& cmd, audit_log_args& args)
{
    auto* config = cmd.add_option("-c,--config", args.config,
                                  "Configuration file naming the audit log (audit_log, or "
                                  "state_directory/audit.jsonl); no secret needed")
                       ->capture_default_str();
    auto* log = cmd.add_option("--log", args.log, "Read this audit log file (no configuration)");
    auto* dry = cmd.add_flag("--dry-run", args.dry_run,
                             "Read the configuration's dry-run audit log instead of the real one");
    log->excludes(config);
    log->excludes(dry);
}

std::optional<std::filesystem::path> locate_log(const audit_log_args& args, std::string_view who,
                                                int& exit_code, std::string* zone)
{
    if (!args.log.empty()) return std::filesystem::path(args.log);
    yaml::diagnostics diags;
    auto cfg = config::load_daemon_config(
        args.config, [](const char* name) { return std::getenv(name); }, diags);
    if (!cfg) {
        std::cerr << diags.to_string();
        std::cerr << who
                  << ": the configuration does not load; fix it, or name the log with "
                     "--log PATH\n";
        exit_code = exit_failure;
        return std::nullopt;
    }
    if (zone != nullptr) *zone = cfg->policy.timezone;
    return args.dry_run ? cfg->dry_run_audit_log() : cfg->audit_log;
}

int exit_for(const core::error& e, bool opening)
{
    if (e.code.category() == audit::audit_category()) return exit_data_error;
    return opening ? exit_no_input : exit_io_error;
}

void print_read_error(std::string_view who, const std::filesystem::path& log, const core::error& e)
{
    if (e.code == boost::system::error_code(ENOENT, boost::system::system_category())) {
        std::cerr << who << ": no audit log at " << log.string()
                  << ": the daemon creates it when it first starts (check audit_log and "
                     "state_directory in the configuration, or --log)\n";
        return;
    }
    std::cerr << who << ": " << one_line(e.message) << "\n";
    if (e.code.category() == audit::audit_category()) {
        std::cerr << who
                  << ": the audit log is corrupt; run `paymand audit verify` for the "
                     "first bad record (nothing was changed)\n";
    }
}

std::string_view errc_name(const boost::system::error_code& code)
{
    if (code.category() != audit::audit_category()) return "io_error";
    switch (static_cast<audit::audit_errc>(code.value())) {
    case audit::audit_errc::locked:
        return "locked";
    case audit::audit_errc::not_locked:
        return "not_locked";
    case audit::audit_errc::not_replayed:
        return "not_replayed";
    case audit::audit_errc::corrupt:
        return "corrupt";
    case audit::audit_errc::needs_recovery:
        return "needs_recovery";
    case audit::audit_errc::log_removed:
        return "log_removed";
    case audit::audit_errc::log_truncated:
        return "log_truncated";
    case audit::audit_errc::record_invalid:
        return "record_invalid";
    case audit::audit_errc::malformed_line:
        return "malformed_line";
    case audit::audit_errc::unknown_type:
        return "unknown_type";
    case audit::audit_errc::bad_hash:
        return "bad_hash";
    case audit::audit_errc::sequence_gap:
        return "sequence_gap";
    case audit::audit_errc::torn_tail:
        return "torn_tail";
    case audit::audit_errc::line_too_long:
        return "line_too_long";
    case audit::audit_errc::not_found:
        return "not_found";
    case audit::audit_errc::not_in_doubt:
        return "not_in_doubt";
    case audit::audit_errc::closed:
        return "closed";
    case audit::audit_errc::untrusted_file:
        return "untrusted_file";
    }
    return "unknown";
}

std::string one_line(std::string_view text)
{
    return text::escape_for_display(text);
}

std::string shorten(std::string_view text, std::size_t max_bytes)
{
    if (text.size() <= max_bytes) return std::string(text);
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return std::string(text.substr(0, cut)) + "...";
}

}  // namespace paymand::app
