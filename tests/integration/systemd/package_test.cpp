// Installing this build tree: `cmake --install` gives the documented layout and keeps an
// operator's configuration; the Debian package from CPack carries the same layout, Debian
// runtime dependencies and its conffile, and the binary unpacked from it runs `--version` and
// `check` on the examples it ships. Both reuse this build's binaries (no second build).

#include "integration/systemd/tools.hpp"
#include "paymand/version.hpp"
#include "support/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <regex>
#include <string>

namespace paymand::test {
namespace {

using testing::HasSubstr;
using testing::Not;

namespace fs = std::filesystem;

// Where everything lands for the prefix /usr (the package), relative to the root.
const char* const usr_layout[] = {
    "usr/bin/paymand",
    "usr/bin/payman-sandbox",
    "usr/lib/systemd/system/paymand.service",
    "etc/paymand/paymand.yaml",
    "etc/paymand/rules/",
    "etc/paymand/credentials/",
    "usr/share/paymand/paymand.yaml",
    "usr/share/paymand/rules/rent.yaml",
    "usr/share/paymand/rules/contractors.yaml",
    "usr/share/paymand/rules/schema.json",
    "usr/share/doc/paymand/README.md",
    "usr/share/doc/paymand/configuration.md",
    "usr/share/doc/paymand/operations.md",
    "usr/share/doc/paymand/rules.md",
    "usr/share/man/man8/paymand.8.gz",
};

void expect_layout(const fs::path& root)
{
    for (std::string entry : usr_layout) {
        if (entry.ends_with('/')) {
            EXPECT_TRUE(fs::is_directory(root / entry)) << entry;
        } else {
            EXPECT_TRUE(fs::is_regular_file(root / entry)) << entry;
        }
    }
    struct stat st {};
    ASSERT_EQ(::stat((root / "etc/paymand/credentials").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u) << "the credentials directory is root's alone";
    ASSERT_EQ(::stat((root / "usr/bin/paymand").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0111, 0111u);
    // For /usr the unit and the configuration are the sources as they are.
    EXPECT_EQ(read_file(root / "usr/lib/systemd/system/paymand.service"),
              read_file(source_path("systemd/paymand.service")));
    EXPECT_EQ(read_file(root / "etc/paymand/paymand.yaml"),
              read_file(source_path("config/paymand.yaml")));
}

run_result cmake_install(const fs::path& cmake, const std::string& prefix,
                         const std::string& destdir)
{
    process_params params{.args = {"--install", PAYMAND_BINARY_DIR, "--prefix", prefix}};
    if (destdir.empty())
        params.unset_env = {"DESTDIR"};
    else
        params.env = {"DESTDIR=" + destdir};
    return run(cmake, params, 120s);
}

TEST(install, cmake_install_gives_the_layout_and_keeps_an_existing_configuration)
{
    PAYMAND_REQUIRE_TOOL(cmake, "cmake");
    temp_dir dir;
    auto root = dir / "root";
    auto first = cmake_install(cmake, "/usr", root.string());
    ASSERT_TRUE(first.status.ok()) << first.out << first.err;
    expect_layout(root);

    const std::string mine = "# the operator's own configuration\n";
    dir.write("root/etc/paymand/paymand.yaml", mine);
    auto again = cmake_install(cmake, "/usr", root.string());
    ASSERT_TRUE(again.status.ok()) << again.out << again.err;
    EXPECT_EQ(read_file(root / "etc/paymand/paymand.yaml"), mine);
    EXPECT_THAT(again.out, HasSubstr("Keeping: "));
}

TEST(install, another_prefix_gets_a_unit_and_configuration_of_its_own_paths)
{
    PAYMAND_REQUIRE_TOOL(cmake, "cmake");
    PAYMAND_REQUIRE_TOOL(analyze, "systemd-analyze");
    temp_dir dir;
    auto prefix = dir / "opt-paymand";
    auto result = cmake_install(cmake, prefix.string(), "");
    ASSERT_TRUE(result.status.ok()) << result.out << result.err;
    auto unit = read_file(prefix / "lib/systemd/system/paymand.service");
    EXPECT_THAT(unit, HasSubstr("ExecStart=" + (prefix / "bin/paymand").string() +
                                " run --config " + (prefix / "etc/paymand/paymand.yaml").string()));
    EXPECT_THAT(unit, Not(HasSubstr("/usr/bin/")));
    EXPECT_THAT(read_file(prefix / "etc/paymand/paymand.yaml"),
                HasSubstr("rules_directory: " + (prefix / "etc/paymand/rules").string()));
    // The installed unit names installed binaries, so verify checks it as it is.
    auto verify = run(
        analyze,
        {.args = {"verify", "--man=no", (prefix / "lib/systemd/system/paymand.service").string()},
         .env = {"SYSTEMD_PAGER=", "SYSTEMD_COLORS=0"},
         .workdir = dir.path()},
        60s);
    EXPECT_EQ(verify.status.code, 0) << verify.out << verify.err;
    EXPECT_EQ(verify.out + verify.err, "");
}

TEST(package, the_deb_installs_the_layout_and_its_binary_checks_the_shipped_examples)
{
    PAYMAND_REQUIRE_TOOL(cpack, "cpack");
    PAYMAND_REQUIRE_TOOL(dpkg_deb, "dpkg-deb");
    PAYMAND_REQUIRE_TOOL(dpkg, "dpkg");
    PAYMAND_REQUIRE_TOOL(shlibdeps, "dpkg-shlibdeps");
    temp_dir dir;

    auto built = run(cpack,
                     {.args = {"--config", std::string(PAYMAND_BINARY_DIR) + "/CPackConfig.cmake",
                               "-B", (dir / "pkg").string()},
                      .workdir = dir.path()},
                     300s);
    ASSERT_TRUE(built.status.ok()) << built.out << built.err;
    std::smatch m;
    static const std::regex generated(R"(CPack: - package: (\S+\.deb) generated\.)");
    ASSERT_TRUE(std::regex_search(built.out, m, generated)) << built.out;
    const fs::path deb = m[1].str();
    std::cout << "package: " << deb.filename().string() << "\n";

    auto fields = run(
        dpkg_deb, {.args = {"-f", deb.string(), "Package", "Version", "Architecture", "Depends"}});
    ASSERT_TRUE(fields.status.ok()) << fields.err;
    EXPECT_THAT(fields.out, HasSubstr("Package: paymand\n"));
    EXPECT_THAT(fields.out, HasSubstr("Version: " + std::string(paymand::version) + "\n"));
    // dpkg-shlibdeps found the runtime libraries; tzdata and CA certificates are named.
    std::string depends;
    for (const auto& line : split_lines(fields.out))
        if (line.starts_with("Depends: ")) depends = line.substr(9);
    std::cout << "Depends: " << depends << "\n";
    // "name (>= version)" entries: compare the names.
    std::vector<std::string> names;
    static const std::regex entry(R"(\s*([a-z0-9][a-z0-9+.-]+)(\s*\([^)]*\))?\s*)");
    for (std::size_t start = 0; start <= depends.size();) {
        auto comma = std::min(depends.find(',', start), depends.size());
        auto item = depends.substr(start, comma - start);
        std::smatch e;
        EXPECT_TRUE(std::regex_match(item, e, entry)) << "not a Debian package: " << item;
        if (!e.empty()) names.push_back(e[1].str());
        start = comma + 1;
    }
    for (const char* needed : {"libc6", "libstdc++6", "libssl3", "libsystemd0", "libyaml-cpp0.7",
                               "libboost-json1.81.0", "tzdata", "ca-certificates"})
        EXPECT_THAT(names, testing::Contains(needed));
    EXPECT_THAT(depends, Not(HasSubstr("-dev"))) << "build packages are not runtime dependencies";

    auto conffiles = run(dpkg_deb, {.args = {"-I", deb.string(), "conffiles"}});
    ASSERT_TRUE(conffiles.status.ok()) << conffiles.err;
    EXPECT_EQ(conffiles.out, "/etc/paymand/paymand.yaml\n");

    auto root = dir / "root";
    auto unpacked = run(dpkg, {.args = {"-x", deb.string(), root.string()}});
    ASSERT_TRUE(unpacked.status.ok()) << unpacked.err;
    expect_layout(root);

    auto installed = root / "usr/bin/paymand";
    auto version = run(installed, {.args = {"--version"}});
    EXPECT_TRUE(version.status.ok()) << version.err;
    EXPECT_THAT(version.out, HasSubstr(std::string(paymand::version)));

    // The shipped configuration with the shipped example rules, as an operator starts out.
    auto check =
        run(installed,
            {.args = {"check", "--config", (root / "etc/paymand/paymand.yaml").string(),
                      (root / "usr/share/paymand/rules").string()},
             .unset_env = {"PAYMAN_CLIENT_ID", "PAYMAN_CLIENT_SECRET", "CREDENTIALS_DIRECTORY"}});
    EXPECT_EQ(check.status.code, 0) << check.out << check.err;
    EXPECT_THAT(check.out, HasSubstr("rent-john"));
    auto quiet = run(installed, {.args = {"check", "--quiet", "--config",
                                          (root / "etc/paymand/paymand.yaml").string(),
                                          (root / "usr/share/paymand/rules").string()}});
    EXPECT_EQ(quiet.status.code, 0) << quiet.err;
    EXPECT_EQ(quiet.out + quiet.err, "");

    auto sandbox = run(root / "usr/bin/payman-sandbox", {.args = {"--help"}});
    EXPECT_TRUE(sandbox.status.ok()) << sandbox.err;

    if (auto man = find_tool("man")) {
        auto page =
            run(*man,
                {.args = {"--warnings", "-l", (root / "usr/share/man/man8/paymand.8.gz").string()},
                 .env = {"MANWIDTH=80", "MANPAGER=cat", "PAGER=cat"}});
        EXPECT_TRUE(page.status.ok()) << page.err;
        EXPECT_EQ(page.err, "");
        EXPECT_THAT(page.out, HasSubstr("paymand - scheduled payment automation"));
    }
}

}  // namespace
}  // namespace paymand::test
