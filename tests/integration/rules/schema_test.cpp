// The JSON Schemas of schema/, as an editor's YAML language server uses them: rules.json (rule
// files) and paymand.json (the daemon's configuration). Every example and every configuration
// the documentation shows validates, each known-bad file is rejected (and, for configurations,
// refused by paymand's own reader too, so that the corpus stays meaningful), and every example
// points editors at the schema where the package installs it. That the schema and the reader
// know the same keys is tests/unit/config/config_schema_test.cpp; that the `$schema` lines
// resolve after installation, tests/integration/systemd/package_test.cpp.

#include "paymand/config/daemon_config.hpp"
#include "paymand/core/error.hpp"
#include "support/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

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

// A test's name from its fixture's file name: bad-enum.yaml -> bad_enum.
std::string fixture_name(const testing::TestParamInfo<std::filesystem::path>& info)
{
    auto name = info.param.stem().string();
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

run_result validate(const std::vector<std::filesystem::path>& files,
                    std::string_view schema = "schema/rules.json")
{
    std::vector<std::string> args{
        source_path("tests/integration/rules/validate_schema.py").string(),
        source_path(schema).string()};
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
        EXPECT_EQ(first, "# yaml-language-server: $schema=/usr/share/paymand/schema/rules.json")
            << f;
    }
    std::ifstream config(source_path("config/paymand.yaml"));
    std::string first;
    std::getline(config, first);
    EXPECT_EQ(first, "# yaml-language-server: $schema=/usr/share/paymand/schema/paymand.json");
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
    fixture_name);

// Whether paymand's own reader accepts `text` as a configuration; if not, its diagnostics.
core::result<void> reader_accepts(const std::string& text)
{
    yaml::diagnostics diags;
    auto config = config::parse_daemon_config(
        text, "paymand.yaml", "/etc/paymand", [](const char*) -> const char* { return nullptr; },
        diags);
    if (!config)
        return core::error{.code = make_error_code(boost::system::errc::invalid_argument),
                           .message = diags.to_string()};
    return {};
}

// The ```yaml blocks of `markdown` whose top-level keys are keys of the configuration.
std::vector<std::string> config_blocks(const std::filesystem::path& markdown,
                                       const YAML::Node& root_keys)
{
    std::vector<std::string> blocks;
    std::istringstream in(read_file(markdown));
    std::string block;
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        if (!inside && line == "```yaml") {
            inside = true;
            block.clear();
        } else if (inside && line == "```") {
            inside = false;
            auto node = YAML::Load(block);
            if (!node.IsMap()) continue;
            bool config = false;
            for (const auto& kv : node) config = config || root_keys[kv.first.Scalar()].IsDefined();
            if (config) blocks.push_back(block);
        } else if (inside) {
            block += line + "\n";
        }
    }
    return blocks;
}

TEST(config_schema, the_shipped_configuration_validates)
{
    auto result = validate({source_path("config/paymand.yaml")}, "schema/paymand.json");
    EXPECT_TRUE(result.status.ok()) << result.out << result.err;
}

// Each configuration fragment the documentation shows, put into the shipped configuration in
// place of the keys it names: the schema and paymand's reader both accept it.
TEST(config_schema, every_documented_configuration_validates)
{
    const auto schema = YAML::LoadFile(source_path("schema/paymand.json").string());
    const auto root_keys = schema["properties"];
    temp_dir dir;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(source_path("docs"))) {
        if (entry.path().extension() != ".md") continue;
        int n = 0;
        for (const auto& block : config_blocks(entry.path(), root_keys)) {
            auto config = YAML::LoadFile(source_path("config/paymand.yaml").string());
            for (const auto& kv : YAML::Load(block)) config[kv.first.Scalar()] = kv.second;
            YAML::Emitter out;
            out << config;
            auto accepted = reader_accepts(out.c_str());
            EXPECT_TRUE(accepted.has_value())
                << entry.path() << " block:\n"
                << block << (accepted ? std::string() : accepted.error().message);
            files.push_back(dir.write(
                entry.path().stem().string() + "-" + std::to_string(++n) + ".yaml", out.c_str()));
        }
    }
    // configuration.md points at the example; operations.md, metrics.md, prompts.md and
    // rules.md show fragments.
    EXPECT_GE(files.size(), 4u);
    auto result = validate(files, "schema/paymand.json");
    EXPECT_TRUE(result.status.ok()) << result.out << result.err;
}

// One validator run for the whole corpus (a Python start-up per file would cost seconds).
TEST(config_schema, each_known_bad_configuration_is_rejected_by_the_schema_and_by_paymand)
{
    const auto files = yaml_files(source_path("tests/fixtures/config/schema-invalid"));
    ASSERT_GE(files.size(), 10u);
    auto result = validate(files, "schema/paymand.json");
    EXPECT_TRUE(result.status.exited) << result.err;
    EXPECT_EQ(result.status.code, 1) << result.out << result.err;
    for (const auto& f : files) {
        EXPECT_THAT(result.out, HasSubstr("invalid " + f.string() + ": ")) << result.out;
        EXPECT_FALSE(reader_accepts(read_file(f)).has_value()) << f;
    }
}

}  // namespace
}  // namespace paymand::test
