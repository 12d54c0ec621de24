#include "app/trigger_command.hpp"

#include "app/daemon_options.hpp"

#include <memory>
#include <string>

namespace paymand::app {

command add_trigger_command(CLI::App& parent)
{
    struct args : daemon_args {
        std::string rule;
    };
    auto a = std::make_shared<args>();
    auto* cmd = parent.add_subcommand(
        "trigger", "Run one occurrence of a rule now, through the daemon's own path (limits, "
                   "audit log, state lock)");
    cmd->add_option("rule", a->rule, "The rule's id")->required();
    add_daemon_options(*cmd, *a);
    cmd->footer(
        "The occurrence's identity ends in ~manual, so it never collides with a scheduled\n"
        "one. It takes the state lock: stop the daemon first, or use --dry-run.\n"
        "Exit codes: 0 it ran (its outcome is in the audit log), 1 no such rule or bad\n"
        "input, 65 corrupt audit log, 69 Payman unreachable, 75 the daemon holds the lock.\n"
        "Example: paymand trigger rent-john --config /etc/paymand/paymand.yaml");
    return {cmd, [a] { return daemon::trigger(a->options(), a->rule); }};
}

}  // namespace paymand::app
