// rules/schema.json, as an editor's YAML language server uses it: every example rule file
// validates, each known-bad file is rejected, and every example points editors at the schema.

#include "support/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

namespace paymand::test {
namespace {

using testing::HasSubstr;

std::vector<std::filesystem::path> yaml_files(const std::filesystem::path& dir)
{
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".yaml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

run_result validate(const std::vector<std::filesystem::path>& files)
{
    std::vector<std::string> args{
        source_path("tests/integration/rules/validate_schema.py").string(),
        source_path("rules/schema.json").string()};
    for (const auto& f : files) args.push_back(f.string());
    return run("/usr/bin/python3", {.args = args});
}

TEST(rule_schema, every_example_validates)
{
    auto examples = yaml_files(source_path("rules"));
    ASSERT_GE(examples.size(), 3u);
    auto result = validate(examples);
    EXPECT_TRUE(result.status.ok()) << result.out << result.err;
    for (const auto& f : examples) EXPECT_THAT(result.out, HasSubstr("ok " + f.string()));
}

TEST(rule_schema, every_example_names_the_schema_on_its_first_line)
{
    for (const auto& f : yaml_files(source_path("rules"))) {
        std::ifstream in(f);
        std::string first;
        std::getline(in, first);
        EXPECT_EQ(first, "# yaml-language-server: $schema=./schema.json") << f;
    }
}

class invalid_for_schema : public testing::TestWithParam<std::filesystem::path> {};

TEST_P(invalid_for_schema, is_rejected)
{
    auto result = validate({GetParam()});
    EXPECT_TRUE(result.status.exited) << result.err;
    EXPECT_EQ(result.status.code, 1) << result.out << result.err;
    EXPECT_THAT(result.out, HasSubstr("invalid " + GetParam().string()));
}

INSTANTIATE_TEST_SUITE_P(
    corpus, invalid_for_schema,
    testing::ValuesIn(yaml_files(source_path("tests/fixtures/rules/schema-invalid"))),
    [](const auto& info) {
        auto name = info.param.stem().string();
        std::replace(name.begin(), name.end(), '-', '_');
        return name;
    });

}  // namespace
}  // namespace paymand::test
