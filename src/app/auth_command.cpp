#include "app/auth_command.hpp"

#include "app/auth_grant.hpp"
#include "app/client_setup.hpp"
#include "paymand/audit/time_format.hpp"
#include "paymand/config/secret_source.hpp"
#include "paymand/core/clock.hpp"
#include "paymand/daemon/load.hpp"
#include "paymand/daemon/user_grant.hpp"
#include "paymand/grant/stored_grant.hpp"
#include "paymand/inspect/rule_review.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
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
    bool json = false;
};

std::set<std::string> split_scopes(std::string_view text)
{
    auto list = grant::split_scopes(text);
    return {list.begin(), list.end()};
}

// "ok" or "MISSING" for each scope the rules need; the count missing.
int print_scope_needs(const std::set<std::string>& granted,
                      const std::vector<inspect::scope_need>& needed, std::string_view indent)
{
    int missing = 0;
    for (const auto& n : needed) {
        const bool ok = granted.contains(n.scope);
        fmt::print("{}{} {:<24}  {}\n", indent, ok ? "ok     " : "MISSING", n.scope, n.why);
        missing += ok ? 0 : 1;
    }
    return missing;
}

std::string age_text(std::chrono::seconds age)
{
    const auto s = age.count();
    if (s < 3600) return fmt::format("{} min", s / 60);
    if (s < 48 * 3600) return fmt::format("{} h {} min", s / 3600, s % 3600 / 60);
    return fmt::format("{} days", s / 86400);
}

// The client of `auth test` in authorization_code mode: the stored grant, rotated and recorded
// as the daemon would. Holds the state lock while it lives.
struct user_mode_client {
    std::unique_ptr<audit::file_audit_store> store;
    std::shared_ptr<daemon::user_grant> held;
    std::optional<payman::client> client;
    int exit = exit_ok;
};

