#pragma once

// Building a Payman client for a CLI command from where credentials come from: for now the
// environment (PAYMAN_*), with --ca-file on top; `--config` (the engine's file) plugs in here.

#include "paymand/payman/client.hpp"
#include "paymand/payman/settings.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::app {

struct client_overrides {
    // The daemon's configuration file: endpoint, client id, secret source and timeouts come
    // from it instead of the PAYMAN_* variables.
    std::optional<std::filesystem::path> config_file;
    std::optional<std::filesystem::path> ca_file;
    bool verbose = false;  // log debug lines too
};

// Reads the settings (the configuration file when given, else the environment), applies
// the overrides and builds a client-credentials
// client with the default timeouts. Errors say which variable or option to fix.
boost::system::result<payman::client, payman::client_error>
make_cli_client(boost::asio::any_io_executor executor, const client_overrides& overrides,
                const payman::env_lookup& getenv, payman::logger logger);

// What `ask` and `auth test` share: the client from `config` (empty: PAYMAN_* variables of
// this process) with `ca_file` (empty: none), logging its steps to stderr as
// "<prefix>: ..." when `verbose`.
boost::system::result<payman::client, payman::client_error>
make_command_client(boost::asio::any_io_executor executor, std::string_view prefix,
                    const std::string& config, const std::string& ca_file, bool verbose);

}  // namespace paymand::app
