// Every file in tests/fixtures/hostile/ must be refused with exactly the errors written next to
// it in <name>.expected: the exact standard error of
//   cd tests/fixtures/hostile/rules  && paymand check --no-config <name>.yaml
//   cd tests/fixtures/hostile/config && env -u PAYMAN_CLIENT_ID paymand check --config <name>.yaml
// (every "file:line:col: error: ..." line, then the "paymand check: N errors" line). The
// loaders are called as `check` calls them: rule files under the permissive policy, the
// configuration with its own directory as base and without PAYMAN_* variables.

#include "paymand/config/daemon_config.hpp"
#include "paymand/rules/rule_loader.hpp"
#include "support/process.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace paymand::hostile {
namespace {

using test::read_file;

std::vector<std::filesystem::path> files_in(std::string_view folder, std::string_view extension)
{
    std::vector<std::filesystem::path> files;
    auto dir = test::source_path(std::string("tests/fixtures/hostile/") + std::string(folder));
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == extension) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

// What `paymand check` prints to stderr for these diagnostics.
std::string check_stderr(const yaml::diagnostics& diags)
{
    return diags.to_string() +
           fmt::format("paymand check: {} error{}\n", diags.size(), diags.size() == 1 ? "" : "s");
}

std::string expected_for(const std::filesystem::path& file)
{
    auto expected = file;
    expected.replace_extension(".expected");
    EXPECT_TRUE(std::filesystem::exists(expected)) << expected;
    return read_file(expected);
}

std::string test_name(const testing::TestParamInfo<std::filesystem::path>& info)
{
    auto name = info.param.stem().string();
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

class hostile_rule_file : public testing::TestWithParam<std::filesystem::path> {};

TEST_P(hostile_rule_file, is_refused_with_exactly_its_expected_errors)
{
    const auto& path = GetParam();
    const auto policy = rules::permissive_policy();  // the loader keeps a reference
    yaml::diagnostics diags;
    rules::rule_loader loader(policy, diags);
    loader.add_file(path, path.filename().string());
    EXPECT_FALSE(loader.finish()) << "loaded although it is hostile";
    EXPECT_EQ(check_stderr(diags), expected_for(path));
}

INSTANTIATE_TEST_SUITE_P(corpus, hostile_rule_file, testing::ValuesIn(files_in("rules", ".yaml")),
                         test_name);

class hostile_config_file : public testing::TestWithParam<std::filesystem::path> {};

TEST_P(hostile_config_file, is_refused_with_exactly_its_expected_errors)
{
    const auto& path = GetParam();
    const config::env_lookup no_environment = [](const char*) -> const char* { return nullptr; };
    yaml::diagnostics diags;
    auto cfg = config::parse_daemon_config(read_file(path), path.filename().string(),
                                           path.parent_path(), no_environment, diags);
    EXPECT_FALSE(cfg) << "loaded although it is hostile";
    EXPECT_EQ(check_stderr(diags), expected_for(path));
}

INSTANTIATE_TEST_SUITE_P(corpus, hostile_config_file,
                         testing::ValuesIn(files_in("config", ".yaml")), test_name);

TEST(hostile_corpus, has_at_least_forty_files_and_every_expectation_has_its_file)
{
    std::size_t files = 0;
    for (auto folder : {"rules", "config"}) {
        files += files_in(folder, ".yaml").size();
        for (const auto& expected : files_in(folder, ".expected")) {
            auto yaml = expected;
            yaml.replace_extension(".yaml");
            EXPECT_TRUE(std::filesystem::exists(yaml)) << "stray " << expected;
        }
    }
    EXPECT_GE(files, 40u);
}

}  // namespace
}  // namespace paymand::hostile
