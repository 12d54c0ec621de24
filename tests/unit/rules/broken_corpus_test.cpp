// Every file in tests/fixtures/rules/broken/ must produce exactly the errors written next to
// it in <name>.errors, checked against the example policy.

#include "paymand/rules/rule_loader.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace paymand::rules {
namespace {

using test::read_file;

std::vector<std::filesystem::path> corpus()
{
    std::vector<std::filesystem::path> files;
    for (const auto& e :
         std::filesystem::directory_iterator(test::source_path("tests/fixtures/rules/broken")))
        if (e.path().extension() == ".yaml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

class broken_rule_file : public testing::TestWithParam<std::filesystem::path> {};

TEST_P(broken_rule_file, produces_exactly_its_expected_errors)
{
    yaml::diagnostics policy_diags;
    auto pol = load_policy_file(test::source_path("tests/fixtures/rules/policy.yaml"),
                                "policy.yaml", policy_diags);
    ASSERT_TRUE(pol) << policy_diags.to_string();

    const auto& path = GetParam();
    auto expected_path = path;
    expected_path.replace_extension(".errors");
    ASSERT_TRUE(std::filesystem::exists(expected_path)) << expected_path;

    yaml::diagnostics diags;
    rule_loader loader(*pol, diags);
    loader.add_file(path, path.filename().string());
    EXPECT_FALSE(loader.finish());
    EXPECT_EQ(diags.to_string(), read_file(expected_path));
}

INSTANTIATE_TEST_SUITE_P(corpus, broken_rule_file, testing::ValuesIn(corpus()),
                         [](const auto& info) {
                             auto name = info.param.stem().string();
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

TEST(broken_rule_corpus, is_not_empty)
{
    EXPECT_GE(corpus().size(), 20u);
}

}  // namespace
}  // namespace paymand::rules
