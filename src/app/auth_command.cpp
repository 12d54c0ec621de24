#include "app/auth_command.hpp"

#include "app/client_setup.hpp"
#include "paymand/daemon/load.hpp"
#include "paymand/inspect/rule_review.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <fmt/format.h>

#include <exception>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

namespace paymand::app {
namespace {

struct auth_args {
    std::string config;
    std::string ca_file;
    bool verbose = false;
};

std::set<std::string> split_scopes(std::string_view text)
{
    std::set<std::string> out;
    std::string item;
    for (char c : text) {
        if (c == ',' || c == ' ') {
            if (!item.empty()) out.insert(item);
            item.clear();
        } else {
            item += c;
        }
    }
    if (!item.empty()) out.insert(item);
    return out;
}

int run_auth_test(const auth_args& args)
{
    // With --config, the rules tell which scopes are needed; they must load first.
    std::vector<inspect::scope_need> needed;
    if (!args.config.empty()) {
        yaml::diagnostics diags;
        auto loaded = daemon::load_configuration(args.config, diags);
        if (!loaded) {
            std::cerr << diags.to_string();
            return exit_failure;
        }
        needed = inspect::required_scopes(*loaded->rules);
    }
    boost::asio::io_context io;
    auto client = make_command_client(io.get_executor(), "paymand auth test", args.config,
                                      args.ca_file, args.verbose);
    if (!client) {
        std::cerr << "paymand auth test: error: " << client.error().what() << "\n";
        return exit_failure;
    }
    std::optional<boost::system::result<payman::token_info, payman::client_error>> token;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> { token = co_await client->async_access_token(); },
        [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    io.run();
    if (!token) {
        std::cerr << "paymand auth test: error: the token request did not complete\n";
        return exit_software;
    }
    if (!*token) {
        const auto& e = token->error();
        std::cerr << "paymand auth test: error: " << e.what() << "\n";
        // Refused credentials are the operator's to fix; anything else is reachability.
        const bool refused =
            e.kind == payman::error_class::rejected || e.code == payman::payman_errc::token_refused;
        return refused ? exit_failure : exit_unavailable;
    }
    const auto granted_text = client->stats().granted_scope;
    fmt::print("authenticated: access token valid for {} s (the token itself is never printed)\n",
               (*token)->expires_in.count());
    if (granted_text.empty()) {
        fmt::print("granted scopes: not listed by the server\n");
        if (!needed.empty())
            fmt::print("the scopes the rules need cannot be compared; they are:\n");
        for (const auto& n : needed) fmt::print("  {:<24}  {}\n", n.scope, n.why);
        return exit_ok;
    }
    const auto granted = split_scopes(granted_text);
    std::string list;
    for (const auto& s : granted) list += (list.empty() ? "" : ", ") + s;
    fmt::print("granted scopes: {}\n", list);
    int missing = 0;
    for (const auto& n : needed) {
        const bool ok = granted.contains(n.scope);
        fmt::print("  {} {:<24}  {}\n", ok ? "ok     " : "MISSING", n.scope, n.why);
        missing += ok ? 0 : 1;
    }
    if (missing > 0) {
        std::cerr << fmt::format("paymand auth test: {} scope{} the rules need {} not granted to "
                                 "this client; ask Payman's dashboard for them\n",
                                 missing, missing == 1 ? "" : "s", missing == 1 ? "is" : "are");
        return exit_failure;
    }
    return exit_ok;
}

}  // namespace

command add_auth_command(CLI::App& parent)
{
    auto args = std::make_shared<auth_args>();
    auto* auth = parent.add_subcommand("auth", "Check the Payman credentials");
    auth->require_subcommand(1);
    auto* test = auth->add_subcommand(
        "test", "Fetch an access token (no ask is sent) and compare the granted scopes with "
                "those the rules need");
    test->add_option("-c,--config", args->config,
                     "The daemon's configuration: endpoint, client id, secret source, and the "
                     "rules whose scopes are checked (else PAYMAN_* variables)");
    test->add_option("--ca-file", args->ca_file, "PEM file of CA certificates to trust")
        ->check(CLI::ExistingFile);
    test->add_flag("-v,--verbose", args->verbose, "Log the token steps (never secrets)");
    test->footer("Exit codes: 0 authenticated (and every needed scope granted), 1 credentials\n"
                 "refused, a needed scope missing or bad input, 2 usage, 69 Payman unreachable.\n"
                 "Example: paymand auth test --config /etc/paymand/paymand.yaml");
    return command{auth, [args, test] {
                       if (!test->parsed()) return static_cast<int>(exit_usage);
                       return run_auth_test(*args);
                   }};
}

}  // namespace paymand::app
