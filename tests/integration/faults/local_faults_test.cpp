// Local faults (issue 9, item 3): the audit log cannot be written (file-size limit, an
// immutable file, the state directory deleted), a torn last line, a corrupted record in the
// middle. paymand fails closed: while the log cannot be written nothing is sent (the sandbox's
// counters and ledger are the witness), it says so loudly, and it pays once writing works
// again. Tests run as root, which ignores file modes: a "read-only" log is made with the
// immutable attribute (FS_IOC_SETFLAGS), which binds root too, even through open descriptors.
//
// The unwritable moment is placed precisely: the balance read of rule `guarded` is delayed
// by the sandbox for a second, and while it is in flight (the opening records are durable, the
// condition record and the intent are not yet written) the test breaks the log.
//
// Covered elsewhere, not repeated here: a second daemon on the same state refuses
// (daemon_test.a_second_daemon_on_the_same_state_refuses_to_start), `run` on a corrupt log
// exits 65 (daemon_test.a_corrupt_audit_log_stops_the_daemon_before_it_pays).

#include "fault_fixture.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace paymand::test::faults {
namespace {

using testing::HasSubstr;

// Sets or clears the immutable attribute of `file`; false with errno when the file system
// does not support it.
bool set_immutable(const std::filesystem::path& file, bool on)
{
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    int flags = 0;
    bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    if (ok) {
        flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
        ok = ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    }
    int saved = errno;
    ::close(fd);
    errno = saved;
    return ok;
}

// Clears the attribute again whatever happens, so that the temporary directory can go.
struct immutable_guard {
    std::filesystem::path file;
    ~immutable_guard() { set_immutable(file, false); }
};

bool set_file_size_limit(pid_t pid, rlim_t soft)
{
    rlimit current{};
    if (::prlimit(pid, RLIMIT_FSIZE, nullptr, &current) != 0) return false;
    rlimit wanted{.rlim_cur = soft, .rlim_max = current.rlim_max};
    return ::prlimit(pid, RLIMIT_FSIZE, &wanted, nullptr) == 0;
}

class local_fault : public fault_test {
protected:
    // Starts `paymand trigger guarded` with its balance read held back by the sandbox for
    // `delay_ms`, and returns once that read has reached the sandbox.
    std::unique_ptr<child_process> start_trigger_held_at_the_balance_read(int delay_ms)
    {
        inject(R"({"endpoint":"tasks","prompt_kind":"balance","action":"delay","delay_ms":)" +
               std::to_string(delay_ms) + "}");
        const auto before = tasks_sent();
        auto trigger =
            std::make_unique<child_process>(our_binary("paymand"), trigger_args("guarded"));
        EXPECT_TRUE(eventually([&] { return tasks_sent() == before + 1; })) << trigger->err();
        return trigger;
    }
};

TEST_F(local_fault, a_file_size_limit_sends_nothing_and_pays_once_the_limit_is_lifted)
{
    write_config({.read_timeout = "3s"});
    // The limit binds every file the process writes, its captured stderr too: a paid
    // occurrence first makes the audit log larger than the stderr of the run under test
    // will ever be, so that the loud line can still be read.
    ASSERT_TRUE(trigger("rent").status.ok());
    ASSERT_EQ(tasks_sent(), 1);
    auto trigger = start_trigger_held_at_the_balance_read(1000);
    const auto size = std::filesystem::file_size(audit_path());
    // RLIMIT_FSIZE at the log's current size: every append fails with EFBIG (SIGXFSZ is
    // ignored by paymand, so it is an error, not a crash).
    ASSERT_TRUE(set_file_size_limit(trigger->pid(), size)) << std::strerror(errno);
    trigger->wait_for_line(std::regex("AUDIT LOG UNWRITABLE"), 10s, true);
    EXPECT_EQ(tasks_sent(), 2) << "something was sent while the audit log was unwritable";
    EXPECT_EQ(ledger_payments(), 1u);
    EXPECT_EQ(std::filesystem::file_size(audit_path()), size);

    ASSERT_TRUE(set_file_size_limit(trigger->pid(), RLIM_INFINITY)) << std::strerror(errno);
    auto status = trigger->wait();
    EXPECT_TRUE(status.ok()) << trigger->err();
    EXPECT_THAT(trigger->err(), HasSubstr("audit log is writable again"));
    EXPECT_EQ(occurrence_types("guarded"),
              (std::vector<std::string>{"condition", "intent", "result"}));
    EXPECT_EQ(ledger_payments(), 2u);
    EXPECT_EQ(tasks_sent(), 3);
    EXPECT_TRUE(verify().status.ok());
}

// Issue 18 item 1: while the running daemon cannot write its audit log, `paymand status` is
// critical (exit 2) and says so; once it can, the finding is gone.
TEST_F(local_fault, status_is_critical_while_the_running_daemon_cannot_write_its_audit_log)
{
    write_config({.read_timeout = "3s"});
    ASSERT_TRUE(trigger("rent").status.ok());  // the log outgrows the daemon's stderr
    child_process daemon(our_binary("paymand"), daemon_args());
    daemon.wait_for_line(std::regex("credentials verified"), 30s, true);
    const auto status = [&] {
        return run(our_binary("paymand"),
                   paymand_args({"status", "--config", config_path().string()}));
    };
    const std::string finding = "the daemon cannot write the audit log: it pays nothing";
    EXPECT_THAT(status().out, testing::Not(HasSubstr(finding)));

    ASSERT_TRUE(set_file_size_limit(daemon.pid(), std::filesystem::file_size(audit_path())))
        << std::strerror(errno);
    // A manual run handed to the daemon: its first record cannot be appended.
    child_process handed(our_binary("paymand"), trigger_args("guarded"));
    daemon.wait_for_line(std::regex("AUDIT LOG UNWRITABLE"), 10s, true);
    run_result r;
    EXPECT_TRUE(eventually([&] {
        r = status();
        return r.status.code == 2 && r.out.find(finding) != std::string::npos;
    })) << r.out;
    EXPECT_THAT(r.out, testing::StartsWith("CRITICAL: "));

    ASSERT_TRUE(set_file_size_limit(daemon.pid(), RLIM_INFINITY)) << std::strerror(errno);
    EXPECT_TRUE(handed.wait().ok()) << handed.out() << handed.err();
    EXPECT_TRUE(eventually([&] {
        r = status();
        return r.out.find(finding) == std::string::npos;
    })) << r.out;
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok()) << daemon.err();
}

