// Logging as journald reads it: with JOURNAL_STREAM naming the daemon's own stderr (what
// systemd sets for StandardError=journal), `log.format: auto` gives sd-daemon(3) priority
// prefixes and no timestamp; when JOURNAL_STREAM names another stream, timestamped text.

#include "integration/systemd/daemon_files.hpp"
#include "integration/systemd/tools.hpp"
#include "paymand/version.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>
#include <string>

namespace paymand::test {
namespace {

using testing::HasSubstr;

class journal_test : public testing::Test {
protected:
    temp_dir dir;
    sandbox_process sandbox;

    void write_config() { write_daemon_files(dir, sandbox, "{env: " + secret_env + "}", "auto"); }

    // `paymand run` through sh, which sets JOURNAL_STREAM to the device and inode of the
    // stderr it passes on (`stream`: "stderr"), or of another file (anything else).
    process_params daemon_args(const std::string& stream)
    {
        const std::string probe = stream == "stderr" ? "/proc/self/fd/2" : stream;
        const std::string script = "JOURNAL_STREAM=$(stat -L -c %d:%i " + probe +
                                   ") || exit 99; export JOURNAL_STREAM; exec \"$@\"";
        return {.args = {"-c", script, "sh", our_binary("paymand").string(), "run", "--config",
                         (dir / "paymand.yaml").string()},
                .env = {secret_env + "=" + std::string(sandbox_client_secret)},
                .unset_env = {"NOTIFY_SOCKET", "PAYMAN_CLIENT_SECRET", "CREDENTIALS_DIRECTORY",
                              "JOURNAL_STREAM", "WATCHDOG_USEC", "WATCHDOG_PID"}};
    }

    // Starts the daemon, breaks a rule file and reloads (an error), then stops it.
    std::string run_with_a_failed_reload(const std::string& stream)
    {
        write_config();
        child_process daemon("/bin/sh", daemon_args(stream));
        daemon.wait_for_line(std::regex("running: 1 rules"), 30s, true);
        dir.write("rules/broken.yaml", "rules:\n  - id: Bad Id\n    schedule: whenever\n");
        daemon.send_signal(SIGHUP);
        daemon.wait_for_line(std::regex("reload failed"), 30s, true);
        daemon.send_signal(SIGTERM);
        auto status = daemon.wait();
        EXPECT_TRUE(status.ok()) << "exit " << status.code << "\n" << daemon.err();
        return daemon.err();
    }
};

TEST_F(journal_test, on_the_journal_stream_lines_carry_priorities_and_no_timestamp)
{
    auto err = run_with_a_failed_reload("stderr");
    auto lines = split_lines(err);
    ASSERT_FALSE(lines.empty());
    static const std::regex prefixed(R"(^<[0-7]>\S.*)");
    static const std::regex timestamp(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)");
    for (const auto& line : lines) {
        EXPECT_TRUE(std::regex_match(line, prefixed)) << line;
        // No timestamp of its own at the start: journald stamps every line.
        EXPECT_FALSE(std::regex_search(line.substr(0, 30), timestamp)) << line;
    }
    EXPECT_THAT(err,
                HasSubstr("<6>paymand " + std::string(paymand::version) + " running: 1 rules"));
    EXPECT_THAT(err, testing::ContainsRegex("<3>[^\n]*broken\\.yaml:2:"));
    EXPECT_THAT(err, HasSubstr("<3>reload failed: keeping the rules that are running"));
    EXPECT_THAT(err, HasSubstr("<6>stopped"));
}

TEST_F(journal_test, with_stderr_elsewhere_lines_are_timestamped_text)
{
    // JOURNAL_STREAM is set but names another file: stderr is not the journal (a child that
    // redirected its stderr inherits the variable), so no priority prefixes.
    auto other = dir.write("other-stream", "");
    auto err = run_with_a_failed_reload(other.string());
    static const std::regex text_line(
        R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (debug|info|warning|error|critical) .*)");
    auto lines = split_lines(err);
    ASSERT_FALSE(lines.empty());
    for (const auto& line : lines) {
        EXPECT_FALSE(line.starts_with("<")) << line;
        EXPECT_TRUE(std::regex_match(line, text_line)) << line;
    }
    EXPECT_THAT(err, HasSubstr(" error reload failed"));
}

}  // namespace
}  // namespace paymand::test
