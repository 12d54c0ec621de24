#include "daemon/audit_log_cursor.hpp"

#include "paymand/audit/audit_errc.hpp"
#include "paymand/audit/hash_chain.hpp"
#include "paymand/audit/record.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace paymand::daemon::detail {

namespace {

constexpr std::size_t read_chunk = 64 * 1024;
constexpr std::string_view seq_key = "{\"seq\":";

}  // namespace

audit_log_cursor::audit_log_cursor(std::filesystem::path path) : path_(std::move(path)) {}

audit_log_cursor::~audit_log_cursor()
{
    if (fd_ >= 0) ::close(fd_);
}

void audit_log_cursor::rewind() noexcept
{
    buffer_.clear();
    base_ = 0;
    pos_ = 0;
    next_seq_ = 1;
}

void audit_log_cursor::drop_unread() noexcept
{
    base_ += pos_;
    buffer_.clear();
    pos_ = 0;
}

core::result<void> audit_log_cursor::open()
{
    if (fd_ >= 0) return {};
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
        const int err = errno;
        return core::error{{err, boost::system::system_category()},
                           0,
                           fmt::format("cannot open the audit log {} to ship it: {}",
                                       path_.string(), std::strerror(err))};
    }
    return {};
}

core::result<std::optional<ledger::shipped_record>> audit_log_cursor::next()
{
    if (auto opened = open(); !opened) return opened.error();
    std::size_t nl;
    while ((nl = buffer_.find('\n', pos_)) == std::string::npos) {
        if (buffer_.size() - pos_ > audit::max_line_bytes) {
            return core::error{make_error_code(audit::audit_errc::line_too_long), 0,
                               fmt::format("the audit log {} holds a line longer than {} bytes "
                                           "at byte {}",
                                           path_.string(), audit::max_line_bytes, base_ + pos_)};
        }
        const std::size_t have = buffer_.size();
        buffer_.resize(have + read_chunk);
        const auto n =
            ::pread(fd_, buffer_.data() + have, read_chunk, static_cast<off_t>(base_ + have));
        if (n < 0) {
            const int err = errno;
            buffer_.resize(have);
            return core::error{{err, boost::system::system_category()},
                               0,
                               fmt::format("cannot read the audit log {}: {}", path_.string(),
                                           std::strerror(err))};
        }
        buffer_.resize(have + static_cast<std::size_t>(n));
        if (n == 0) return std::optional<ledger::shipped_record>{};
    }
    const std::string_view line(buffer_.data() + pos_, nl - pos_);
    std::uint64_t seq = 0;
    bool well_formed = line.starts_with(seq_key) && audit::split_line(line).has_value();
    if (well_formed) {
        const char* end = line.data() + line.size();
        const auto parsed = std::from_chars(line.data() + seq_key.size(), end, seq);
        well_formed = parsed.ec == std::errc{} && parsed.ptr != end && *parsed.ptr == ',';
    }
    if (!well_formed || seq != next_seq_) {
        return core::error{make_error_code(audit::audit_errc::malformed_line), 0,
                           fmt::format("the audit log {} at byte {} does not hold record {}: run "
                                       "`paymand audit verify`",
                                       path_.string(), base_ + pos_, next_seq_)};
    }
    auto out =
        ledger::shipped_record{.seq = static_cast<std::int64_t>(seq), .line = std::string(line)};
    return std::optional<ledger::shipped_record>(std::move(out));
}

core::result<std::string> audit_log_cursor::skip_through(std::uint64_t seq)
{
    std::string hash;
    while (next_seq_ <= seq) {
        auto line = next();
        if (!line) return line.error();
        if (!*line) {
            drop_unread();
            return core::error{
                make_error_code(audit::audit_errc::log_truncated), 0,
                fmt::format("the audit log {} ends before record {}", path_.string(), seq)};
        }
        if (next_seq_ == seq) hash = std::string(audit::split_line((*line)->line)->hash);
        pos_ += (*line)->line.size() + 1;
        ++next_seq_;
        // Keep the buffer small while skipping a long log.
        if (pos_ > read_chunk) drop_unread();
    }
    drop_unread();
    return hash;
}

core::result<std::vector<ledger::shipped_record>> audit_log_cursor::read(std::uint64_t through,
                                                                         std::size_t max)
{
    std::vector<ledger::shipped_record> out;
    while (next_seq_ <= through && out.size() < max) {
        auto line = next();
        if (!line) {
            drop_unread();
            return line.error();
        }
        if (!*line) break;
        pos_ += (*line)->line.size() + 1;
        ++next_seq_;
        out.push_back(std::move(**line));
    }
    drop_unread();
    if (out.empty() && next_seq_ <= through) {
        return core::error{make_error_code(audit::audit_errc::log_truncated), 0,
                           fmt::format("the audit log {} ends before record {}, which the "
                                       "writer made durable",
                                       path_.string(), next_seq_)};
    }
    return out;
}

}  // namespace paymand::daemon::detail
