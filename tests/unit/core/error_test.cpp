#include "paymand/core/error.hpp"
#include "paymand/ledger/db_error.hpp"
#include "paymand/net/net_errc.hpp"
#include "paymand/net/transport_error.hpp"
#include "paymand/payman/client_error.hpp"

#include <boost/system/errc.hpp>

#include <gtest/gtest.h>

#include <type_traits>

namespace {

using paymand::core::error;
using paymand::core::error_exception;
using paymand::core::result;

result<int> refuse()
{
    return error{make_error_code(boost::system::errc::invalid_argument), 7,
                 "minute 75 is out of range"};
}

}  // namespace

TEST(core_error, value_of_an_error_throws_the_message_and_keeps_the_error)
{
    auto r = refuse();
    try {
        (void)r.value();
        FAIL() << "value() returned";
    } catch (const error_exception& e) {
        EXPECT_STREQ(e.what(), "minute 75 is out of range");
        EXPECT_EQ(e.error().code, boost::system::errc::invalid_argument);
        EXPECT_EQ(e.error().offset, 7u);
    }
}

// The domain errors are core::error plus their facts: one type for code, position and message.
static_assert(std::is_base_of_v<error, paymand::payman::client_error>);
static_assert(std::is_base_of_v<error, paymand::net::transport_error>);
static_assert(std::is_base_of_v<error, paymand::ledger::db_error>);

TEST(core_error, a_domain_error_is_a_core_error_with_its_money_facts)
{
    namespace payman = paymand::payman;
    const auto e = paymand::core::extend(
        {.code = payman::payman_errc::response_timeout, .message = "timed out"},
        payman::client_error{.kind = payman::error_class::unknown_outcome, .http_status = 504});
    const error& base = e;
    EXPECT_EQ(base.code, payman::payman_errc::response_timeout);
    EXPECT_EQ(base.message, "timed out");
    EXPECT_EQ(e.kind, payman::error_class::unknown_outcome);
    EXPECT_EQ(e.http_status, 504);
    EXPECT_EQ(e.what(), "unknown outcome: timed out");

    const auto t = paymand::core::extend(
        {.code = paymand::net::net_errc::tls_setup_failed},
        paymand::net::transport_error{.phase = paymand::net::phase::read, .request_written = true});
    EXPECT_TRUE(t.request_written);
    EXPECT_EQ(t.what(), "read: TLS could not be set up");

    const result<int, paymand::ledger::db_error> d =
        paymand::ledger::db_error{{.code = paymand::ledger::ledger_errc::reply_timeout}, "57014"};
    ASSERT_FALSE(d.has_value());
    EXPECT_TRUE(d.error().outcome_unknown());
    EXPECT_EQ(static_cast<const error&>(d.error()).code,
              paymand::ledger::ledger_errc::reply_timeout);
}
