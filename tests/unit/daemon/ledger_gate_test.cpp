// The pure decision of daemon::ledger_gate: which failed claims, results and settlements are
// tried again, and when.

#include "paymand/daemon/ledger_gate.hpp"

#include <gtest/gtest.h>

namespace paymand::daemon {
namespace {

using std::chrono::milliseconds;

ledger::db_error error_of(ledger::ledger_errc code, std::string sqlstate = {})
{
    ledger::db_error e;
    e.code = make_error_code(code);
    e.sqlstate = std::move(sqlstate);
    return e;
}

TEST(connection_retry_delay, a_failed_connection_is_tried_again_with_a_growing_delay)
{
    for (auto code : {ledger::ledger_errc::connect_failed, ledger::ledger_errc::connect_timeout,
                      ledger::ledger_errc::not_connected, ledger::ledger_errc::reply_timeout,
                      ledger::ledger_errc::connection_lost}) {
        const auto e = error_of(code);
        EXPECT_EQ(connection_retry_delay(e, 1), milliseconds(50)) << e.what();
        EXPECT_EQ(connection_retry_delay(e, 2), milliseconds(100)) << e.what();
        EXPECT_EQ(connection_retry_delay(e, 5), milliseconds(800)) << e.what();
        EXPECT_EQ(connection_retry_delay(e, 6), milliseconds(1000)) << e.what();
    }
}

TEST(connection_retry_delay, gives_up_after_the_last_attempt)
{
    const auto e = error_of(ledger::ledger_errc::connection_lost);
    EXPECT_TRUE(connection_retry_delay(e, connection_attempts - 1));
    EXPECT_FALSE(connection_retry_delay(e, connection_attempts));
}

TEST(connection_retry_delay, a_refusal_or_a_cancellation_is_final)
{
    EXPECT_FALSE(connection_retry_delay(error_of(ledger::ledger_errc::server_error, "55P03"), 1));
    EXPECT_FALSE(connection_retry_delay(error_of(ledger::ledger_errc::cancelled), 1));
    EXPECT_FALSE(connection_retry_delay(error_of(ledger::ledger_errc::unexpected_answer), 1));
}

}  // namespace
}  // namespace paymand::daemon
