// Installing this build tree: `cmake --install` gives the documented layout and keeps an
// operator's configuration. CPack makes two Debian packages from it, paymand and
// paymand-sandbox (a test server kept off production hosts): each carries its part of the
// same layout, Debian runtime dependencies, a copyright file and a changelog; paymand its
// conffile; the binaries unpacked from them run `--version`, `check` on the shipped examples
// and `--help`. lintian (Debian 12's) and the DEP-5 check of `scripts/package --lint` find
// nothing on either package, and that check fails on a package that has findings. All reuse
// this build's binaries (no second build).

#include "integration/systemd/tools.hpp"
#include "paymand/version.hpp"
#include "support/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <regex>
#include <string>

namespace paymand::test {
namespace {

using testing::HasSubstr;
using testing::Not;

namespace fs = std::filesystem;

// Where everything lands for the prefix /usr (the packages), relative to the root.
const std::vector<std::string> paymand_layout = {
    "usr/bin/paymand",
    "usr/lib/systemd/system/paymand.service",
    "etc/paymand/paymand.yaml",
    "etc/paymand/rules/",
    "etc/paymand/credentials/",
    "usr/share/paymand/paymand.yaml",
    "usr/share/paymand/rules/rent.yaml",
    "usr/share/paymand/rules/contractors.yaml",
    "usr/share/paymand/rules/reports.yaml",
    "usr/share/paymand/schema/rules.json",
    "usr/share/paymand/schema/paymand.json",
    "usr/share/doc/paymand/README.md",
    "usr/share/doc/paymand/configuration.md",
    "usr/share/doc/paymand/operations.md",
    "usr/share/doc/paymand/rules.md",
    "usr/share/doc/paymand/copyright",
    "usr/share/doc/paymand/changelog.gz",
    "usr/share/man/man8/paymand.8.gz",
    "usr/share/bash-completion/completions/paymand",
    "usr/share/lintian/overrides/paymand",
};
const std::vector<std::string> sandbox_layout = {
    "usr/bin/payman-sandbox",
    "usr/share/man/man1/payman-sandbox.1.gz",
    "usr/share/doc/paymand-sandbox/sandbox.md",
    "usr/share/doc/paymand-sandbox/examples/sandbox.yaml",
    "usr/share/doc/paymand-sandbox/copyright",
    "usr/share/doc/paymand-sandbox/changelog.gz",
};

void expect_entries(const fs::path& root, const std::vector<std::string>& layout)
{
    for (const auto& entry : layout) {
        if (entry.ends_with('/')) {
            EXPECT_TRUE(fs::is_directory(root / entry)) << entry;
        } else {
            EXPECT_TRUE(fs::is_regular_file(root / entry)) << entry;
        }
    }
}

// The `# yaml-language-server: $schema=PATH` line of an example, or "" without one.
std::string schema_line(const fs::path& example)
{
    static const std::string mark = "# yaml-language-server: $schema=";
    for (const auto& line : split_lines(read_file(example)))
        if (line.starts_with(mark)) return line.substr(mark.size());
    return "";
}

// Every installed example names its schema on a `$schema` line that resolves, both where the
// example is installed and where the documented install copies it (/etc/paymand/rules for a
// rule file, /etc/paymand for the configuration), to the schema of its kind that this install
// put under <prefix>/share/paymand/schema; and the example validates against that file.
// `root` is where the install's `/` is (a DESTDIR or an unpacked package; "/" for none).
void expect_schema_lines_resolve(const fs::path& root, const fs::path& prefix,
                                 const fs::path& sysconf)
{
    struct example {
        fs::path file;
        fs::path copied_to;
        std::string schema;
    };
    std::vector<example> examples = {
        {prefix / "share/paymand/paymand.yaml", sysconf / "paymand", "paymand.json"},
        {sysconf / "paymand/paymand.yaml", sysconf / "paymand", "paymand.json"}};
    for (const auto& e :
         fs::directory_iterator(root / prefix.relative_path() / "share/paymand/rules"))
        examples.push_back({prefix / "share/paymand/rules" / e.path().filename(),
                            sysconf / "paymand/rules", "rules.json"});
    EXPECT_GE(examples.size(), 5u);
    const auto installed_schema = [&](const example& e) {
        return prefix / "share/paymand/schema" / e.schema;
    };
    std::map<std::string, std::vector<std::string>> to_validate;  // schema -> examples
    for (const auto& e : examples) {
        SCOPED_TRACE(e.file.string());
        const fs::path named = schema_line(root / e.file.relative_path());
        ASSERT_FALSE(named.empty()) << "no $schema line";
        for (const auto& dir : {e.file.parent_path(), e.copied_to}) {
            const auto resolved = (dir / named).lexically_normal();  // an absolute `named` wins
            EXPECT_EQ(resolved, installed_schema(e)) << "seen from " << dir;
            EXPECT_TRUE(fs::is_regular_file(root / resolved.relative_path())) << resolved;
        }
        to_validate[(root / installed_schema(e).relative_path()).string()].push_back(
            (root / e.file.relative_path()).string());
    }
    // One validator run per schema (a Python start-up per file would add up).
    for (const auto& [schema, files] : to_validate) {
        std::vector<std::string> args{
            source_path("tests/integration/rules/validate_schema.py").string(), schema};
        args.insert(args.end(), files.begin(), files.end());
        auto valid = run("/usr/bin/python3", {.args = args});
        EXPECT_TRUE(valid.status.ok()) << valid.out << valid.err;
    }
}

// Every /usr path the manual page's FILES section names is installed (a glob: its directory);
// the /etc and /var ones are the operator's and the daemon's to create.
void expect_man_page_files_installed(const fs::path& root)
{
    bool files = false;
    bool tag = false;
    for (const auto& line : split_lines(read_file(source_path("docs/man/paymand.8")))) {
        if (line.starts_with(".SH")) files = line == ".SH FILES";
        if (!files) continue;
        if (line == ".TP") {
            tag = true;
            continue;
        }
        if (tag && line.starts_with(".I /usr/")) {
            std::string path;  // roff's \- is a hyphen
            for (std::size_t i = 3; i < line.size(); ++i)
                if (!(line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '-'))
                    path.push_back(line[i]);
            fs::path installed = path;
            if (path.find('*') != std::string::npos) installed = installed.parent_path();
            EXPECT_TRUE(fs::exists(root / installed.relative_path())) << "man page FILES: " << path;
        }
        tag = false;
    }
}

void expect_paymand_layout(const fs::path& root)
{
    expect_entries(root, paymand_layout);
    expect_man_page_files_installed(root);
    expect_schema_lines_resolve(root, "/usr", "/etc");
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
    EXPECT_EQ(read_file(root / "usr/share/doc/paymand/copyright"),
              read_file(source_path("packaging/deb/copyright")));
}

// Both packages' parts: what `cmake --install` gives.
void expect_layout(const fs::path& root)
{
    expect_paymand_layout(root);
    expect_entries(root, sandbox_layout);
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
    // The examples name this prefix's schemas, not /usr's.
    expect_schema_lines_resolve("/", prefix, prefix / "etc");
    EXPECT_THAT(read_file(prefix / "share/paymand/rules/rent.yaml"), Not(HasSubstr("/usr/")));
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

// The packages CPack makes from this build tree, by package name, in a directory of their own.
struct built_packages {
    temp_dir dir;
    std::map<std::string, fs::path> debs;
};

void build_packages(built_packages& built)
{
    PAYMAND_REQUIRE_TOOL(cpack, "cpack");
    auto result = run(cpack,
                      {.args = {"--config", std::string(PAYMAND_BINARY_DIR) + "/CPackConfig.cmake",
                                "-B", (built.dir / "pkg").string()},
                       .workdir = built.dir.path()},
                      300s);
    ASSERT_TRUE(result.status.ok()) << result.out << result.err;
    static const std::regex generated(
        R"(CPack: - package: (\S+/([a-z0-9.+-]+)_[^/_]+_[^/_]+\.deb) generated\.)");
    for (std::sregex_iterator it(result.out.begin(), result.out.end(), generated), end; it != end;
         ++it)
        built.debs[(*it)[2].str()] = (*it)[1].str();
    for (const auto& [name, deb] : built.debs)
        std::cout << "package: " << deb.filename().string() << "\n";
    ASSERT_EQ(built.debs.size(), 2u) << result.out;
    ASSERT_TRUE(built.debs.contains("paymand")) << result.out;
    ASSERT_TRUE(built.debs.contains("paymand-sandbox")) << result.out;
}

// The names in a Depends: field ("name (>= version), ..."); each entry must be well formed.
std::vector<std::string> dependency_names(const std::string& depends)
{
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
    return names;
}

// The control fields of `deb`, "Field: value" lines.
std::map<std::string, std::string> control_fields(const fs::path& dpkg_deb, const fs::path& deb)
{
    std::map<std::string, std::string> fields;
    auto shown = run(dpkg_deb, {.args = {"-f", deb.string(), "Package", "Version", "Architecture",
                                         "Section", "Depends", "Description"}});
    EXPECT_TRUE(shown.status.ok()) << shown.err;
    std::string last;
    for (const auto& line : split_lines(shown.out)) {
        if (line.starts_with(' ')) {
            fields[last] += "\n" + line;
            continue;
        }
        auto colon = line.find(": ");
        if (colon == std::string::npos) continue;
        last = line.substr(0, colon);
        fields[last] = line.substr(colon + 2);
    }
    return fields;
}

// `scripts/package --lint`: lintian must report no error and no warning, and each copyright
// file must pass the DEP-5 check.
run_result lint(const std::vector<fs::path>& debs)
{
    process_params params{.args = {"--lint"}, .workdir = source_path("")};
    for (const auto& deb : debs) params.args.push_back(deb.string());
    return run(source_path("scripts/package"), params, 100s);
}

TEST(package, both_debs_have_their_layouts_and_pass_lintian_and_the_dep5_check)
{
    PAYMAND_REQUIRE_TOOL(dpkg_deb, "dpkg-deb");
    PAYMAND_REQUIRE_TOOL(dpkg, "dpkg");
    PAYMAND_REQUIRE_TOOL(shlibdeps, "dpkg-shlibdeps");
    PAYMAND_REQUIRE_TOOL(gzip, "gzip");
    built_packages built;
    build_packages(built);
    if (HasFatalFailure() || IsSkipped()) return;
    const auto& deb = built.debs.at("paymand");
    const auto& sandbox_deb = built.debs.at("paymand-sandbox");

    for (const auto& [name, file] : built.debs) {
        auto fields = control_fields(dpkg_deb, file);
        EXPECT_EQ(fields["Package"], name);
        EXPECT_EQ(fields["Version"], std::string(paymand::version));
        std::cout << name << " Depends: " << fields["Depends"] << "\n";
        // dpkg-shlibdeps found the runtime libraries; no build package is among them.
        auto names = dependency_names(fields["Depends"]);
        for (const char* needed : {"libc6", "libstdc++6", "libssl3"})
            EXPECT_THAT(names, testing::Contains(needed)) << name;
        EXPECT_THAT(fields["Depends"], Not(HasSubstr("-dev"))) << name;
        // Debian's limit for the extended description is 80 columns, its leading space included.
        auto lines = split_lines(fields["Description"]);
        EXPECT_GE(lines.size(), 3u) << name << ": a synopsis and an extended description";
        for (const auto& line : lines) EXPECT_LE(line.size(), 80u) << name << ": " << line;
    }
    auto paymand_fields = control_fields(dpkg_deb, deb);
    auto paymand_names = dependency_names(paymand_fields["Depends"]);
    for (const char* needed :
         {"libsystemd0", "libyaml-cpp0.7", "libboost-json1.81.0", "tzdata", "ca-certificates"})
        EXPECT_THAT(paymand_names, testing::Contains(needed));
    EXPECT_EQ(paymand_fields["Section"], "admin");
    EXPECT_THAT(paymand_fields["Description"], testing::StartsWith("scheduled payment automation"));
    EXPECT_THAT(control_fields(dpkg_deb, sandbox_deb)["Description"],
                testing::StartsWith("local Payman-compatible server"));

    auto conffiles = run(dpkg_deb, {.args = {"-I", deb.string(), "conffiles"}});
    ASSERT_TRUE(conffiles.status.ok()) << conffiles.err;
    EXPECT_EQ(conffiles.out, "/etc/paymand/paymand.yaml\n");
    auto sandbox_control = run(dpkg_deb, {.args = {"-I", sandbox_deb.string(), "conffiles"}});
    EXPECT_FALSE(sandbox_control.status.ok()) << "paymand-sandbox has no conffiles";

    auto root = built.dir / "root";
    auto unpacked = run(dpkg, {.args = {"-x", deb.string(), root.string()}});
    ASSERT_TRUE(unpacked.status.ok()) << unpacked.err;
    expect_paymand_layout(root);
    EXPECT_FALSE(fs::exists(root / "usr/bin/payman-sandbox"))
        << "the test server is not in the production package";

    auto sandbox_root = built.dir / "sandbox-root";
    auto sandbox_unpacked =
        run(dpkg, {.args = {"-x", sandbox_deb.string(), sandbox_root.string()}});
    ASSERT_TRUE(sandbox_unpacked.status.ok()) << sandbox_unpacked.err;
    expect_entries(sandbox_root, sandbox_layout);
    EXPECT_FALSE(fs::exists(sandbox_root / "etc")) << "paymand-sandbox installs nothing in /etc";
    EXPECT_FALSE(fs::exists(sandbox_root / "usr/bin/paymand"));
    EXPECT_EQ(read_file(sandbox_root / "usr/share/doc/paymand-sandbox/copyright"),
              read_file(source_path("packaging/deb/copyright")));

    // Both changelogs are packaging/deb/changelog, compressed.
    for (const auto& changelog : {root / "usr/share/doc/paymand/changelog.gz",
                                  sandbox_root / "usr/share/doc/paymand-sandbox/changelog.gz"}) {
        auto text = run(gzip, {.args = {"-dc", changelog.string()}});
        EXPECT_TRUE(text.status.ok()) << text.err;
        EXPECT_EQ(text.out, read_file(source_path("packaging/deb/changelog"))) << changelog;
    }

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

    auto sandbox = run(sandbox_root / "usr/bin/payman-sandbox", {.args = {"--help"}});
    EXPECT_TRUE(sandbox.status.ok()) << sandbox.err;

    if (auto man = find_tool("man")) {
        for (const auto& [page, name] :
             {std::pair{root / "usr/share/man/man8/paymand.8.gz",
                        "paymand - scheduled payment automation"},
              std::pair{sandbox_root / "usr/share/man/man1/payman-sandbox.1.gz",
                        "payman-sandbox - local Payman-compatible server"}}) {
            auto shown = run(*man, {.args = {"--warnings", "-l", page.string()},
                                    .env = {"MANWIDTH=80", "MANPAGER=cat", "PAGER=cat"}});
            EXPECT_TRUE(shown.status.ok()) << shown.err;
            EXPECT_EQ(shown.err, "") << page;
            EXPECT_THAT(shown.out, HasSubstr(name));
        }
    }

    // lintian judges what ships, the Release build; an instrumented build's packages are not.
    if (sanitized_build) return;
    PAYMAND_REQUIRE_TOOL(lintian, "lintian");
    auto linted = lint({deb, sandbox_deb});
    std::cout << linted.out << linted.err;
    EXPECT_EQ(linted.status.code, 0) << linted.out << linted.err;
    // The credentials directory's 0700 is the one override, shown with its reason.
    EXPECT_THAT(linted.out, HasSubstr("O: paymand: non-standard-dir-perm"));
    EXPECT_THAT(linted.out, HasSubstr("N: /etc/paymand/credentials holds the Payman client"));
    EXPECT_THAT(linted.out, Not(testing::ContainsRegex("(^|\n)[EW]: ")));
    for (const char* name : {"paymand", "paymand-sandbox"})
        EXPECT_THAT(linted.out,
                    HasSubstr(std::string(name) + ": copyright: machine-readable (DEP-5)"));
}

// A package with what the first packages had wrong: no changelog, a copyright that is not
// machine-readable, systemctl called in a maintainer script, an overlong description line.
TEST(package, lint_fails_on_lintian_errors_and_warnings_and_on_a_free_form_copyright)
{
    PAYMAND_REQUIRE_TOOL(lintian, "lintian");
    PAYMAND_REQUIRE_TOOL(dpkg_deb, "dpkg-deb");
    temp_dir dir;
    dir.write("tree/DEBIAN/control",
              "Package: paymand-lint-probe\nVersion: 1.0\nArchitecture: all\n"
              "Maintainer: paymand maintainers <maintainers@paymand.invalid>\n"
              "Section: admin\nPriority: optional\n"
              "Description: probe for the lint check\n"
              " A line that is far too long for a Debian extended description, which ends at "
              "eighty columns.\n");
    auto postinst = dir.write("tree/DEBIAN/postinst",
                              "#!/bin/sh\nset -e\nsystemctl enable paymand.service\nexit 0\n");
    fs::permissions(postinst, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
    dir.write("tree/usr/share/doc/paymand-lint-probe/copyright",
              "Copyright 2026 paymand maintainers. All rights reserved.\n");
    auto deb = dir / "probe.deb";
    auto built =
        run(dpkg_deb,
            {.args = {"--root-owner-group", "--build", (dir / "tree").string(), deb.string()}});
    ASSERT_TRUE(built.status.ok()) << built.out << built.err;

    auto result = lint({deb});
    EXPECT_EQ(result.status.code, 1) << result.out << result.err;
    EXPECT_THAT(result.out, HasSubstr("E: paymand-lint-probe: no-changelog"));
    EXPECT_THAT(result.out, HasSubstr("W: paymand-lint-probe: maintainer-script-calls-systemctl"));
    EXPECT_THAT(result.out, HasSubstr("W: paymand-lint-probe: extended-description-line-too-long"));
    EXPECT_THAT(result.err, HasSubstr("lintian reports errors or warnings on paymand-lint-probe"));
    EXPECT_THAT(result.err, HasSubstr("paymand-lint-probe: copyright: not machine-readable"));
}

}  // namespace
}  // namespace paymand::test
