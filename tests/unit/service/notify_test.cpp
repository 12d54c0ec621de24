#include "paymand/service/notify.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

namespace paymand::service {
namespace {

using testing::MatchesRegex;
using testing::StartsWith;

// Plays systemd's part: a datagram socket named by NOTIFY_SOCKET.
class fake_manager {
public:
    fake_manager()
    {
        char pattern[] = "/tmp/paymand-notify-XXXXXX";
        dir_ = ::mkdtemp(pattern);
        path_ = dir_ + "/notify";
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) std::abort();
        timeval timeout{.tv_sec = 5, .tv_usec = 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
        ::setenv("NOTIFY_SOCKET", path_.c_str(), 1);
    }
    ~fake_manager()
    {
        ::unsetenv("NOTIFY_SOCKET");
        ::unsetenv("WATCHDOG_USEC");
        ::close(fd_);
        std::filesystem::remove_all(dir_);
    }

    std::string receive()
    {
        char buffer[4096];
        auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
        return n < 0 ? std::string("<nothing>") : std::string(buffer, static_cast<size_t>(n));
    }

private:
    std::string dir_;
    std::string path_;
    int fd_ = -1;
};

TEST(notifier, does_nothing_without_a_notify_socket)
{
    ::unsetenv("NOTIFY_SOCKET");
    notifier n;
    EXPECT_FALSE(n.enabled());
    n.ready("ignored");  // must not crash or block
}

TEST(notifier, sends_ready_with_a_single_line_status)
{
    fake_manager manager;
    notifier n;
    ASSERT_TRUE(n.enabled());
    n.ready("3 rules loaded\nnext: rent");
    EXPECT_EQ(manager.receive(), "READY=1\nSTATUS=3 rules loaded next: rent");
}

TEST(notifier, reloading_carries_the_monotonic_time)
{
    fake_manager manager;
    notifier n;
    n.reloading();
    EXPECT_THAT(manager.receive(), MatchesRegex("RELOADING=1\nMONOTONIC_USEC=[0-9]+"));
}

TEST(notifier, stopping_and_watchdog)
{
    fake_manager manager;
    notifier n;
    n.stopping();
    EXPECT_EQ(manager.receive(), "STOPPING=1");
    n.watchdog();
    EXPECT_EQ(manager.receive(), "WATCHDOG=1");
}

TEST(notifier, pings_the_watchdog_at_half_its_interval)
{
    fake_manager manager;
    ::setenv("WATCHDOG_USEC", "3000000", 1);
    notifier n;
    ASSERT_TRUE(n.watchdog_interval().has_value());
    EXPECT_EQ(*n.watchdog_interval(), std::chrono::microseconds(1'500'000));
}

TEST(notifier, has_no_watchdog_interval_when_none_is_set)
{
    fake_manager manager;
    ::unsetenv("WATCHDOG_USEC");
    notifier n;
    EXPECT_FALSE(n.watchdog_interval().has_value());
}

}  // namespace
}  // namespace paymand::service
