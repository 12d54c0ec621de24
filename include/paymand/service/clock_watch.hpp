#pragma once

// Learning of wall-clock steps without polling, as systemd does: a timerfd on
// CLOCK_REALTIME armed far in the future with TFD_TIMER_CANCEL_ON_SET; the kernel cancels it
// (read fails with ECANCELED) whenever the clock is set (NTP step, `date -s`, resume).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace paymand::service {

class clock_step_watch {
public:
    // The watch, or the errno of timerfd_create / timerfd_settime.
    static boost::system::result<clock_step_watch> open(boost::asio::any_io_executor executor);

    // Completes when the realtime clock has been set since this call began (error_code
    // empty), with operation_aborted when cancelled, or with the errno of rearming the timer.
    // Rearms itself for the next call.
    boost::asio::awaitable<boost::system::error_code> async_wait_step();

    void cancel() { descriptor_.cancel(); }

private:
    explicit clock_step_watch(boost::asio::posix::stream_descriptor descriptor);
    boost::system::error_code arm();

    boost::asio::posix::stream_descriptor descriptor_;
};

// What adjtimex(2) says of the kernel's clock discipline: unsynchronised means no NTP
// daemon has disciplined it (or it lost sync), so schedules may be off by the drift.
enum class clock_sync { synchronised, unsynchronised, unknown };
clock_sync read_clock_sync();

}  // namespace paymand::service
