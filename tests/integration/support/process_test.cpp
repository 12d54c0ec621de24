// The integration-test process helper itself: readiness waits, exit codes, reaping.

#include "support/process.hpp"

#include <gtest/gtest.h>
#include <signal.h>

namespace paymand::test {
namespace {

const std::filesystem::path shell = "/bin/sh";

process_params script(std::string body)
{
    return {.args = {"-c", std::move(body)}};
}

TEST(child_process, waits_for_a_matching_output_line)
{
    child_process child(shell, script("echo starting; echo 'listening on http://127.0.0.1:4242/'; "
                                      "exec sleep 30"));
    EXPECT_EQ(child.wait_for_line(std::regex(R"(listening on (\S+))")), "http://127.0.0.1:4242/");
}

TEST(child_process, waits_for_a_ready_file)
{
    temp_dir dir;
    auto file = dir / "url";
    child_process child(shell, script("printf 'http://127.0.0.1:1/\\n' > " + file.string() +
                                      ".tmp && mv " + file.string() + ".tmp " + file.string() +
                                      "; exec sleep 30"));
    EXPECT_EQ(child.wait_for_file_line(file), "http://127.0.0.1:1/");
}

TEST(child_process, reports_a_process_that_exits_before_it_is_ready)
{
    child_process child(shell, script("echo 'config broken' >&2; exit 3"));
    try {
        child.wait_for_line(std::regex("listening"));
        FAIL() << "expected an exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("config broken"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("exit code 3"), std::string::npos) << e.what();
    }
}

TEST(child_process, gives_up_at_the_deadline)
{
    child_process child(shell, script("exec sleep 30"));
    EXPECT_THROW(child.wait_for_line(std::regex("never"), 50ms), std::runtime_error);
}

TEST(child_process, reports_exit_code_and_signal)
{
    EXPECT_EQ(run(shell, script("exit 7")).status.code, 7);
    child_process child(shell, script("exec sleep 30"));
    child.send_signal(SIGTERM);
    auto status = child.wait();
    EXPECT_FALSE(status.exited);
    EXPECT_EQ(status.signal, SIGTERM);
}

TEST(child_process, passes_environment_and_captures_both_streams)
{
    auto result =
        run(shell, {.args = {"-c", "echo \"$PAYMAND_X\"; echo err >&2"}, .env = {"PAYMAND_X=42"}});
    EXPECT_TRUE(result.status.ok());
    EXPECT_EQ(result.out, "42\n");
    EXPECT_EQ(result.err, "err\n");
}

TEST(child_process, kills_and_reaps_on_destruction)
{
    pid_t pid = 0;
    {
        child_process child(shell, script("exec sleep 30"));
        pid = child.pid();
        ASSERT_TRUE(child.running());
    }
    // Reaped: the pid no longer names a child of ours.
    EXPECT_EQ(::kill(pid, 0), -1);
}

}  // namespace
}  // namespace paymand::test
