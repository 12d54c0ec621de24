#include "app/trigger_command.hpp"

#include "app/daemon_options.hpp"

#include <memory>
#include <string>

namespace paymand::app {

command add_trigger_command(CLI::App& parent)
{
    struct args : daemon_args {
        std::string rule;
        bool json = false;
    };
    auto a = std::make_shared<args>();
    auto* cmd = parent.add_subcommand(
        "trigger", "Run one occurrence of a rule now, through the daemon's own path (limits, "
                   "audit log, state lock)");
    cmd->add_option("rule", a->rule, "The rule's id")->required();
    add_daemon_options(*cmd, *a);
    cmd->add_flag("--json", a->json,
                  "The outcome as one JSON object: occurrence, state, exit_code, outcome (the "
                  "line), run_by_daemon");
    cmd->footer(
        "The occurrence's identity ends in ~manual, so it never collides with a scheduled\n"
        "one. While the daemon runs (it holds the state lock) the run is handed to it through\n"
        "its inbox and the command waits for the outcome it records. Prints the outcome in\n"
        "one line (\"rent-john@2026-12-03T14:05~manual: paid 1200.00 TSD to John Doe\").\n"
        "Exit codes: 0 paid (a report answered; with --dry-run: would pay), 10 not run\n"
        "(skipped: condition not met, ...), 11 denied by a limit, 12 not paid (failed),\n"
        "13 in doubt, mismatch or unconfirmed (an operator decides: paymand audit resolve),\n"
        "1 no such rule (with the nearest ids) or bad input, or the daemon refused the run, 65\n"
        "corrupt "
        "audit log, 69 the Payman client cannot be set up, 73 state not writable, 75 the\n"
        "daemon did not run it within the occurrence timeout (the request stays queued).\n"
        "Example: paymand trigger rent-john --config /etc/paymand/paymand.yaml");
    return {cmd, [a] {
                auto options = a->options();
                options.json = a->json;
                return daemon::trigger(options, a->rule);
            }};
}

}  // namespace paymand::app
