// Both executables answer --version and --help.

#include "paymand/version.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>

namespace paymand::test {
namespace {

class executable : public testing::TestWithParam<std::string> {};

TEST_P(executable, prints_its_version)
{
    auto result = run(our_binary(GetParam()), {.args = {"--version"}});
    ASSERT_TRUE(result.status.ok()) << result.err;
    EXPECT_EQ(result.out.rfind(GetParam() + " " + std::string(version), 0), 0u) << result.out;
}

TEST_P(executable, prints_help_with_an_example)
{
    auto result = run(our_binary(GetParam()), {.args = {"--help"}});
    ASSERT_TRUE(result.status.ok()) << result.err;
    EXPECT_NE(result.out.find("Example:"), std::string::npos) << result.out;
}

TEST_P(executable, rejects_an_unknown_option_with_usage_exit_code)
{
    auto result = run(our_binary(GetParam()), {.args = {"--no-such-option"}});
    EXPECT_TRUE(result.status.exited);
    EXPECT_NE(result.status.code, 0);
}

INSTANTIATE_TEST_SUITE_P(both, executable, testing::Values("paymand", "payman-sandbox"));

}  // namespace
}  // namespace paymand::test
