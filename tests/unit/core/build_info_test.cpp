#include "paymand/core/build_info.hpp"
#include "paymand/version.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using testing::HasSubstr;
using testing::StartsWith;

TEST(build_info, names_program_and_version_first)
{
    EXPECT_THAT(paymand::build_info("paymand"),
                StartsWith("paymand " + std::string(paymand::version) + " ("));
}

TEST(build_info, names_the_loaded_openssl_and_boost)
{
    auto info = paymand::build_info("x");
    EXPECT_THAT(info, HasSubstr("OpenSSL 3."));
    EXPECT_THAT(info, HasSubstr("Boost 1.81."));
}
