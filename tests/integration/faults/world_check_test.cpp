// Issue 18, item 3: the credentials and the world are checked at start and at reload. With a
// wrong secret or a wrong base_url the daemon used to report "running" and READY, and the
// first sign was a payment logged "not paid" at warning priority a month later. Now the
// daemon fetches a token, compares the granted scopes with the rules' needs and looks up
// every payee and wallet the rules name (read-only listings); the outcome reaches the
// journal (a refused or lacking credential at error priority), the live view and `paymand
// status` (refused or lacking: CRITICAL, exit 2; not verified: WARNING, exit 1). A failing
// check never stops the daemon, and a network failure is "not verified", never "refused".
// Item 2's live view and reload line are checked here too, on the same daemons.

#include "fault_fixture.hpp"

#include <gmock/gmock.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <regex>

namespace paymand::test::faults {
namespace {

using testing::HasSubstr;
using testing::Not;
using testing::StartsWith;

class world_check_test : public fault_test {
protected:
    std::string secret = std::string(sandbox_client_secret);
    std::string client_id = std::string(sandbox_client_id);

    process_params daemon_with(const std::string& secret_value) const
    {
        auto p = daemon_args();
        p.env = {secret_env + "=" + secret_value};
        return p;
    }

    // Points payman.base_url and client_id of the written configuration elsewhere.
    void edit_config(const std::string& from, const std::string& to)
    {
        auto text = read_file(config_path());
        const auto at = text.find(from);
        ASSERT_NE(at, std::string::npos) << from;
        text.replace(at, from.size(), to);
        dir.write("paymand.yaml", text);
    }

    // Starts the daemon and waits for the check's journal line; returns it.
    std::unique_ptr<child_process> start(const std::string& secret_value, std::string& line)
    {
        auto d = std::make_unique<child_process>(our_binary("paymand"), daemon_with(secret_value));
        d->wait_for_line(std::regex("running"), 30s, true);
        line = d->wait_for_line(std::regex("(.*credentials (verified|REFUSED|not verified|"
                                           "accepted).*)"),
                                30s, true);
        return d;
    }

    // Waits for the live view to show the credentials state `expected` (it is published
    // within a fraction of a second of the journal line); what it showed last.
    std::string view_state(std::string_view expected)
    {
        std::string state;
        eventually([&] {
            std::error_code ec;
            if (!std::filesystem::exists(state_dir() / "live.json", ec)) return false;
            auto v = boost::json::parse(read_file(state_dir() / "live.json"));
            state = std::string(v.at("credentials").at("state").as_string());
            return state == expected;
        });
        return state;
    }

    // Starts the daemon and waits for the check: its journal line holds `line_part`, the live
    // view shows `state`, and `paymand status` exits with `code`, its verdict starting with
    // `verdict`. The daemon keeps running whatever the check found.
    std::unique_ptr<child_process> expect_check(const std::string& secret_value,
                                                std::string_view line_part, std::string_view state,
                                                int code, std::string_view verdict)
    {
        std::string line;
        auto daemon = start(secret_value, line);
        EXPECT_THAT(line, HasSubstr(std::string(line_part)));
        if (state != "refused") {
            EXPECT_THAT(line, Not(HasSubstr("REFUSED")));
        }
        EXPECT_EQ(view_state(state), state);
        auto r = status();
        EXPECT_EQ(r.status.code, code) << r.out << r.err;
        EXPECT_THAT(r.out, StartsWith(std::string(verdict)));
        EXPECT_TRUE(daemon->running());
        return daemon;
    }

    run_result status(std::vector<std::string> extra = {})
    {
        std::vector<std::string> args{"status", "--config", config_path().string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return run(our_binary("paymand"), paymand_args(std::move(args)));
    }
};

TEST_F(world_check_test, good_credentials_are_verified_with_their_payees_and_wallets)
{
    write_config();
    auto daemon = expect_check(secret,
                               "info credentials verified: the scopes the rules need granted, 1 "
                               "payee and 1 wallet found in Payman",
                               "verified", 0, "OK: paymand is running");
    EXPECT_THAT(status().out, HasSubstr("credentials: credentials verified"));
}

TEST_F(world_check_test, a_wrong_secret_is_refused_at_error_priority_and_status_is_critical)
{
    write_config();
    auto daemon = expect_check("not-the-secret",
                               "error credentials REFUSED by Payman: the token endpoint refused "
                               "the request (HTTP 401)",
                               "refused", 2, "CRITICAL: credentials REFUSED by Payman");
    auto json = boost::json::parse(status({"--json"}).out).as_object();
    EXPECT_EQ(json.at("credentials").at("state").as_string(), "refused");
}

// The service manager's end of sd_notify: an AF_UNIX datagram socket in the test directory.
class notify_listener {
public:
    explicit notify_listener(const std::filesystem::path& path) : path_(path)
    {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        EXPECT_LT(path.string().size(), sizeof(addr.sun_path));
        std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
        EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0)
            << std::strerror(errno);
    }
    ~notify_listener() { ::close(fd_); }
    notify_listener(const notify_listener&) = delete;
    notify_listener& operator=(const notify_listener&) = delete;

