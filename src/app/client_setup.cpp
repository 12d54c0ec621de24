#include "app/client_setup.hpp"

#include "paymand/config/daemon_config.hpp"
#include "paymand/config/secret_source.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <iostream>

namespace paymand::app {

boost::system::result<payman::client, payman::client_error>
make_cli_client(boost::asio::any_io_executor executor, const client_overrides& overrides,
                const payman::env_lookup& getenv, payman::logger logger)
{
    // This command is about to hold the secret: no core file, no reading of its memory or
    // environment by other processes of the same user.
    config::protect_process();
    if (overrides.config_file) {
        // Exactly what the daemon would use: its file, its secret source.
        yaml::diagnostics diags;
        auto cfg = config::load_daemon_config(*overrides.config_file, getenv, diags);
        if (!cfg) {
            std::string text = diags.to_string();
            if (!text.empty() && text.back() == '\n') text.pop_back();
            return core::extend({.code = payman::payman_errc::invalid_config, .message = text},
                                payman::client_error{.kind = payman::error_class::not_sent});
        }
        if (cfg->grant.mode == config::grant_mode::authorization_code)
            // Client credentials would act on the app's own wallets, not the person's; and
            // renewing the person's grant here would spend the daemon's refresh token.
            return core::extend(
                {.code = payman::payman_errc::invalid_config,
                 .message = fmt::format("{}: payman.grant is authorization_code: this command "
                                        "works with client credentials only; use paymand auth "
                                        "test (daemon stopped) or a configuration without the "
                                        "grant",
                                        overrides.config_file->string())},
                payman::client_error{.kind = payman::error_class::not_sent});
        auto secret = config::load_secret(cfg->client_secret, getenv);
        config::forget_secret_environment(cfg->client_secret);
        if (!secret)
            return core::extend({.code = payman::payman_errc::missing_client_secret,
                                 .message = secret.error().message},
                                payman::client_error{.kind = payman::error_class::not_sent});
        auto config = cfg->client;
        if (overrides.ca_file) config.http.ca_file = overrides.ca_file;
        config.logger = std::move(logger);
        config.log_threshold =
            overrides.verbose ? payman::log_level::debug : payman::log_level::info;
        return payman::client::with_credentials(std::move(executor), std::move(config),
                                                cfg->client_id, std::move(*secret));
    }
    auto settings = payman::settings_from_environment(getenv);
    config::forget_secret_environment({config::secret_source::kind::automatic, {}});
    if (!settings) return settings.error();
    payman::client_config config;
    config.environment = settings->environment;
    config.base_url = settings->base_url;
    config.http.ca_file = overrides.ca_file ? overrides.ca_file : settings->ca_file;
    config.logger = std::move(logger);
    config.log_threshold = overrides.verbose ? payman::log_level::debug : payman::log_level::info;
    return payman::client::with_credentials(std::move(executor), std::move(config),
                                            std::move(settings->client_id),
                                            std::move(settings->client_secret));
}

boost::system::result<payman::client, payman::client_error>
make_command_client(boost::asio::any_io_executor executor, std::string_view prefix,
                    const std::string& config, const std::string& ca_file, bool verbose)
{
    payman::logger logger;
    if (verbose)
        logger = [p = std::string(prefix)](payman::log_level, std::string_view line) {
            std::cerr << p << ": " << line << "\n";
        };
    client_overrides overrides;
    overrides.verbose = verbose;
    if (!ca_file.empty()) overrides.ca_file = ca_file;
    if (!config.empty()) overrides.config_file = config;
    return make_cli_client(
        std::move(executor), overrides, [](const char* name) { return std::getenv(name); },
        std::move(logger));
}

}  // namespace paymand::app
