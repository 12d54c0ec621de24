// paymand: the daemon and its command line.

#include "app/ask_command.hpp"
#include "app/audit_command.hpp"
#include "app/auth_command.hpp"
#include "app/check_command.hpp"
#include "app/command.hpp"
#include "app/next_command.hpp"
#include "app/run_command.hpp"
#include "app/simulate_command.hpp"
#include "app/status_command.hpp"
#include "app/trigger_command.hpp"
#include "paymand/core/build_info.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <vector>

int main(int argc, char** argv)
{
    using namespace paymand::app;
    CLI::App app{"paymand: scheduled payment automation against the Payman platform.\n"
                 "Example: paymand run --config /etc/paymand/paymand.yaml\n"
                 "Example: paymand ask \"list all wallets and their balances\""};
    app.set_version_flag("--version", paymand::build_info("paymand"));
    app.require_subcommand(0, 1);

    // Each subcommand registers itself here; the engine's commands join this list.
    std::vector<command> commands{
        add_run_command(app),      add_trigger_command(app), add_audit_command(app),
        add_ask_command(app),      add_check_command(app),   add_next_command(app),
        add_simulate_command(app), add_status_command(app),  add_auth_command(app)};

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        if (code == 0) return exit_ok;
        for (const auto& c : commands)
            if (c.cli->parsed()) return c.usage_exit;
        return exit_usage;
    }
    try {
        for (const auto& c : commands) {
            if (c.cli->parsed()) return c.run();
        }
    } catch (const std::exception& e) {
        std::cerr << "paymand: internal error: " << e.what() << "\n";
        return exit_software;
    }
    std::cout << app.help();
    return exit_ok;
}
