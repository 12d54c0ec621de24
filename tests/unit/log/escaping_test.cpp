// Issue 16, item 6: a server's text in a log message reached the journal with its C1 controls,
// ESC sequences, bidi overrides and newlines. Every format escapes the message.

#include "paymand/log/logging.hpp"

#include <boost/json/parse.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

namespace paymand::log {
namespace {

using testing::HasSubstr;
using testing::Not;

std::string formatted(log_format format, std::string_view message)
{
    auto formatter = make_formatter(format);
    spdlog::details::log_msg msg("paymand", spdlog::level::warn,
                                 spdlog::string_view_t(message.data(), message.size()));
    spdlog::memory_buf_t out;
    formatter->format(msg, out);
    return std::string(out.data(), out.size());
}

TEST(log_escaping, no_control_c1_or_bidi_character_reaches_a_line_in_any_format)
{
    const std::string hostile = "rent: IN DOUBT: [server said: ok\xC2\x9B"
                                "31m\x1B[2J\xE2\x80\xAE"
                                "x\nforged <3>line]";
    for (auto format : {log_format::text, log_format::journal, log_format::json}) {
        const auto line = formatted(format, hostile);
        ASSERT_FALSE(line.empty());
        EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line only: " << line;
        EXPECT_THAT(line, Not(HasSubstr("\xC2\x9B")));
        EXPECT_THAT(line, Not(HasSubstr("\x1B")));
        EXPECT_THAT(line, Not(HasSubstr("\xE2\x80\xAE")));
        EXPECT_THAT(line, HasSubstr("u009B31m")) << line;
        EXPECT_THAT(line, HasSubstr("u202Ex")) << line;
        // JSON keeps the exact text for a parser.
        if (format == log_format::json) {
            EXPECT_EQ(boost::json::parse(line).at("msg").as_string(), hostile);
        }
    }
    // Plain text is untouched.
    EXPECT_THAT(formatted(log_format::text, "paid 10.00 TSD to John Doe — done"),
                HasSubstr("paid 10.00 TSD to John Doe — done\n"));
}

}  // namespace
}  // namespace paymand::log
