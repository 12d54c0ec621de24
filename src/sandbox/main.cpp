// payman-sandbox: a local server speaking Payman's agent API, for the demo, tests and benchmarks.

#include "paymand/core/build_info.hpp"
#include "sandbox/config.hpp"
#include "sandbox/server.hpp"
#include "sandbox/service.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

namespace {

// Writes `line` + "\n" to `file` through a temporary file and a rename, so a reader never
// sees a partial line.
bool write_atomically(const std::filesystem::path& file, const std::string& line)
{
    std::filesystem::path temp = file;
    temp += ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << line << '\n';
        if (!out.flush()) return false;
    }
    std::error_code ec;
    std::filesystem::rename(temp, file, ec);
    return !ec;
}

namespace sb = paymand::sandbox;

struct options {
    std::string config_file, state_file, url_file, admin_url_file, listen, tls_cert, tls_key;
    bool admin = false;
    std::optional<std::uint64_t> seed;
    std::uint16_t admin_port = 0;
};

void add_options(CLI::App& app, options& o)
{
    app.add_option("--config", o.config_file, "YAML configuration (see docs/sandbox.md)")
        ->required();
    app.add_option("--state", o.state_file,
                   "state file: loaded at start if present, rewritten atomically on every change");
    app.add_option("--url-file", o.url_file, "write the API base URL (ending in /api) here");
    app.add_flag("--admin", o.admin,
                 "serve the admin API (ledger, stats, reset, faults) on loopback");
    app.add_option("--admin-url-file", o.admin_url_file, "write the admin URL here")
        ->needs("--admin");
    app.add_option("--admin-port", o.admin_port, "admin port (default: ephemeral)")
        ->needs("--admin");
    app.add_option("--seed", o.seed, "seed for the agent's choice of phrasings");
    app.add_option("--listen", o.listen, "HOST:PORT to listen on, overriding the configuration");
    app.add_option("--tls-cert", o.tls_cert, "PEM certificate chain, overriding the configuration")
        ->needs(app.add_option("--tls-key", o.tls_key, "PEM private key for --tls-cert"));
}

// The configuration file with the command line's overrides; nullopt, with the reasons on
// stderr, when it is not usable.
std::optional<sb::sandbox_config> configuration(const options& o)
{
    auto loaded = sb::load_config(o.config_file);
    if (!loaded.config) {
        for (const auto& e : loaded.errors) std::cerr << e << '\n';
        return std::nullopt;
    }
    sb::sandbox_config config = std::move(*loaded.config);
    if (!o.listen.empty() && !sb::parse_listen(o.listen, config.listen_host, config.listen_port)) {
        std::cerr << "payman-sandbox: --listen must be HOST:PORT with an IPv4 address, not '"
                  << o.listen << "'\n";
        return std::nullopt;
    }
    if (o.seed) config.seed = *o.seed;
    if (!o.tls_cert.empty()) {
        config.tls_cert = o.tls_cert;
        config.tls_key = o.tls_key;
    }
    return config;
}

// Serves until SIGINT or SIGTERM; the exit status.
int serve(const options& o, sb::service& svc)
{
    std::signal(SIGPIPE, SIG_IGN);
    boost::asio::io_context io{1};
    sb::server srv(io, svc);
    if (auto started = srv.start(o.admin, o.admin_port); !started) {
        std::cerr << "payman-sandbox: " << started.error().message << '\n';
        return 1;
    }
    bool saved = true;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        srv.stop();
        if (auto persisted = svc.persist(); !persisted) {
            std::cerr << "payman-sandbox: " << persisted.error().message << '\n';
            saved = false;
        }
        io.stop();
    });

    std::cout << "payman-sandbox listening on " << srv.base_url() << std::endl;
    if (o.admin) std::cout << "payman-sandbox admin on " << srv.admin_url() << std::endl;
    if (!o.url_file.empty() && !write_atomically(o.url_file, srv.base_url())) {
        std::cerr << "payman-sandbox: cannot write " << o.url_file << '\n';
        return 1;
    }
    if (!o.admin_url_file.empty() && !write_atomically(o.admin_url_file, srv.admin_url())) {
        std::cerr << "payman-sandbox: cannot write " << o.admin_url_file << '\n';
        return 1;
    }
    io.run();
    return saved ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"payman-sandbox: a local, Payman-compatible server for tests and demos.\n"
                 "Example: payman-sandbox --config config/sandbox.yaml --admin"};
    app.set_version_flag("--version", paymand::build_info("payman-sandbox"));
    options o;
    add_options(app, o);
    CLI11_PARSE(app, argc, argv);

    auto config = configuration(o);
    if (!config) return 2;
    std::optional<std::filesystem::path> state_path;
    if (!o.state_file.empty()) state_path = o.state_file;
    sb::service svc(std::move(*config), state_path);
    if (!svc.startup()) {
        std::cerr << "payman-sandbox: " << svc.startup().error().message << '\n';
        return 1;
    }
    if (auto persisted = svc.persist(); !persisted) {
        std::cerr << "payman-sandbox: " << persisted.error().message << '\n';
        return 1;
    }
    return serve(o, svc);
}
