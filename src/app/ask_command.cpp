#include "app/ask_command.hpp"

#include "app/client_setup.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>

namespace paymand::app {
namespace {

struct ask_args {
    std::string text;
    bool json = false;
    bool new_session = false;
    bool verbose = false;
    std::string session;
    std::string ca_file;
    std::string config;
};

// The agent's prose is untrusted: keep newlines and tabs, neutralise every other control
// character so a reply cannot drive the terminal (escape sequences).
std::string for_terminal(std::string_view untrusted)
{
    std::string out;
    out.reserve(untrusted.size());
    for (unsigned char c : untrusted) {
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            out += "\xEF\xBF\xBD";  // U+FFFD
        else
            out.push_back(static_cast<char>(c));
    }
    return out;
}

int ask_exit_for(const payman::client_error& e)
{
    return e.kind == payman::error_class::rejected ? exit_failure : exit_unavailable;
}

int ask_exit_for(payman::task_state s)
{
    using payman::task_state;
    return s == task_state::failed || s == task_state::canceled || s == task_state::unknown
               ? exit_failure
               : exit_ok;
}

void report(const payman::client_error& e)
{
    std::cerr << "paymand ask: error: " << e.what() << "\n";
    if (e.kind == payman::error_class::unknown_outcome)
        std::cerr << "paymand ask: the ask may have been carried out: check the transactions "
                     "before repeating it\n";
    else if (e.kind == payman::error_class::not_sent &&
             e.code != payman::payman_errc::missing_client_id &&
             e.code != payman::payman_errc::missing_client_secret)
        std::cerr << "paymand ask: nothing was carried out; it is safe to try again\n";
}

int run_ask(const ask_args& args)
{
    boost::asio::io_context io;
    auto client = make_command_client(io.get_executor(), "paymand ask", args.config, args.ca_file,
                                      args.verbose);
    if (!client) {
        std::cerr << "paymand ask: error: " << client.error().what() << "\n";
        return exit_failure;
    }
    payman::ask_options options;
    options.new_session = args.new_session;
    if (!args.session.empty()) options.session_id = args.session;

    std::optional<boost::system::result<payman::ask_result, payman::client_error>> outcome;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            outcome = co_await client->async_ask(args.text, options);
        },
        [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    io.run();

    if (!outcome) {
        std::cerr << "paymand ask: error: the ask did not complete\n";
        return exit_software;
    }
    if (!*outcome) {
        const auto& e = outcome->error();
        if (e.code == payman::payman_errc::invalid_ask ||
            e.code == payman::payman_errc::invalid_session_id) {
            std::cerr << "paymand ask: error: " << e.message << "\n";
            return exit_failure;
        }
        report(e);
        return ask_exit_for(e);
    }
    const auto& result = outcome->value();
    if (args.json) {
        std::cout << boost::json::serialize(boost::json::parse(result.raw)) << "\n";
    } else {
        const auto reply = result.reply_text();
        if (!reply.empty()) std::cout << for_terminal(reply) << "\n\n";
        if (!result.status_message.empty())
            std::cout << "message: " << for_terminal(result.status_message) << "\n";
        std::cout << "state: " << payman::to_string(result.state);
        if (result.state == payman::task_state::unknown && !result.state_text.empty())
            std::cout << " (\"" << for_terminal(result.state_text) << "\")";
        std::cout << "\n";
        if (result.state == payman::task_state::input_required)
            std::cout << "the agent asks for more input or a confirmation; paymand never answers "
                         "it for you\n";
    }
    return ask_exit_for(result.state);
}

}  // namespace

command add_ask_command(CLI::App& parent)
{
    auto args = std::make_shared<ask_args>();
    auto* cmd = parent.add_subcommand(
        "ask", "Send one request to Payman's agent and print its reply and state");
    cmd->footer("Credentials: PAYMAN_CLIENT_ID and PAYMAN_CLIENT_SECRET; endpoint: "
                "PAYMAN_ENVIRONMENT (test|live)\n"
                "or PAYMAN_BASE_URL; private CA: PAYMAN_CA_FILE or --ca-file; or all of it from\n"
                "the daemon's configuration with --config.\n"
                "Exit codes: 0 ok, 1 failure reported by the server or bad input, 2 usage,\n"
                "69 not sent or outcome unknown.\n"
                "Example: paymand ask \"list all wallets and their balances\"");
    cmd->add_option("text", args->text, "What to ask, e.g. \"what's my wallet balance?\"")
        ->required();
    cmd->add_flag("--json", args->json,
                  "Print the raw JSON-RPC response instead of the reply text");
    auto* fresh = cmd->add_flag("--new-session", args->new_session, "Start a new agent session");
    cmd->add_option("--session", args->session, "Resume this agent session id")->excludes(fresh);
    cmd->add_option("-c,--config", args->config,
                    "Read endpoint, client id and secret source from the daemon's "
                    "configuration file instead of PAYMAN_* variables");
    cmd->add_option("--ca-file", args->ca_file,
                    "PEM file of CA certificates to trust instead of the system store")
        ->check(CLI::ExistingFile);
    cmd->add_flag("-v,--verbose", args->verbose,
                  "Log token and request steps to stderr (never secrets)");
    return command{cmd, [args] { return run_ask(*args); }};
}

}  // namespace paymand::app
