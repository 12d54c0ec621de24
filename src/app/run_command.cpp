#include "app/run_command.hpp"

#include "app/daemon_options.hpp"

#include <memory>
#include <string>

namespace paymand::app {

command add_run_command(CLI::App& parent)
{
    auto a = std::make_shared<daemon_args>();
    auto* cmd = parent.add_subcommand("run", "Run the daemon: fire due rules, ask Payman, record "
                                             "every step in the audit log");
    add_daemon_options(*cmd, *a);
    cmd->footer("Signals: SIGHUP reloads configuration and rules (a reload that fails keeps the\n"
                "running rules); SIGTERM/SIGINT stop after in-flight occurrences finish.\n"
                "Exit codes: 0 stopped cleanly, 1 configuration or rules do not load, 65 the\n"
                "audit log is corrupt, 69 Payman client cannot be set up or the metrics\n"
                "endpoint cannot listen, 73 state not writable, 75 another paymand holds the\n"
                "state lock.\n"
                "Example: paymand run --config /etc/paymand/paymand.yaml\n"
                "Example: paymand run --config paymand.yaml --dry-run --assume-balance 2000");
    return {cmd, [a] { return daemon::run(a->options()); }};
}

}  // namespace paymand::app