    // The STATUS= values received until one holds `part` or `timeout` passed, in order.
    std::vector<std::string> status_until(std::string_view part, std::chrono::milliseconds timeout)
    {
        std::vector<std::string> seen;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 1))) <= 0)
                continue;
            char buffer[4096];
            const auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
            if (n <= 0) continue;
            std::istringstream lines(std::string(buffer, static_cast<std::size_t>(n)));
            for (std::string line; std::getline(lines, line);) {
                if (!line.starts_with("STATUS=")) continue;
                seen.push_back(line.substr(7));
                if (seen.back().find(part) != std::string::npos) return seen;
            }
        }
        return seen;
    }

private:
    std::filesystem::path path_;
    int fd_ = -1;
};

// A refused credential also reaches the service manager's status line, the metric and
// /healthz (503), which is what `systemctl status` and a Prometheus alert see.
TEST_F(world_check_test, a_refused_credential_reaches_status_line_metrics_and_healthz)
{
    write_config({.extra = "metrics: {listen: 127.0.0.1:0}\n"});
    notify_listener notify(dir / "notify");
    auto args = daemon_with("not-the-secret");
    args.env.push_back("NOTIFY_SOCKET=" + (dir / "notify").string());
    args.unset_env.erase(std::remove(args.unset_env.begin(), args.unset_env.end(), "NOTIFY_SOCKET"),
                         args.unset_env.end());
    child_process daemon(our_binary("paymand"), args);
    const auto line =
        daemon.wait_for_line(std::regex(".*metrics: serving (http://\\S+)/metrics.*"), 30s, true);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, std::regex("http://127\\.0\\.0\\.1:[0-9]+")));
    const std::string base = m[0];
    daemon.wait_for_line(std::regex("credentials REFUSED"), 30s, true);

    auto seen = notify.status_until("credentials refused", 10s);
    ASSERT_FALSE(seen.empty());
    EXPECT_THAT(seen.back(), StartsWith("CRITICAL: credentials refused by Payman; "));
    EXPECT_THAT(http_request({.url = base + "/metrics"}).body,
                HasSubstr("paymand_credentials{state=\"refused\"} 1"));
    auto health = http_request({.url = base + "/healthz"});
    EXPECT_EQ(health.status, 503);
    EXPECT_THAT(health.body, HasSubstr("credentials refused"));
    EXPECT_TRUE(daemon.running());
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok()) << daemon.err();
}

TEST_F(world_check_test, a_base_url_without_payman_is_not_verified_never_refused)
{
    write_config();
    // The sandbox's admin listener answers, but has no Payman API: HTTP 404 on the token path.
    edit_config(sandbox->base_url(), sandbox->admin_url() + "/api");
    expect_check(secret,
                 "warning credentials not verified: no token: the token endpoint was not found "
                 "(HTTP 404): no Payman API at this URL",
                 "not_verified", 1, "WARNING: credentials not verified");
}

TEST_F(world_check_test, an_unreachable_payman_is_not_verified_never_refused)
{
    write_config();
    // Port 1 on loopback: nothing listens there, the connection is refused.
    edit_config(sandbox->base_url(), "http://127.0.0.1:1/api");
    expect_check(secret, "warning credentials not verified: no token: ", "not_verified", 1,
                 "WARNING: credentials not verified");
}

TEST_F(world_check_test, an_unknown_payee_is_an_error_and_a_reload_that_fixes_it_is_verified)
{
    write_config({}, R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: Jane Roe, amount: 10.00, wallet: Operations}
)");
    auto daemon = expect_check(secret,
                               "error credentials accepted, but the rules need what Payman does "
                               "not grant or list: payee 'Jane Roe' (rules: rent) is not among "
                               "the 1 payees Payman lists",
                               "lacking", 2, "CRITICAL: credentials accepted, but");

    // Edited on disk, not yet reloaded: status says so.
    dir.write("rules/rules.yaml", R"(rules:
  - id: rent
    schedule: monthly on day 2 at 09:00
    pay: {payee: John Doe, amount: 12.00, wallet: Operations}
)");
    auto r = status();
    EXPECT_THAT(r.out, HasSubstr("rent edited, not yet reloaded"));

    daemon->send_signal(SIGHUP);
    auto reloaded = daemon->wait_for_line(std::regex("(.*reloaded: .*)"), 30s, true);
    EXPECT_THAT(reloaded, HasSubstr("changed: rent (0 9 1 * * UTC: pay 10.00 TSD to Jane Roe from "
                                    "Operations -> 0 9 2 * * UTC: pay 12.00 TSD to John Doe from "
                                    "Operations)"));
    daemon->wait_for_line(std::regex("credentials verified"), 30s, true);
    EXPECT_EQ(view_state("verified"), "verified");
    r = status();
    EXPECT_EQ(r.status.code, 0) << r.out << r.err;
    EXPECT_THAT(r.out, Not(HasSubstr("not yet reloaded")));
    EXPECT_THAT(r.out, HasSubstr("last reload: "));
}

TEST_F(world_check_test, a_scope_the_rules_need_and_not_granted_is_lacking)
{
    write_config();
    edit_config(std::string(sandbox_client_id), std::string(sandbox_readonly_client_id));
    expect_check(std::string(sandbox_readonly_client_secret),
                 "error credentials accepted, but the rules need what Payman does not grant or "
                 "list: scope write_send_payment is not granted (pay rules: rent, again, "
                 "guarded)",
                 "lacking", 2, "CRITICAL: credentials accepted, but");
}

}  // namespace
}  // namespace paymand::test::faults
