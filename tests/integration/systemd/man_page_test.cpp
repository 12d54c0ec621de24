// docs/man/paymand.8 renders cleanly with man(1) and groff, and documents every subcommand
// the binary has.

#include "integration/systemd/tools.hpp"
#include "support/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
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

// The long options of a --help text ("--json", "--config", ...), --help itself left out.
std::set<std::string> long_options(const std::string& help)
{
    std::set<std::string> out;
    const std::regex option("--[a-z][a-z-]+");
    for (auto it = std::sregex_iterator(help.begin(), help.end(), option);
         it != std::sregex_iterator(); ++it)
        if (it->str() != "--help") out.insert(it->str());
    return out;
}

// Issue 18, item 10: the man page and --help agree: every long option a subcommand's --help
// offers is named in the page (SYNOPSIS or the command's description).
TEST(man_page, names_every_long_option_that_help_offers)
{
    // The source, with roff's "\\-" as "-": the rendered page may hyphenate a long option at
    // a line end.
    auto page = read_file(man_page());
    for (auto at = page.find("\\-"); at != std::string::npos; at = page.find("\\-", at))
        page.erase(at, 1);
    auto top = run(our_binary("paymand"), {.args = {"--help"}});
    ASSERT_TRUE(top.status.ok()) << top.err;
    std::size_t checked = 0;
    for (const auto& name : subcommands(top.out)) {
        auto help = run(our_binary("paymand"), {.args = {name, "--help"}});
        std::vector<std::vector<std::string>> commands{{name}};
        for (const auto& sub : subcommands(help.out)) commands.push_back({name, sub});
        for (const auto& words : commands) {
            auto args = words;
            args.push_back("--help");
            auto text = run(our_binary("paymand"), {.args = args}).out;
            for (const auto& option : long_options(text)) {
                ++checked;
                EXPECT_NE(page.find(option), std::string::npos)
                    << "paymand " << words.front() << (words.size() > 1 ? " " + words[1] : "")
                    << " " << option << " is in --help but not in the man page";
            }
        }
    }
    EXPECT_GT(checked, 30u);
}

}  // namespace
}  // namespace paymand::test
