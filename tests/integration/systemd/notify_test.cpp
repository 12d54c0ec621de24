// The test acts as systemd for `paymand run`: it owns the NOTIFY_SOCKET datagram socket and
// sets WATCHDOG_USEC, then checks what Type=notify and WatchdogSec= rely on: READY=1 only
// once the rules are loaded, WATCHDOG=1 at half the interval, RELOADING=1 (with
// MONOTONIC_USEC) and READY=1 around SIGHUP, STOPPING=1 and exit 0 on SIGTERM.

#include "integration/systemd/daemon_files.hpp"
#include "integration/systemd/tools.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace paymand::test {
namespace {

using namespace std::chrono_literals;
using testing::HasSubstr;
using testing::Not;

using clock_type = std::chrono::steady_clock;

// One sd_notify(3) datagram: newline-separated VARIABLE=value assignments.
struct notification {
    std::string text;
    std::map<std::string, std::string> fields;

    bool has(const std::string& name) const { return fields.contains(name); }
    std::string get(const std::string& name) const
    {
        auto it = fields.find(name);
        return it == fields.end() ? std::string() : it->second;
    }
};

notification parse_notification(std::string text)
{
    notification n{std::move(text), {}};
    for (const auto& line : split_lines(n.text)) {
        auto eq = line.find('=');
        if (eq != std::string::npos) n.fields[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return n;
}

std::uint64_t monotonic_usec()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000u +
           static_cast<std::uint64_t>(ts.tv_nsec) / 1'000u;
}

// The service manager's end: an AF_UNIX datagram socket bound in a temporary directory.
class notify_socket {
public:
    explicit notify_socket(const std::filesystem::path& path) : path_(path)
    {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        if (path.string().size() >= sizeof(addr.sun_path))
            throw std::runtime_error("socket path too long: " + path.string());
        std::strcpy(addr.sun_path, path.c_str());
        if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0)
            throw std::runtime_error("bind: " + std::string(std::strerror(errno)));
    }
    ~notify_socket() { ::close(fd_); }
    notify_socket(const notify_socket&) = delete;
    notify_socket& operator=(const notify_socket&) = delete;

    const std::filesystem::path& path() const { return path_; }

    // The next datagram, or nullopt once `deadline` has passed.
    std::optional<notification> receive(clock_type::time_point deadline)
    {
        for (;;) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
            if (left.count() < 0) return std::nullopt;
            pollfd p{fd_, POLLIN, 0};
            int ready = ::poll(&p, 1, static_cast<int>(left.count()) + 1);
            if (ready < 0 && errno == EINTR) continue;
            if (ready < 0) throw std::runtime_error("poll: " + std::string(std::strerror(errno)));
            if (ready == 0) continue;
            char buffer[4096];
            auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            if (n < 0) throw std::runtime_error("recv: " + std::string(std::strerror(errno)));
            auto message = parse_notification(std::string(buffer, static_cast<std::size_t>(n)));
            history_.push_back(message.text);
            return message;
        }
    }

    // Receives until a datagram satisfies `match` and returns it, dropping those before it.
    // Throws (failing the test) with everything received so far at the deadline.
    notification wait_for(const std::function<bool(const notification&)>& match,
                          const std::string& what, std::chrono::milliseconds timeout = 30s)
    {
        auto deadline = clock_type::now() + timeout;
        while (auto n = receive(deadline))
            if (match(*n)) return *n;
        std::string seen;
        for (const auto& h : history_) seen += "[" + h + "] ";
        throw std::runtime_error("no " + what + " within " + std::to_string(timeout.count()) +
                                 " ms; received: " + seen);
    }

private:
    std::filesystem::path path_;
    int fd_ = -1;
    std::vector<std::string> history_;
};

bool is_watchdog(const notification& n)
{
    return n.has("WATCHDOG");
}

// Pings and status updates may come at any time; the state changes are what the tests order.
bool is_state_change(const notification& n)
{
    for (const auto& [name, value] : n.fields)
        if (name != "WATCHDOG" && name != "STATUS") return true;
    return false;
}

class notify_test : public testing::Test {
protected:
    temp_dir dir;
    sandbox_process sandbox;
    notify_socket manager{dir / "notify"};

    void write_config()
    {
        write_daemon_files(dir, sandbox, "{env: " + secret_env + "}", "text",
                           std::string(monthly_rent_rule) + R"(  - id: gym
    schedule: weekly on monday at 07:00
    pay: {payee: John Doe, amount: 5.00}
)");
    }

    // `paymand run` as systemd starts it: NOTIFY_SOCKET and WATCHDOG_USEC set.
    process_params daemon_args(std::vector<std::string> extra_env = {})
    {
        process_params p{.args = {"run", "--config", (dir / "paymand.yaml").string()},
                         .env = {secret_env + "=" + std::string(sandbox_client_secret),
                                 "NOTIFY_SOCKET=" + manager.path().string(),
                                 "WATCHDOG_USEC=400000"},
                         .unset_env = {"PAYMAN_CLIENT_SECRET", "CREDENTIALS_DIRECTORY",
                                       "JOURNAL_STREAM", "WATCHDOG_PID"}};
        p.env.insert(p.env.end(), extra_env.begin(), extra_env.end());
        return p;
    }

    std::string audit() { return read_file(dir / "state/audit.jsonl"); }
};

