// systemd/paymand.service as systemd reads it, on a machine without systemd as PID 1:
// `systemd-analyze verify` accepts it, `systemd-analyze security --offline=true` rates its
// exposure at 1.5 or lower, and it keeps every hardening setting the service promises.

#include "integration/systemd/tools.hpp"
#include "support/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace paymand::test {
namespace {

using testing::HasSubstr;

std::string replace_all(std::string text, const std::string& from, const std::string& to)
{
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

// The unit with its binary pointing into this build tree: verify checks that ExecStart= and
// ExecReload= name executables that exist, and /usr/bin/paymand is not installed here.
std::filesystem::path unit_for_this_build(const temp_dir& dir)
{
    auto unit = read_file(source_path("systemd/paymand.service"));
    return dir.write("paymand.service",
                     replace_all(unit, "/usr/bin/paymand", our_binary("paymand").string()));
}

// systemd-analyze runs without a pager, colours or a running manager to talk to.
process_params analyze_params(std::vector<std::string> args, const temp_dir& dir)
{
    return {.args = std::move(args),
            .env = {"SYSTEMD_PAGER=", "SYSTEMD_COLORS=0", "SYSTEMD_LOG_COLOR=0"},
            .workdir = dir.path()};
}

TEST(unit_file, systemd_analyze_verify_accepts_it)
{
    PAYMAND_REQUIRE_TOOL(analyze, "systemd-analyze");
    temp_dir dir;
    auto unit = unit_for_this_build(dir);
    auto result = run(analyze, analyze_params({"verify", "--man=no", unit.string()}, dir), 60s);
    EXPECT_EQ(result.status.code, 0) << result.out << result.err;
    // Unknown or misspelt keys are warnings with exit 0: any output at all is a finding.
    EXPECT_EQ(result.out + result.err, "");
}

TEST(unit_file, systemd_analyze_verify_catches_a_broken_unit)
{
    PAYMAND_REQUIRE_TOOL(analyze, "systemd-analyze");
    temp_dir dir;
    auto unit = read_file(unit_for_this_build(dir));
    auto broken = dir.write("paymand.service", replace_all(unit, our_binary("paymand").string(),
                                                           (dir / "no-such-paymand").string()));
    auto result = run(analyze, analyze_params({"verify", "--man=no", broken.string()}, dir), 60s);
    EXPECT_NE(result.status.code, 0);
    EXPECT_THAT(result.out + result.err, HasSubstr("no-such-paymand"));
}

TEST(unit_file, security_exposure_is_at_most_1_5)
{
    PAYMAND_REQUIRE_TOOL(analyze, "systemd-analyze");
    temp_dir dir;
    auto unit = unit_for_this_build(dir);
    auto result =
        run(analyze,
            analyze_params({"security", "--offline=true", "--no-pager", unit.string()}, dir), 60s);
    ASSERT_EQ(result.status.code, 0) << result.out << result.err;
    std::smatch m;
    static const std::regex overall(
        R"(Overall exposure level for paymand\.service: ([0-9]+\.[0-9]))");
    ASSERT_TRUE(std::regex_search(result.out, m, overall)) << result.out;
    double exposure = std::stod(m[1].str());
    std::cout << "systemd-analyze security --offline=true: overall exposure " << m[1].str()
              << " (at most 1.5 allowed)\n";
    for (const auto& line : split_lines(result.out))
        if (line.starts_with("✗")) std::cout << "  " << line << "\n";
    RecordProperty("exposure", m[1].str());
    EXPECT_LE(exposure, 1.5) << result.out;
}

// The unit's command lines with this build's binary and `config` for /etc/paymand/paymand.yaml.
std::vector<std::vector<std::string>> unit_commands(const std::string& key,
                                                    const std::filesystem::path& config)
{
    std::vector<std::vector<std::string>> commands;
    for (const auto& line : split_lines(read_file(source_path("systemd/paymand.service")))) {
        if (!line.starts_with(key + "=")) continue;
        std::vector<std::string> words;
        std::stringstream in(line.substr(key.size() + 1));
        for (std::string word; in >> word;) {
            if (word == "/usr/bin/paymand") word = our_binary("paymand").string();
            if (word == "/etc/paymand/paymand.yaml") word = config.string();
            words.push_back(word);
        }
        commands.push_back(std::move(words));
    }
    return commands;
}

// `systemctl reload` runs ExecReload= in order and stops at the first failure: the check
// must pass silently on good files and fail, with positions, on broken ones before the
// daemon is signalled.
TEST(unit_file, exec_reload_checks_the_files_before_it_signals_the_daemon)
{
    temp_dir dir;
    for (const char* name : {"rent.yaml", "contractors.yaml", "reports.yaml"})
        dir.write(std::string("rules/") + name,
                  read_file(source_path(std::string("rules/") + name)));
    auto config = replace_all(read_file(source_path("config/paymand.yaml")),
                              "rules_directory: /etc/paymand/rules",
                              "rules_directory: " + (dir / "rules").string());
    config = replace_all(config, "state_directory: /var/lib/paymand",
                         "state_directory: " + (dir / "state").string());
    auto config_file = dir.write("paymand.yaml", config);

    auto reload = unit_commands("ExecReload", config_file);
    ASSERT_EQ(reload.size(), 2u);
    EXPECT_EQ(reload[1], (std::vector<std::string>{"/bin/kill", "-HUP", "$MAINPID"}));
    auto check = reload[0];
    ASSERT_EQ(check[0], our_binary("paymand").string());
    const std::vector<std::string> args(check.begin() + 1, check.end());

    auto good = run(check[0], {.args = args});
    EXPECT_EQ(good.status.code, 0) << good.out << good.err;
    EXPECT_EQ(good.out + good.err, "") << "--quiet prints errors only";

    dir.write("rules/broken.yaml", "rules:\n  - id: Bad Id\n    schedule: whenever\n");
    auto bad = run(check[0], {.args = args});
    EXPECT_EQ(bad.status.code, 1);
    EXPECT_THAT(bad.out + bad.err, HasSubstr("broken.yaml:2:"));
}

TEST(unit_file, exec_start_runs_the_daemon_on_the_configuration)
{
    temp_dir dir;
    auto start = unit_commands("ExecStart", dir / "paymand.yaml");
    ASSERT_EQ(start.size(), 1u);
    EXPECT_EQ(start[0], (std::vector<std::string>{our_binary("paymand").string(), "run", "--config",
                                                  (dir / "paymand.yaml").string()}));
}

// Each setting the issue asks for, with the value that makes it effective.
TEST(unit_file, keeps_every_promised_setting)
{
    auto unit = read_file(source_path("systemd/paymand.service"));
    const char* required[] = {
        "Type=notify",
        "NotifyAccess=main",
        "WatchdogSec=30s",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "Restart=on-failure",
        "RestartPreventExitStatus=1 65 75 77",
        "StateDirectory=paymand",
        "LogsDirectory=paymand",
        "ConfigurationDirectory=paymand",
        "LoadCredentialEncrypted=payman-client-secret:",
        "DynamicUser=yes",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "ProtectKernelTunables=yes",
        "ProtectKernelModules=yes",
        "ProtectKernelLogs=yes",
        "ProtectControlGroups=yes",
        "ProtectClock=yes",
        "ProtectHostname=yes",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "RestrictNamespaces=yes",
        "LockPersonality=yes",
        "MemoryDenyWriteExecute=yes",
        "RestrictRealtime=yes",
        "RestrictSUIDSGID=yes",
        "SystemCallFilter=@system-service",
        "SystemCallArchitectures=native",
        "CapabilityBoundingSet=\n",
        "UMask=0077",
        "IPAddressDeny=",
    };
    for (const char* setting : required) {
        std::string wanted = setting;
        bool whole_line = wanted.ends_with('\n');
        if (!whole_line) wanted = "\n" + wanted;
        EXPECT_THAT(unit, HasSubstr(whole_line ? "\n" + wanted : wanted)) << setting;
    }
    // The daemon reads the credential by this name (config/paymand.yaml, docs/configuration.md).
    EXPECT_THAT(read_file(source_path("config/paymand.yaml")),
                HasSubstr("credential: payman-client-secret"));
}

}  // namespace
}  // namespace paymand::test