TEST_F(local_fault, a_read_only_log_sends_nothing_and_pays_once_it_is_writable_again)
{
    write_config({.read_timeout = "3s"});
    auto trigger = start_trigger_held_at_the_balance_read(1000);
    immutable_guard guard{audit_path()};
    if (!set_immutable(audit_path(), true))
        GTEST_SKIP() << "the file system of " << audit_path()
                     << " has no immutable attribute: " << std::strerror(errno);
    trigger->wait_for_line(std::regex("AUDIT LOG UNWRITABLE"), 10s, true);
    EXPECT_EQ(tasks_sent(), 1) << "something was sent while the audit log was unwritable";
    EXPECT_EQ(ledger_payments(), 0u);

    ASSERT_TRUE(set_immutable(audit_path(), false)) << std::strerror(errno);
    auto status = trigger->wait();
    EXPECT_TRUE(status.ok()) << trigger->err();
    EXPECT_THAT(trigger->err(), HasSubstr("audit log is writable again"));
    EXPECT_EQ(occurrence_types("guarded"),
              (std::vector<std::string>{"condition", "intent", "result"}));
    EXPECT_EQ(ledger_payments(), 1u);
    EXPECT_TRUE(verify().status.ok());
}

TEST_F(local_fault, a_read_only_log_at_start_is_refused_before_anything_is_sent)
{
    write_config();
    ASSERT_TRUE(trigger("rent").status.ok());
    ASSERT_EQ(tasks_sent(), 1);
    const auto tokens = token_requests();
    immutable_guard guard{audit_path()};
    if (!set_immutable(audit_path(), true))
        GTEST_SKIP() << "no immutable attribute here: " << std::strerror(errno);
    auto result = trigger("again");
    EXPECT_EQ(result.status.code, 73) << result.err;
    EXPECT_THAT(result.err, HasSubstr("audit.jsonl"));
    EXPECT_EQ(tasks_sent(), 1);
    EXPECT_EQ(token_requests(), tokens);
    EXPECT_EQ(ledger_payments(), 1u);
}