TEST_F(notify_test, ready_comes_after_the_rules_are_loaded_and_names_them_in_status)
{
    write_config();
    child_process daemon(our_binary("paymand"), daemon_args());
    auto ready = manager.wait_for([](const notification& n) { return n.has("READY"); }, "READY=1");
    // The audit log is written before READY=1: the rules were loaded and recorded.
    auto log = audit();
    EXPECT_THAT(log, HasSubstr("\"type\":\"rules_loaded\""));
    EXPECT_THAT(log, HasSubstr("\"id\":\"rent\""));
    EXPECT_EQ(ready.get("READY"), "1");
    EXPECT_THAT(ready.get("STATUS"), HasSubstr("2 rules (2 enabled)"));
    EXPECT_THAT(ready.get("STATUS"), HasSubstr("next: "));
    // No second READY=1 without a reload.
    auto deadline = clock_type::now() + 1s;
    while (auto n = manager.receive(deadline)) EXPECT_FALSE(n->has("READY")) << n->text;
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok()) << daemon.err();
}

TEST_F(notify_test, watchdog_pings_keep_arriving_at_half_the_interval)
{
    write_config();
    child_process daemon(our_binary("paymand"), daemon_args());
    manager.wait_for([](const notification& n) { return n.has("READY"); }, "READY=1");
    // WATCHDOG_USEC=400000: a ping every 200 ms. Ten of them must come well within 10 s.
    auto first = clock_type::now();
    for (int i = 0; i < 10; ++i)
        manager.wait_for(is_watchdog, "WATCHDOG=1 #" + std::to_string(i + 1), 10s);
    auto elapsed = clock_type::now() - first;
    // At most 10 pings in the first ~1.8 s is the daemon pacing itself, not flooding.
    EXPECT_GE(elapsed, 1500ms) << "pings came faster than half of WATCHDOG_USEC";
    EXPECT_TRUE(daemon.running());
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok()) << daemon.err();
}

TEST_F(notify_test, no_watchdog_pings_when_watchdog_pid_names_another_process)
{
    write_config();
    // sd_watchdog_enabled(3): WATCHDOG_PID names the process meant; this one is not it.
    child_process daemon(our_binary("paymand"),
                         daemon_args({"WATCHDOG_PID=" + std::to_string(::getpid())}));
    manager.wait_for([](const notification& n) { return n.has("READY"); }, "READY=1");
    auto deadline = clock_type::now() + 1500ms;
    while (auto n = manager.receive(deadline)) EXPECT_FALSE(n->has("WATCHDOG")) << n->text;
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok()) << daemon.err();
}

TEST_F(notify_test, sighup_sends_reloading_with_monotonic_usec_then_ready)
{
    write_config();
    child_process daemon(our_binary("paymand"), daemon_args());
    manager.wait_for([](const notification& n) { return n.has("READY"); }, "READY=1");
    dir.write("rules/more.yaml", R"(rules:
  - id: rent-2
    schedule: monthly on day 2 at 09:00
    pay: {payee: John Doe, amount: 10.00}
)");
    auto before = monotonic_usec();
    daemon.send_signal(SIGHUP);
    auto reloading = manager.wait_for(is_state_change, "RELOADING=1");
    auto after = monotonic_usec();
    EXPECT_EQ(reloading.get("RELOADING"), "1") << reloading.text;
    ASSERT_TRUE(reloading.has("MONOTONIC_USEC")) << reloading.text;
    auto stamp = std::stoull(reloading.get("MONOTONIC_USEC"));
    EXPECT_GE(stamp, before);
    EXPECT_LE(stamp, after);
    EXPECT_FALSE(reloading.has("READY")) << reloading.text;
    auto ready = manager.wait_for(is_state_change, "READY=1 after the reload");
    EXPECT_EQ(ready.get("READY"), "1") << ready.text;
    EXPECT_THAT(ready.get("STATUS"), HasSubstr("3 rules"));
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok()) << daemon.err();
}

TEST_F(notify_test, a_failed_reload_still_ends_with_ready_and_the_old_rules)
{
    write_config();
    child_process daemon(our_binary("paymand"), daemon_args());
    manager.wait_for([](const notification& n) { return n.has("READY"); }, "READY=1");
    dir.write("rules/broken.yaml", "rules:\n  - id: Bad Id\n    schedule: whenever\n");
    daemon.send_signal(SIGHUP);
    manager.wait_for([](const notification& n) { return n.has("RELOADING"); }, "RELOADING=1");
    // systemd waits for READY=1 after RELOADING=1; without it the reload job would hang.
    auto ready = manager.wait_for(is_state_change, "READY=1 after the failed reload");
    EXPECT_EQ(ready.get("READY"), "1") << ready.text;
    EXPECT_THAT(ready.get("STATUS"), HasSubstr("2 rules"));
    EXPECT_TRUE(daemon.running());
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok()) << daemon.err();
}

TEST_F(notify_test, sigterm_sends_stopping_and_the_daemon_exits_cleanly)
{
    write_config();
    child_process daemon(our_binary("paymand"), daemon_args());
    manager.wait_for([](const notification& n) { return n.has("READY"); }, "READY=1");
    daemon.send_signal(SIGTERM);
    auto stopping = manager.wait_for(is_state_change, "STOPPING=1");
    EXPECT_EQ(stopping.get("STOPPING"), "1") << stopping.text;
    auto status = daemon.wait();
    EXPECT_TRUE(status.ok()) << "exit " << status.code << " signal " << status.signal << "\n"
                             << daemon.err();
    EXPECT_THAT(audit(), HasSubstr("\"type\":\"stopped\""));
    // Nothing after STOPPING=1 claims readiness again.
    auto deadline = clock_type::now() + 200ms;
    while (auto n = manager.receive(deadline)) EXPECT_FALSE(n->has("READY")) << n->text;
}

}  // namespace
}  // namespace paymand::test
