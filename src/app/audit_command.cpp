#include "app/audit_command.hpp"

#include "app/audit_subcommands.hpp"
#include "paymand/daemon/daemon.hpp"

#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace paymand::app {

command add_audit_command(CLI::App& parent)
{
    struct args {
        std::string config = "/etc/paymand/paymand.yaml";
        std::string occurrence;
        bool paid = false;
        bool not_paid = false;
        std::string note;
    };
    auto a = std::make_shared<args>();
    auto* audit = parent.add_subcommand("audit", "Operator tools on the audit log");
    audit->require_subcommand(1);
    auto* resolve = audit->add_subcommand(
        "resolve", "Record your verdict on an in-doubt occurrence after checking Payman");
    resolve->add_option("occurrence", a->occurrence, "e.g. rent-john@2026-12-01T09:00")->required();
    auto* paid = resolve->add_flag("--paid", a->paid, "The payment did happen");
    auto* not_paid = resolve->add_flag("--not-paid", a->not_paid, "The payment did not happen");
    paid->excludes(not_paid);
    resolve->add_option("--note", a->note, "Why you decided so (required, kept in the log)")
        ->required();
    resolve->add_option("-c,--config", a->config, "Configuration file")->capture_default_str();
    resolve->footer("While the daemon runs, the verdict is handed to it through the state "
                    "directory and it records\nit; otherwise it is recorded directly.\n"
                    "Exit codes: 0 recorded, 1 not in doubt / unknown occurrence / bad note, or\n"
                    "the running daemon refused it, 2 usage, 65 corrupt audit log, 73 the inbox\n"
                    "cannot be written, 75 the running daemon has not recorded it within 15 s\n"
                    "(the request stays queued and is recorded when the daemon reads its inbox).\n"
                    "Example: paymand audit resolve rent-john@2026-12-01T09:00 --paid --note "
                    "\"listed in Payman's dashboard as tx 4711\"");
    // The reading subcommands: verify, tail, report.
    std::vector<command> readers{add_audit_verify(*audit), add_audit_tail(*audit),
                                 add_audit_report(*audit)};
    return {audit, [a, resolve, readers] {
                for (const auto& r : readers) {
                    if (r.cli->parsed()) return r.run();
                }
                if (!resolve->parsed()) return static_cast<int>(exit_usage);
                if (a->paid == a->not_paid) {
                    std::cerr << "paymand audit resolve: say --paid or --not-paid\n";
                    return static_cast<int>(exit_usage);
                }
                return daemon::resolve(a->config, a->occurrence, a->paid, a->note);
            }};
}

}  // namespace paymand::app
