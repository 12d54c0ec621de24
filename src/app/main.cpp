// paymand: the daemon and its command line.

#include "app/ask_command.hpp"
#include "app/audit_command.hpp"
#include "app/auth_command.hpp"
#include "app/check_command.hpp"
#include "app/command.hpp"
#include "app/db_command.hpp"
#include "app/next_command.hpp"
#include "app/run_command.hpp"
#include "app/simulate_command.hpp"
#include "app/status_command.hpp"
#include "app/trigger_command.hpp"
#include "paymand/core/build_info.hpp"
#include "paymand/text/display.hpp"
#include "paymand/text/suggest.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <vector>

namespace {

// A word where a (sub)command is expected that names none: said with the nearest names
// (`paymand chek` -> did you mean 'check'?) instead of CLI11's "was not expected". False
// when the command line names known commands (or options) only.
bool unknown_command(CLI::App& app, int argc, char** argv)
{
    CLI::App* at = &app;
    std::string path = "paymand";
    for (int i = 1; i < argc; ++i) {
        const std::string_view word = argv[i];
        const auto subcommands = at->get_subcommands({});
        if (subcommands.empty() || word.empty() || word.front() == '-') return false;
        std::vector<std::string> names;
        CLI::App* next = nullptr;
        for (auto* s : subcommands) {
            names.push_back(s->get_name());
            if (s->check_name(std::string(word))) next = s;
        }
        if (next == nullptr) {
            const auto hint = paymand::text::did_you_mean(paymand::text::nearest(word, names));
            std::cerr << path << ": unknown command '" << paymand::text::escape_for_display(word)
                      << "'" << (hint.empty() ? "" : ": " + hint) << " (`" << path
                      << " --help` lists them)\n";
            return true;
        }
        at = next;
        path += " " + next->get_name();
    }
    return false;
}

}  // namespace

int main(int argc, char** argv)
{
    using namespace paymand::app;
    CLI::App app{"paymand: scheduled payment automation against the Payman platform.\n"
                 "Example: paymand run --config /etc/paymand/paymand.yaml\n"
                 "Example: paymand ask \"list all wallets and their balances\""};
    app.set_version_flag("--version", paymand::build_info("paymand"));
    app.require_subcommand(0, 1);

    // Each subcommand registers itself here; the engine's commands join this list.
    std::vector<command> commands{add_run_command(app),      add_trigger_command(app),
                                  add_audit_command(app),    add_ask_command(app),
                                  add_check_command(app),    add_next_command(app),
                                  add_simulate_command(app), add_status_command(app),
                                  add_auth_command(app),     add_db_command(app)};

    if (unknown_command(app, argc, argv)) return exit_usage;
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
