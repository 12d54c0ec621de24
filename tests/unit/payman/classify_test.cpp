// Transport failures classified by what the server may have seen.

#include "paymand/net/net_errc.hpp"
#include "paymand/payman/protocol.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include <gtest/gtest.h>

namespace paymand::payman {
namespace {

namespace http = boost::beast::http;
namespace asio_error = boost::asio::error;
using net::phase;

client_error classify(phase p, boost::system::error_code ec, bool written, bool token = false)
{
    return classify_transport(
        core::extend({.code = ec}, net::transport_error{.phase = p, .request_written = written}),
        token);
}

TEST(classify, failures_before_the_request_went_out_are_not_sent)
{
    EXPECT_EQ(classify(phase::resolve, asio_error::host_not_found, false).code,
              payman_errc::resolve_failed);
    EXPECT_EQ(classify(phase::connect, asio_error::connection_refused, false).code,
              payman_errc::connect_failed);
    EXPECT_EQ(classify(phase::tls_handshake, asio_error::eof, false).code, payman_errc::tls_failed);
    EXPECT_EQ(classify(phase::write, asio_error::broken_pipe, false).code,
              payman_errc::send_failed);
    EXPECT_EQ(classify(phase::pool_wait, net::net_errc::connection_wait_timeout, false).code,
              payman_errc::connection_wait_timeout);
    for (auto p :
         {phase::pool_wait, phase::resolve, phase::connect, phase::tls_handshake, phase::write})
        EXPECT_EQ(classify(p, asio_error::timed_out, false).kind, error_class::not_sent);
}

TEST(classify, a_timeout_while_waiting_for_the_answer_is_unknown)
{
    auto e = classify(phase::read, boost::beast::error::timeout, true);
    EXPECT_EQ(e.kind, error_class::unknown_outcome);
    EXPECT_EQ(e.code, payman_errc::response_timeout);
    EXPECT_EQ(e.cause, boost::beast::error::timeout);
}

TEST(classify, a_lost_connection_after_writing_is_unknown)
{
    EXPECT_EQ(classify(phase::read, asio_error::connection_reset, true).code,
              payman_errc::connection_lost);
    EXPECT_EQ(classify(phase::read, http::error::end_of_stream, true).code,
              payman_errc::connection_lost);
    EXPECT_EQ(classify(phase::read, asio_error::connection_reset, true).kind,
              error_class::unknown_outcome);
}

TEST(classify, an_oversized_answer_is_unknown_and_named)
{
    auto e = classify(phase::read, http::error::body_limit, true);
    EXPECT_EQ(e.kind, error_class::unknown_outcome);
    EXPECT_EQ(e.code, payman_errc::response_too_large);
    EXPECT_EQ(classify(phase::read, http::error::header_limit, true).code,
              payman_errc::response_too_large);
}

TEST(classify, a_cut_or_garbled_answer_is_unknown)
{
    EXPECT_EQ(classify(phase::read, http::error::partial_message, true).code,
              payman_errc::truncated_response);
    EXPECT_EQ(classify(phase::read, http::error::bad_version, true).code,
              payman_errc::malformed_response);
}

TEST(classify, any_failure_of_a_token_request_is_not_sent)
{
    EXPECT_EQ(classify(phase::read, boost::beast::error::timeout, true, true).kind,
              error_class::not_sent);
    EXPECT_EQ(classify(phase::read, boost::beast::error::timeout, true, true).code,
              payman_errc::token_request_failed);
    EXPECT_EQ(classify(phase::read, http::error::body_limit, true, true).kind,
              error_class::not_sent);
    // Failures before the write keep their precise cause.
    EXPECT_EQ(classify(phase::tls_handshake, asio_error::eof, false, true).code,
              payman_errc::tls_failed);
}

TEST(classify, the_message_names_the_phase_and_the_detail)
{
    auto e =
        classify_transport(core::extend({.code = asio_error::eof, .message = "hostname mismatch"},
                                        net::transport_error{.phase = phase::tls_handshake}),
                           false);
    EXPECT_NE(e.message.find("TLS handshake"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("hostname mismatch"), std::string::npos) << e.message;
    EXPECT_TRUE(e.diagnostics.empty());
}

}  // namespace
}  // namespace paymand::payman
