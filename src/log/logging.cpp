#include "paymand/log/logging.hpp"

#include "paymand/text/display.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

namespace paymand::log {
namespace {

// sd-daemon(3) priorities: the journal reads a leading "<N>" on each line.
int journal_priority(spdlog::level::level_enum level)
{
    switch (level) {
    case spdlog::level::critical:
        return 2;
    case spdlog::level::err:
        return 3;
    case spdlog::level::warn:
        return 4;
    case spdlog::level::info:
        return 6;
    default:
        return 7;
    }
}

class journal_priority_flag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override
    {
        fmt::format_to(std::back_inserter(dest), "<{}>", journal_priority(msg.level));
    }
    std::unique_ptr<custom_flag_formatter> clone() const override
    {
        return std::make_unique<journal_priority_flag>();
    }
};

// One JSON object per line: {"ts":"...Z","level":"info","logger":"paymand","msg":"..."}.
class json_formatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override
    {
        // fmt 9 prints no sub-second digits for time points: add them by hand.
        auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(msg.time);
        auto micros =
            std::chrono::duration_cast<std::chrono::microseconds>(msg.time - seconds).count();
        // Exact text for a parser; no control, C1 or bidi character as such in the line.
        auto text = text::json_quote(std::string_view(msg.payload.data(), msg.payload.size()));
        auto logger =
            text::json_quote(std::string_view(msg.logger_name.data(), msg.logger_name.size()));
        auto level = spdlog::level::to_string_view(msg.level);
        fmt::format_to(std::back_inserter(dest),
                       "{{\"ts\":\"{:%FT%T}.{:06}Z\",\"level\":\"{}\",\"logger\":{},\"msg\":{}}}\n",
                       seconds, micros, std::string_view(level.data(), level.size()), logger, text);
    }
    std::unique_ptr<spdlog::formatter> clone() const override
    {
        return std::make_unique<json_formatter>();
    }
};

// Text and journal lines with the message escaped for display (text/display.hpp):
// a server's C1 control (U+009B CSI), bidi override or newline that reached a message cannot
// drive whoever reads the journal, reorder the line or forge a second entry.
class escaping_formatter final : public spdlog::formatter {
public:
    explicit escaping_formatter(std::unique_ptr<spdlog::formatter> inner) : inner_(std::move(inner))
    {
    }

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override
    {
        const std::string_view payload(msg.payload.data(), msg.payload.size());
        const std::string escaped = text::escape_for_display(payload);
        if (escaped == payload) return inner_->format(msg, dest);
        auto copy = msg;
        copy.payload = spdlog::string_view_t(escaped.data(), escaped.size());
        inner_->format(copy, dest);
    }
    std::unique_ptr<spdlog::formatter> clone() const override
    {
        return std::make_unique<escaping_formatter>(inner_->clone());
    }

private:
    std::unique_ptr<spdlog::formatter> inner_;
};

// JOURNAL_STREAM is "DEVICE:INODE" of the stream systemd connected; it only applies while
// stderr is still that stream (a child that redirected stderr must not use the prefixes).
bool stderr_is_journal()
{
    const char* value = std::getenv("JOURNAL_STREAM");
    if (value == nullptr) return false;
    unsigned long long device = 0;
    unsigned long long inode = 0;
    if (std::sscanf(value, "%llu:%llu", &device, &inode) != 2) return false;
    struct stat st {};
    if (::fstat(STDERR_FILENO, &st) != 0) return false;
    return static_cast<unsigned long long>(st.st_dev) == device &&
           static_cast<unsigned long long>(st.st_ino) == inode;
}

}  // namespace

log_format resolve_format(log_format requested)
{
    if (requested != log_format::automatic) return requested;
    return stderr_is_journal() ? log_format::journal : log_format::text;
}

// The line layout of each format, before escaping.
static std::unique_ptr<spdlog::formatter> make_raw_formatter(log_format format);

std::unique_ptr<spdlog::formatter> make_formatter(log_format format)
{
    // JSON lines escape what they must themselves (json_quote) and keep the exact text.
    if (resolve_format(format) == log_format::json) return make_raw_formatter(format);
    return std::make_unique<escaping_formatter>(make_raw_formatter(format));
}

static std::unique_ptr<spdlog::formatter> make_raw_formatter(log_format format)
{
    switch (resolve_format(format)) {
    case log_format::journal: {
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        formatter->add_flag<journal_priority_flag>('*').set_pattern("%*%v");
        return formatter;
    }
    case log_format::json:
        return std::make_unique<json_formatter>();
    default:
        return std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%eZ %l %v",
                                                           spdlog::pattern_time_type::utc);
    }
}

std::shared_ptr<spdlog::logger> make_stderr_logger(std::string name, const log_config& config)
{
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    sink->set_formatter(make_formatter(config.format));
    auto logger = std::make_shared<spdlog::logger>(std::move(name), std::move(sink));
    logger->set_level(config.level);
    logger->flush_on(spdlog::level::trace);
    return logger;
}

void init_default_logger(std::string name, const log_config& config)
{
    spdlog::set_default_logger(make_stderr_logger(std::move(name), config));
}

}  // namespace paymand::log
