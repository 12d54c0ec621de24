// Every subcommand an operator reaches for explains itself: --help with an example and its
// exit codes.

#include "support/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace paymand::test {
namespace {

using testing::HasSubstr;

class subcommand_help : public testing::TestWithParam<std::string> {};

TEST_P(subcommand_help, has_an_example_and_its_exit_codes)
{
    std::vector<std::string> args;
    std::istringstream words(GetParam());
    for (std::string w; words >> w;) args.push_back(w);
    args.push_back("--help");
    auto r = run(our_binary("paymand"), {.args = args});
    EXPECT_EQ(r.status.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("Example: paymand " + GetParam()));
    EXPECT_THAT(r.out, HasSubstr("Exit codes:"));
}

INSTANTIATE_TEST_SUITE_P(all, subcommand_help,
                         testing::Values("run", "trigger", "check", "next", "simulate", "status",
                                         "audit verify", "audit tail", "audit report",
                                         "audit resolve", "auth test", "ask"),
                         [](const auto& info) {
                             std::string name = info.param;
                             std::replace(name.begin(), name.end(), ' ', '_');
                             return name;
                         });

}  // namespace
}  // namespace paymand::test
