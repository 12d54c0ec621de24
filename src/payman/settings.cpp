#include "paymand/payman/settings.hpp"

#include <fmt/format.h>

namespace paymand::payman {

boost::system::result<client_settings, client_error>
settings_from_environment(const env_lookup& getenv)
{
    auto read = [&](const char* name) -> std::optional<std::string> {
        const char* value = getenv(name);
        if (!value || !*value) return std::nullopt;
        return std::string(value);
    };
    auto missing = [](payman_errc code, const char* name, const char* what) {
        return core::extend(
            {.code = code,
             .message = fmt::format("{} is not set: export it with your {}", name, what)},
            client_error{.kind = error_class::not_sent});
    };

    client_settings s;
    auto id = read("PAYMAN_CLIENT_ID");
    if (!id) return missing(payman_errc::missing_client_id, "PAYMAN_CLIENT_ID", "Payman client id");
    s.client_id = std::move(*id);
    {
        const char* value = getenv("PAYMAN_CLIENT_SECRET");
        if (!value || !*value)
            return missing(payman_errc::missing_client_secret, "PAYMAN_CLIENT_SECRET",
                           "client secret");
        s.client_secret = secret(value);
    }
    if (auto env = read("PAYMAN_ENVIRONMENT")) {
        auto parsed = parse_environment(*env);
        if (!parsed) {
            auto e = parsed.error();
            e.message = "PAYMAN_ENVIRONMENT must be \"test\" or \"live\"";
            return e;
        }
        s.environment = *parsed;
    }
    s.base_url = read("PAYMAN_BASE_URL");
    if (auto ca = read("PAYMAN_CA_FILE")) s.ca_file = std::filesystem::path(*ca);
    return s;
}

}  // namespace paymand::payman
