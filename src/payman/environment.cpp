#include "paymand/payman/environment.hpp"

#include "paymand/net/endpoint.hpp"
#include "paymand/text/word_table.hpp"

#include <fmt/format.h>

namespace paymand::payman {

namespace {

constexpr auto environment_words = text::make_word_table<environment>({
    {environment::test, "test"},
    {environment::live, "live"},
});

}  // namespace

std::string_view to_string(environment e) noexcept
{
    return environment_words.word(e, "live");
}

boost::system::result<environment, client_error> parse_environment(std::string_view text)
{
    if (const auto e = environment_words.parse(text)) return *e;
    return core::extend({.code = payman_errc::unknown_environment,
                         .message = "environment must be \"test\" or \"live\""},
                        client_error{.kind = error_class::not_sent});
}

boost::system::result<std::string, client_error>
select_base_url(std::optional<environment> env, const std::optional<std::string>& base_url,
                std::string_view client_id)
{
    const bool test_id = client_id.starts_with(test_client_prefix);
    if (test_id && env == environment::live) {
        return core::extend(
            {.code = payman_errc::test_credentials_on_live,
             .message = fmt::format("client id starts with \"{}\" (test credentials) but the "
                                    "environment is live; use environment test or live credentials",
                                    test_client_prefix)},
            client_error{.kind = error_class::not_sent});
    }
    if (base_url) return *base_url;
    if (env) return std::string(*env == environment::test ? test_base_url : live_base_url);
    return std::string(test_id ? test_base_url : live_base_url);
}

}  // namespace paymand::payman
