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

}  // namespace

int main(int argc, char** argv)
{
    namespace sb = paymand::sandbox;
    CLI::App app{"payman-sandbox: a local, Payman-compatible server for tests and demos.\n"
                 "Example: payman-sandbox --config config/sandbox.yaml --admin"};
    app.set_version_flag("--version", paymand::build_info("payman-sandbox"));
    std::string config_file, state_file, url_file, admin_url_file, listen, tls_cert, tls_key;
    bool admin = false;
    std::optional<std::uint64_t> seed;
    std::uint16_t admin_port = 0;
    app.add_option("--config", config_file, "YAML configuration (see docs/sandbox.md)")->required();
    app.add_option("--state", state_file,
                   "state file: loaded at start if present, rewritten atomically on every change");
    app.add_option("--url-file", url_file, "write the API base URL (ending in /api) here");
    app.add_flag("--admin", admin,
                 "serve the admin API (ledger, stats, reset, faults) on loopback");
    app.add_option("--admin-url-file", admin_url_file, "write the admin URL here")
        ->needs("--admin");
    app.add_option("--admin-port", admin_port, "admin port (default: ephemeral)")->needs("--admin");
    app.add_option("--seed", seed, "seed for the agent's choice of phrasings");
    app.add_option("--listen", listen, "HOST:PORT to listen on, overriding the configuration");
    app.add_option("--tls-cert", tls_cert, "PEM certificate chain, overriding the configuration")
        ->needs(app.add_option("--tls-key", tls_key, "PEM private key for --tls-cert"));
    CLI11_PARSE(app, argc, argv);

    auto loaded = sb::load_config(config_file);
    if (!loaded.config) {
        for (const auto& e : loaded.errors) std::cerr << e << '\n';
        return 2;
    }
    sb::sandbox_config config = std::move(*loaded.config);
    if (!listen.empty() && !sb::parse_listen(listen, config.listen_host, config.listen_port)) {
        std::cerr << "payman-sandbox: --listen must be HOST:PORT with an IPv4 address, not '"
                  << listen << "'\n";
        return 2;
    }
    if (seed) config.seed = *seed;
    if (!tls_cert.empty()) {
        config.tls_cert = tls_cert;
        config.tls_key = tls_key;
    }

    std::optional<std::filesystem::path> state_path;
    if (!state_file.empty()) state_path = state_file;
    sb::service svc(std::move(config), state_path);
    if (!svc.startup_error().empty()) {
        std::cerr << "payman-sandbox: " << svc.startup_error() << '\n';
        return 1;
    }
    std::string error;
    if (!svc.persist(error)) {
        std::cerr << "payman-sandbox: " << error << '\n';
        return 1;
    }

    std::signal(SIGPIPE, SIG_IGN);
    boost::asio::io_context io{1};
    sb::server srv(io, svc);
    if (auto failure = srv.start(admin, admin_port)) {
        std::cerr << "payman-sandbox: " << *failure << '\n';
        return 1;
    }
    bool saved = true;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        srv.stop();
        std::string save_error;
        if (!svc.persist(save_error)) {
            std::cerr << "payman-sandbox: " << save_error << '\n';
            saved = false;
        }
        io.stop();
    });

    std::cout << "payman-sandbox listening on " << srv.base_url() << std::endl;
    if (admin) std::cout << "payman-sandbox admin on " << srv.admin_url() << std::endl;
    if (!url_file.empty() && !write_atomically(url_file, srv.base_url())) {
        std::cerr << "payman-sandbox: cannot write " << url_file << '\n';
        return 1;
    }
    if (!admin_url_file.empty() && !write_atomically(admin_url_file, srv.admin_url())) {
        std::cerr << "payman-sandbox: cannot write " << admin_url_file << '\n';
        return 1;
    }
    io.run();
    return saved ? 0 : 1;
}
