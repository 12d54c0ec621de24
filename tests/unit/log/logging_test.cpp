#include "paymand/log/logging.hpp"

#include <boost/json/parse.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>
#include <stdlib.h>

namespace paymand::log {
namespace {

using testing::MatchesRegex;

std::string format_line(log_format format, spdlog::level::level_enum level, std::string_view text)
{
    spdlog::details::log_msg msg("paymand", level, text);
    spdlog::memory_buf_t buffer;
    make_formatter(format)->format(msg, buffer);
    return fmt::to_string(buffer);
}

TEST(log_format, journal_lines_carry_sd_daemon_priority_and_no_timestamp)
{
    EXPECT_EQ(format_line(log_format::journal, spdlog::level::err, "audit unwritable"),
              "<3>audit unwritable\n");
    EXPECT_EQ(format_line(log_format::journal, spdlog::level::warn, "w"), "<4>w\n");
    EXPECT_EQ(format_line(log_format::journal, spdlog::level::info, "i"), "<6>i\n");
    EXPECT_EQ(format_line(log_format::journal, spdlog::level::debug, "d"), "<7>d\n");
    EXPECT_EQ(format_line(log_format::journal, spdlog::level::critical, "c"), "<2>c\n");
}

TEST(log_format, text_lines_start_with_a_utc_timestamp_and_level)
{
    auto line = format_line(log_format::text, spdlog::level::info, "started");
    ASSERT_EQ(line.back(), '\n');
    line.pop_back();
    EXPECT_THAT(line,
                MatchesRegex(R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z info started)"));
}

TEST(log_format, json_lines_are_one_object_with_the_message_escaped)
{
    auto line = format_line(log_format::json, spdlog::level::warn, "quote \" and\nnewline");
    ASSERT_EQ(line.back(), '\n');
    auto object = boost::json::parse(line).as_object();
    EXPECT_EQ(object.at("level").as_string(), "warning");
    EXPECT_EQ(object.at("msg").as_string(), "quote \" and\nnewline");
    EXPECT_EQ(object.at("logger").as_string(), "paymand");
    EXPECT_THAT(std::string(object.at("ts").as_string()),
                MatchesRegex(R"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z)"));
}

TEST(log_format, parses_the_config_words)
{
    EXPECT_EQ(log_format_words.parse("json"), log_format::json);
    EXPECT_EQ(log_format_words.parse("auto"), log_format::automatic);
    EXPECT_EQ(log_format_words.parse("JSON"), std::nullopt);
}

TEST(log_format, automatic_is_text_when_journal_stream_names_another_file)
{
    ::setenv("JOURNAL_STREAM", "1:1", 1);
    EXPECT_EQ(resolve_format(log_format::automatic), log_format::text);
    ::unsetenv("JOURNAL_STREAM");
    EXPECT_EQ(resolve_format(log_format::automatic), log_format::text);
}

}  // namespace
}  // namespace paymand::log