TEST_F(local_fault, a_deleted_state_directory_sends_nothing_and_says_so)
{
    write_config({.read_timeout = "3s", .occurrence_timeout = "5s"});
    auto trigger = start_trigger_held_at_the_balance_read(1000);
    std::filesystem::remove_all(state_dir());
    trigger->wait_for_line(std::regex("AUDIT LOG UNWRITABLE"), 10s, true);
    auto status = trigger->wait();
    // The log it had open is gone: it must not go on paying into a file nobody can read.
    EXPECT_EQ(tasks_sent(), 1);
    EXPECT_EQ(ledger_payments(), 0u);
    EXPECT_FALSE(std::filesystem::exists(audit_path()))
        << "a new log was started behind the operator's back";
    // Nothing of the occurrence could be recorded: `trigger` must not report success
    // (docs/engine.md: 73, the state directory cannot be written).
    EXPECT_EQ(status.code, 73) << trigger->err();
    EXPECT_THAT(trigger->err(), testing::Not(HasSubstr("done; see the audit log")));

    // The operator restores the state (here: a fresh one) and the next run pays.
    auto again = trigger_args("rent");
    auto result = run(our_binary("paymand"), again);
    EXPECT_TRUE(result.status.ok()) << result.err;
    EXPECT_EQ(ledger_payments(), 1u);
}

TEST_F(local_fault, a_torn_last_line_is_cut_exactly_and_the_next_payment_goes_through)
{
    write_config();
    ASSERT_TRUE(trigger("rent").status.ok());
    const auto intact = read_file(audit_path());
    const std::string torn = R"({"seq":5,"ts":"2026-11-28T23:59:59.12)";
    {
        std::ofstream out(audit_path(), std::ios::binary | std::ios::app);
        out << torn;
    }
    auto result = trigger("again");
    ASSERT_TRUE(result.status.ok()) << result.err;
    EXPECT_THAT(result.err, HasSubstr("torn line"));
    EXPECT_THAT(result.err, HasSubstr("removed " + std::to_string(torn.size()) +
                                      " bytes at offset " + std::to_string(intact.size())));
    auto now = read_file(audit_path());
    EXPECT_EQ(now.substr(0, intact.size()), intact) << "bytes before the torn line changed";
    EXPECT_THAT(now, testing::Not(HasSubstr(torn + "\n")));
    EXPECT_EQ(ledger_payments(), 2u);
    EXPECT_TRUE(verify().status.ok());
}

TEST_F(local_fault, a_corrupted_middle_record_refuses_every_payment_until_an_operator_acts)
{
    write_config();
    ASSERT_TRUE(trigger("rent").status.ok());
    auto log = read_file(audit_path());
    // The intent's amount, altered in place: its hash no longer matches.
    auto at = log.find(R"("amount":"10.00")");
    ASSERT_NE(at, std::string::npos);
    log[at + 10] = '9';
    dir.write("state/audit.jsonl", log);
    const auto sent = tasks_sent();
    const auto tokens = token_requests();

    auto refused = trigger("again");
    EXPECT_EQ(refused.status.code, 65) << refused.err;
    EXPECT_THAT(refused.err, HasSubstr("corrupt"));
    EXPECT_THAT(refused.err, HasSubstr("line 3"));
    EXPECT_THAT(refused.err, HasSubstr("paymand audit verify"));
    EXPECT_EQ(tasks_sent(), sent);
    EXPECT_EQ(token_requests(), tokens);
    EXPECT_EQ(read_file(audit_path()), log) << "a corrupt log must never be repaired by paymand";
    EXPECT_EQ(verify().status.code, 65);

    // The operator keeps the damaged log aside and starts a new one: payments resume.
    std::filesystem::rename(audit_path(), dir / "state/audit.jsonl.damaged");
    auto resumed = trigger("again");
    EXPECT_TRUE(resumed.status.ok()) << resumed.err;
    EXPECT_EQ(ledger_payments(), 2u);
}

}  // namespace
}  // namespace paymand::test::faults
