// docs/man/paymand.8 renders cleanly with man(1) and groff, and documents every subcommand
// the binary has.

#include "integration/systemd/tools.hpp"
#include "support/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>

namespace paymand::test {
namespace {

using testing::HasSubstr;

std::filesystem::path man_page()
{
    return source_path("docs/man/paymand.8");
}

// man(1) formatting to stdout at 80 columns: no pager, no terminal escapes.
process_params man_params(std::vector<std::string> args)
{
    return {.args = std::move(args),
            .env = {"MANWIDTH=80", "MANPAGER=cat", "PAGER=cat",
                    "MAN_KEEP_FORMATTING=", "LANG=C.UTF-8", "LC_ALL=C.UTF-8"},
            .unset_env = {"MANOPT", "MAN_KEEP_FORMATTING"}};
}

// The subcommand names of a CLI11 --help text ("Subcommands:" then "  name  description").
std::vector<std::string> subcommands(const std::string& help)
{
    std::vector<std::string> names;
    bool in_list = false;
    static const std::regex entry(R"(^  ([a-z][a-z-]*)\s.*)");
    for (const auto& line : split_lines(help)) {
        if (line == "Subcommands:") {
            in_list = true;
            continue;
        }
        std::smatch m;
        if (in_list && std::regex_match(line, m, entry)) names.push_back(m[1].str());
    }
    return names;
}

TEST(man_page, renders_with_man_without_warnings)
{
    PAYMAND_REQUIRE_TOOL(man, "man");
    auto result = run(man, man_params({"--warnings", "-l", man_page().string()}));
    EXPECT_EQ(result.status.code, 0) << result.err;
    EXPECT_EQ(result.err, "");
    for (const char* section : {"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "SIGNALS",
                                "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"})
        EXPECT_THAT(result.out, testing::ContainsRegex(std::string("\n") + section + "\n"))
            << section;
    for (const char* text : {"PAYMAN_CLIENT_ID", "PAYMAN_CLIENT_SECRET", "CREDENTIALS_DIRECTORY",
                             "NOTIFY_SOCKET", "JOURNAL_STREAM", "SIGHUP", "SIGTERM",
                             "/etc/paymand/paymand.yaml", "/var/lib/paymand/audit.jsonl"})
        EXPECT_THAT(result.out, HasSubstr(text));
    for (const char* code : {"0", "1", "2", "65", "69", "70", "73", "75"})
        EXPECT_THAT(result.out, testing::ContainsRegex(std::string("\n       ") + code + "  "))
            << "exit status " << code;
    for (const auto& line : split_lines(result.out)) {
        // Columns, not bytes: UTF-8 continuation bytes take none.
        auto columns = std::count_if(line.begin(), line.end(), [](char c) {
            return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        });
        EXPECT_LE(columns, 80) << line;
    }
}

TEST(man_page, groff_reports_no_warnings)
{
    PAYMAND_REQUIRE_TOOL(groff, "groff");
    auto result = run(groff, man_params({"-man", "-ww", "-z", "-Tutf8", man_page().string()}));
    EXPECT_EQ(result.status.code, 0) << result.err;
    EXPECT_EQ(result.err, "");
}

TEST(man_page, documents_every_subcommand_of_the_binary)
{
    PAYMAND_REQUIRE_TOOL(man, "man");
    auto page = run(man, man_params({"-l", man_page().string()})).out;
    auto top = run(our_binary("paymand"), {.args = {"--help"}});
    ASSERT_TRUE(top.status.ok()) << top.err;
    auto names = subcommands(top.out);
    ASSERT_THAT(names, testing::Contains("run"));
    for (const auto& name : names) {
        EXPECT_THAT(page, testing::ContainsRegex("\n       paymand " + name + "\\b"))
            << "paymand " << name << " is missing from the SYNOPSIS";
        auto help = run(our_binary("paymand"), {.args = {name, "--help"}});
        for (const auto& sub : subcommands(help.out))
            EXPECT_THAT(page, testing::ContainsRegex(name + " " + sub + "\\b"))
                << "paymand " << name << " " << sub << " is not documented";
    }
}

}  // namespace
}  // namespace paymand::test
