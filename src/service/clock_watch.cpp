#include "paymand/service/clock_watch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <sys/timerfd.h>
#include <sys/timex.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <tuple>

namespace paymand::service {

namespace asio = boost::asio;
using boost::system::error_code;

boost::system::result<clock_step_watch> clock_step_watch::open(asio::any_io_executor executor)
{
    const int fd = ::timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0) return error_code(errno, boost::system::system_category());
    clock_step_watch watch(asio::posix::stream_descriptor(executor, fd));
    if (auto ec = watch.arm()) return ec;
    return watch;
}

clock_step_watch::clock_step_watch(asio::posix::stream_descriptor descriptor)
    : descriptor_(std::move(descriptor))
{
}

error_code clock_step_watch::arm()
{
    // An absolute expiry far away: the timer itself never fires, only the cancel-on-set does.
    itimerspec spec{};
    spec.it_value.tv_sec = std::numeric_limits<time_t>::max() / 2;
    if (::timerfd_settime(descriptor_.native_handle(), TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
                          &spec, nullptr) != 0)
        return error_code(errno, boost::system::system_category());
    return {};
}

asio::awaitable<error_code> clock_step_watch::async_wait_step()
{
    for (;;) {
        auto [ec] = co_await descriptor_.async_wait(asio::posix::descriptor_base::wait_read,
                                                    asio::as_tuple(asio::use_awaitable));
        if (ec) co_return ec;
        std::uint64_t expirations = 0;
        ssize_t n = ::read(descriptor_.native_handle(), &expirations, sizeof(expirations));
        if (n < 0 && errno == ECANCELED) co_return arm();
        // Spurious readiness (EAGAIN) or a real expiry centuries from now: keep waiting.
        if (n >= 0) {
            if (auto armed = arm()) co_return armed;
        }
    }
}

clock_sync read_clock_sync()
{
    timex tx{};
    int state = ::adjtimex(&tx);
    if (state < 0) {
        // Under systemd's ProtectClock= the syscall filter refuses even a read-only
        // adjtimex. systemd-timesyncd marks synchronisation with this file; without it (other
        // NTP clients) the state stays unknown rather than guessed.
        std::error_code ec;
        return std::filesystem::exists("/run/systemd/timesync/synchronized", ec)
                   ? clock_sync::synchronised
                   : clock_sync::unknown;
    }
    return (state == TIME_ERROR || (tx.status & STA_UNSYNC) != 0) ? clock_sync::unsynchronised
                                                                  : clock_sync::synchronised;
}

}  // namespace paymand::service
