#include "app/client_setup.hpp"

namespace paymand::app {

boost::system::result<payman::client, payman::client_error>
make_cli_client(boost::asio::any_io_executor executor, const client_overrides& overrides,
                const payman::env_lookup& getenv, payman::logger logger)
{
    auto settings = payman::settings_from_environment(getenv);
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

}  // namespace paymand::app