user_mode_client make_user_client(boost::asio::any_io_executor executor,
                                  const config::daemon_config& cfg, const auth_args& args)
{
    constexpr std::string_view prefix = "paymand auth test";
    user_mode_client out;
    config::protect_process();
    out.store = lock_state(cfg, prefix, out.exit);
    if (!out.store) return out;
    auto loaded = grant::load_grant(cfg.grant_path());
    if (!loaded || !*loaded || (*loaded)->refused_at) {
        if (!loaded)
            std::cerr << prefix << ": error: " << loaded.error().message << "\n";
        else if (!*loaded)
            std::cerr << prefix << ": error: no grant is stored in " << cfg.grant_path().string()
                      << ": run paymand auth login --config " << args.config << "\n";
        else
            std::cerr << prefix << ": error: " << daemon::grant_invalid_line << "\n";
        out.exit = loaded ? static_cast<int>(exit_no_grant) : static_cast<int>(exit_failure);
        return out;
    }
    auto secret = config::load_secret(cfg.client_secret, daemon::process_environment());
    config::forget_secret_environment(cfg.client_secret);
    if (!secret) {
        std::cerr << prefix << ": error: " << secret.error().message << "\n";
        out.exit = exit_unavailable;
        return out;
    }
    auto log =
        std::make_shared<spdlog::logger>("auth", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    log->set_pattern("paymand auth test: %v");
    log->set_level(args.verbose ? spdlog::level::debug : spdlog::level::warn);
    out.held = std::make_shared<daemon::user_grant>(cfg.grant_path(), std::move(**loaded), log,
                                                    core::system_clock());
    out.held->set_recorder([store = out.store.get(), prefix](audit::record_body body) {
        append_record(*store, std::move(body), prefix);
    });
    auto client_config = cfg.client;
    if (!args.ca_file.empty()) client_config.http.ca_file = args.ca_file;
    client_config.grant_events = out.held->observer();
    auto client =
        payman::client::with_refresh_token(std::move(executor), client_config, cfg.client_id,
                                           std::move(*secret), out.held->held().refresh_token);
    if (!client) {
        std::cerr << prefix << ": error: " << client.error().what() << "\n";
        out.exit = exit_failure;
        return out;
    }
    out.client = std::move(*client);
    return out;
}

// The token request failed: the reason, and the exit code (refused credentials are the
// operator's to fix; anything else is reachability).
int report_token_failure(const auth_args& args, const user_mode_client& user,
                         const payman::client_error& e)
{
    std::cerr << "paymand auth test: error: " << e.what() << "\n";
    const bool no_grant = user.held && user.held->refused();
    const bool refused =
        e.kind == payman::error_class::rejected || e.code == payman::payman_errc::token_refused;
    if (args.json)
        std::cout << boost::json::serialize(boost::json::object{
                         {"authenticated", false},
                         {"refused", no_grant || (refused && e.http_status != 404)},
                         {"error", e.what()}})
                  << "\n";
    if (no_grant) return exit_no_grant;
    return refused ? exit_failure : exit_unavailable;
}

// --json: one object: the token's lifetime (never the token), the scopes granted (null when
// the server did not list them) and each scope the rules need with whether it is.
int print_token_json(const payman::token_info& token, const std::string& granted_text,
                     const std::vector<inspect::scope_need>& needed)
{
    const auto granted = split_scopes(granted_text);
    boost::json::array needs;
    int missing = 0;
    for (const auto& n : needed) {
        const bool ok = granted_text.empty() || granted.contains(n.scope);
        missing += ok ? 0 : 1;
        needs.push_back(
            boost::json::object{{"scope", n.scope},
                                {"why", n.why},
                                {"granted", granted_text.empty() ? boost::json::value(nullptr)
                                                                 : boost::json::value(ok)}});
    }
    boost::json::value listed = nullptr;
    if (!granted_text.empty()) {
        boost::json::array list;
        for (const auto& g : granted) list.emplace_back(g);
        listed = std::move(list);
    }
    std::cout << boost::json::serialize(
                     boost::json::object{{"authenticated", true},
                                         {"expires_in_s", token.expires_in.count()},
                                         {"granted_scopes", std::move(listed)},
                                         {"needed", std::move(needs)},
                                         {"missing", missing}})
              << "\n";
    return missing > 0 ? exit_failure : exit_ok;
}

// The token's lifetime and the scopes granted and needed, as text.
int print_token_text(const payman::token_info& token, const std::string& granted_text,
                     const std::vector<inspect::scope_need>& needed)
{
    fmt::print("authenticated: access token valid for {} s (the token itself is never printed)\n",
               token.expires_in.count());
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
    const int missing = print_scope_needs(granted, needed, "  ");
    if (missing > 0) {
        std::cerr << fmt::format("paymand auth test: {} scope{} the rules need {} not granted; "
                                 "ask Payman's dashboard for them (a person's grant: run "
                                 "paymand auth login)\n",
                                 missing, missing == 1 ? "" : "s", missing == 1 ? "is" : "are");
        return exit_failure;
    }
    return exit_ok;
}

int run_auth_test(const auth_args& args)
{
    // With --config, the rules tell which scopes are needed; they must load first.
    std::vector<inspect::scope_need> needed;
    std::optional<daemon::loaded> loaded;
    if (!args.config.empty()) {
        loaded = load_for_auth(args.config);
        if (!loaded) return exit_failure;
        needed = inspect::required_scopes(*loaded->rules);
    }
    boost::asio::io_context io;
    user_mode_client user;
    std::optional<payman::client> client;
    if (loaded && loaded->config.grant.mode == config::grant_mode::authorization_code) {
        user = make_user_client(io.get_executor(), loaded->config, args);
        if (!user.client) return user.exit;
        client = std::move(user.client);
    } else {
        auto made = make_command_client(io.get_executor(), "paymand auth test", args.config,
                                        args.ca_file, args.verbose);
        if (!made) {
            std::cerr << "paymand auth test: error: " << made.error().what() << "\n";
            return exit_failure;
        }
        client = std::move(*made);
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
    if (!*token) return report_token_failure(args, user, token->error());
    const auto granted_text = client->stats().granted_scope;
    if (args.json) return print_token_json(**token, granted_text, needed);
    return print_token_text(**token, granted_text, needed);
}

struct grant_args {
    std::string config = "/etc/paymand/paymand.yaml";
};

// `paymand auth status`: the grant in force, read-only (no lock, no network, never a token).
int run_auth_status(const grant_args& args)
{
    auto loaded = load_for_auth(args.config);
    if (!loaded) return exit_failure;
    const auto& cfg = loaded->config;
    const auto needed = inspect::required_scopes(*loaded->rules);
    if (cfg.grant.mode == config::grant_mode::client_credentials) {
        fmt::print("mode: client_credentials (the app's own wallets; `paymand auth test` checks "
                   "the credentials and scopes)\n");
        std::error_code ec;
        if (std::filesystem::exists(cfg.grant_path(), ec))
            fmt::print("  a stored grant {} is not used in this mode (`paymand auth logout` "
                       "deletes it)\n",
                       cfg.grant_path().string());
        return exit_ok;
    }
    fmt::print("mode: authorization_code (a person's wallets, through the grant they approved)\n");
    auto held = grant::load_grant(cfg.grant_path());
    if (!held) {
        std::cerr << "paymand auth status: error: " << held.error().message << "\n";
        return exit_failure;
    }
    if (!*held) {
        fmt::print("CRITICAL: no grant is stored in {}: the daemon refuses to start; run "
                   "paymand auth login --config {}\n",
                   cfg.grant_path().string(), args.config);
        return exit_no_grant;
    }
    const auto& g = **held;
    const auto now = core::now_seconds();
    fmt::print("grant: {} (client {}, approved {})\n", cfg.grant_path().string(), g.client_id,
               audit::format_utc(g.granted_at));
    std::set<std::string> granted(g.scopes.begin(), g.scopes.end());
    fmt::print("  scopes granted: {}\n", g.scopes.empty() ? "none" : grant::join_scopes(g.scopes));
    const int missing = print_scope_needs(granted, needed, "    ");
    if (g.access_expires)
        fmt::print("  access token: the last one {} {} (the daemon renews it itself)\n",
                   *g.access_expires > now ? "is valid until" : "expired at",
                   audit::format_utc(*g.access_expires));
    fmt::print("  refresh token: issued {} ({} ago), {} rotation{}; unused for 30 days it "
               "expires\n",
               audit::format_utc(g.refresh_issued_at), age_text(now - g.refresh_issued_at),
               g.rotations, g.rotations == 1 ? "" : "s");
    if (g.refused_at) {
        fmt::print("CRITICAL: {} (refused at {}: {})\n", daemon::grant_invalid_line,
                   audit::format_utc(*g.refused_at), g.refused_reason);
        return exit_no_grant;
    }
    if (cfg.client_id != g.client_id) {
        fmt::print("CRITICAL: the grant is for client {} but payman.client_id is {}: run paymand "
                   "auth login\n",
                   g.client_id, cfg.client_id);
        return exit_no_grant;
    }
    fmt::print("  state: valid{}\n",
               missing > 0 ? "; but scopes the rules need are missing: run paymand auth login"
                           : "");
    return missing > 0 ? exit_failure : exit_ok;
}

// `paymand auth logout`: deletes the stored grant (the daemon must be stopped).
int run_auth_logout(const grant_args& args)
{
    constexpr std::string_view prefix = "paymand auth logout";
    auto loaded = load_for_auth(args.config);
    if (!loaded) return exit_failure;
    const auto& cfg = loaded->config;
    int exit = exit_failure;
    auto store = lock_state(cfg, prefix, exit);
    if (!store) return exit;
    auto held = grant::load_grant(cfg.grant_path());
    auto removed = grant::remove_grant(cfg.grant_path());
    if (!removed) {
        std::cerr << prefix << ": error: " << removed.error().message << "\n";
        return exit_cant_create;
    }
    if (!*removed) {
        fmt::print("no grant was stored in {}\n", cfg.grant_path().string());
        return exit_ok;
    }
    audit::grant_record record{.event = audit::grant_event::removed,
                               .client_id = cfg.client_id,
                               .scopes = {},
                               .access_expires = std::nullopt,
                               .rotation = 0,
                               .reason = std::string("paymand auth logout")};
    if (held && *held) {
        record.client_id = (*held)->client_id;
        record.scopes = grant::join_scopes((*held)->scopes);
        record.rotation = (*held)->rotations;
    }
    if (!append_record(*store, std::move(record), prefix)) return exit_cant_create;
    fmt::print("deleted the stored grant {}; paymand can no longer act for that person. The "
               "refresh token stays valid at Payman until it expires unused (30 days): revoke "
               "the app's access in Payman's dashboard to end it now\n",
               cfg.grant_path().string());
    return exit_ok;
}

}  // namespace

command add_auth_command(CLI::App& parent)
{
    auto args = std::make_shared<auth_args>();
    auto* auth = parent.add_subcommand(
        "auth", "Check the Payman credentials; log in to, show or delete a person's grant");
    auth->require_subcommand(1);
    auto* test = auth->add_subcommand(
        "test", "Fetch an access token (no ask is sent) and compare the granted scopes with "
                "those the rules need");
    test->add_option("-c,--config", args->config,
                     "The daemon's configuration: endpoint, client id, secret source, and the "
                     "rules whose scopes are checked (default: the PAYMAN_* variables when "
                     "PAYMAN_CLIENT_ID is set, else /etc/paymand/paymand.yaml)");
    test->add_option("--ca-file", args->ca_file, "PEM file of CA certificates to trust")
        ->check(CLI::ExistingFile);
    test->add_flag("-v,--verbose", args->verbose, "Log the token steps (never secrets)");
    test->add_flag("--json", args->json,
                   "One JSON object on stdout: authenticated, expires_in_s, granted_scopes, "
                   "needed (scope, why, granted), missing; or authenticated false, refused, "
                   "error");
    test->footer("Exit codes: 0 authenticated (and every needed scope granted), 1 credentials\n"
                 "refused, a needed scope missing or bad input, 2 usage, 69 Payman unreachable,\n"
                 "75 the daemon runs (authorization_code mode: a test would rotate its refresh\n"
                 "token), 77 no valid grant stored.\n"
                 "Example: paymand auth test --config /etc/paymand/paymand.yaml");

    auto login_a = std::make_shared<login_args>();
    auto* login = auth->add_subcommand(
        "login", "Ask a person to approve access to their wallets in a browser and store the "
                 "grant (payman.grant: authorization_code)");
    login->add_option("-c,--config", login_a->config, "Configuration file")->capture_default_str();
    login->add_option("--scopes", login_a->scopes,
                      "Scopes to ask for, comma-separated (default: those the rules need)");
    login->add_flag("--no-listen", login_a->no_listen,
                    "Do not listen for the browser: print the URL and read the redirected URL "
                    "pasted back (a server without a browser or port forwarding)");
    login->add_flag("--no-browser", login_a->no_browser, "Do not run xdg-open");
    login
        ->add_option("--timeout", login_a->timeout_s,
                     "Seconds to wait for the browser to come back")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    login->footer("Exit codes: 0 grant stored, 1 configuration or exchange refused, 2 usage,\n"
                  "3 access denied on the consent page, 4 the redirect's state is not this\n"
                  "login's (forged or stale), 5 the server refused the scopes or failed, 6 no\n"
                  "browser came back in time, 69 Payman unreachable, 73 state not writable,\n"
                  "75 the daemon is running (stop it first).\n"
                  "Example: paymand auth login --config /etc/paymand/paymand.yaml");

    auto status_a = std::make_shared<grant_args>();
    auto* status = auth->add_subcommand(
        "status", "Show the grant in force: mode, scopes granted against those needed, token "
                  "expiry and age (never the tokens)");
    status->add_option("-c,--config", status_a->config, "Configuration file")
        ->capture_default_str();
    status->footer("Exit codes: 0 ok, 1 configuration error or a needed scope missing, 2 usage,\n"
                   "77 no valid grant (none stored, or refused by the server: run paymand auth\n"
                   "login).");

    auto logout_a = std::make_shared<grant_args>();
    auto* logout = auth->add_subcommand("logout", "Delete the stored grant (the daemon must be "
                                                  "stopped)");
    logout->add_option("-c,--config", logout_a->config, "Configuration file")
        ->capture_default_str();
    logout->footer("Exit codes: 0 deleted or none stored, 1 configuration error, 2 usage, 73 the\n"
                   "state directory cannot be written, 75 the daemon is running.");

    return command{auth, [args, test, login_a, login, status_a, status, logout_a, logout] {
                       if (login->parsed()) return run_auth_login(*login_a);
                       if (status->parsed()) return run_auth_status(*status_a);
                       if (logout->parsed()) return run_auth_logout(*logout_a);
                       if (!test->parsed()) return static_cast<int>(exit_usage);
                       // Without --config: the PAYMAN_* variables when they name a client,
                       // else the daemon's own configuration.
                       if (args->config.empty() && std::getenv("PAYMAN_CLIENT_ID") == nullptr)
                           args->config = "/etc/paymand/paymand.yaml";
                       return run_auth_test(*args);
                   }};
}

}  // namespace paymand::app
