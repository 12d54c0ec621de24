#include "paymand/core/build_info.hpp"

#include "paymand/version.hpp"

#include <boost/version.hpp>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <spdlog/version.h>
#include <yaml-cpp/yaml.h>

namespace paymand {

std::string build_info(std::string_view program)
{
    // OpenSSL is linked dynamically: report the library actually loaded, not the header.
    return fmt::format("{} {} (Boost {}.{}.{}, {}, fmt {}.{}.{}, spdlog {}.{}.{})", program,
                       version, BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000,
                       BOOST_VERSION % 100, OpenSSL_version(OPENSSL_VERSION), FMT_VERSION / 10000,
                       FMT_VERSION / 100 % 100, FMT_VERSION % 100, SPDLOG_VER_MAJOR,
                       SPDLOG_VER_MINOR, SPDLOG_VER_PATCH);
}

}  // namespace paymand
