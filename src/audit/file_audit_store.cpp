#include "paymand/audit/file_audit_store.hpp"

#include "log_walker.hpp"
#include "paymand/audit/codec.hpp"
#include "paymand/audit/state_file.hpp"
#include "paymand/text/word_table.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace paymand::audit {
namespace {

core::error errc_error(audit_errc e, std::string message)
{
    return {make_error_code(e), 0, std::move(message)};
}

// Makes a newly created directory entry durable.
int fsync_directory(const std::filesystem::path& dir)
{
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    const int rc = ::fsync(fd) == 0 ? 0 : errno;
    ::close(fd);
    return rc;
}

bool write_all(int fd, std::string_view data, std::uint64_t offset, int& err)
{
    while (!data.empty()) {
        const ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            err = errno;
            return false;
        }
        if (n == 0) {
            err = EIO;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
    }
    return true;
}

}  // namespace

namespace {

constexpr auto store_health_words = text::make_word_table<store_health>({
    {store_health::unopened, "unopened"},
    {store_health::ok, "ok"},
    {store_health::needs_recovery, "needs_recovery"},
    {store_health::corrupt, "corrupt"},
});

}  // namespace

std::string_view to_string(store_health h) noexcept
{
    return store_health_words.word(h, "unknown");
}

file_audit_store::file_audit_store(file_store_params params) : params_(std::move(params))
{
    if (params_.lock_path.empty()) params_.lock_path = params_.log_path.string() + ".lock";
    if (!params_.clock) params_.clock = core::system_clock();
}

file_audit_store::~file_audit_store()
{
    if (fd_ >= 0) ::close(fd_);
}

std::string file_audit_store::describe() const
{
    return fmt::format("audit log {}", params_.log_path.string());
}

core::error file_audit_store::fail_io(int err, std::string_view what)
{
    return {{err, boost::system::system_category()},
            0,
            fmt::format("{} {}: {}", what, params_.log_path.string(), std::strerror(err))};
}

core::result<void> file_audit_store::lock()
{
    if (lock_) return {};
    auto l = state_lock::acquire(params_.lock_path);
    if (!l) return l.error();
    lock_.emplace(std::move(*l));
    return {};
}

core::result<replay_report> file_audit_store::replay(audit_projection& into)
{
    if (!lock_) {
        return errc_error(audit_errc::not_locked,
                          fmt::format("{}: lock() before replay()", describe()));
    }
    replay_report report;
    if (fd_ < 0) {
        // Relative to its directory, no symlink, ours or root's only (state_file.hpp).
        auto opened = open_state_file(params_.log_path, O_RDWR);
        if (!opened && opened.error().code == boost::system::errc::no_such_file_or_directory) {
            opened = open_state_file(params_.log_path, O_RDWR | O_CREAT | O_EXCL, 0600);
            if (!opened) return opened.error();
            fd_ = *opened;
            report.created = true;
            if (const int err = fsync_directory(params_.log_path.parent_path())) {
                return fail_io(err, "cannot sync the directory of");
            }
        } else if (!opened) {
            return opened.error();
        } else {
            fd_ = *opened;
        }
    }

    detail::summary_scratch scratch;
    record_summary summary;
    auto walked = detail::walk_log(
        fd_,
        [&](std::string_view, const detail::scanned_line& line, record_type type,
            std::uint64_t) -> std::optional<std::string> {
            if (auto error = detail::summarize_scanned(line, type, scratch, summary)) {
                return error;
            }
            into.apply(summary);
            return std::nullopt;
        });
    if (walked.io_error) return *walked.io_error;

    durable_size_ = walked.good_end;
    last_line_offset_ = walked.last_line_offset;
    last_seq_ = walked.last_seq;
    last_hash_ = walked.last_hash;
    prev_of_last_ = walked.prev_of_last;
    report.records = walked.records;
    report.last_seq = walked.last_seq;
    report.bytes = walked.good_end;

    if (walked.problem) {
        corruption_ = detail::to_log_problem(*walked.problem, params_.log_path);
        report.corruption = corruption_;
        health_ = store_health::corrupt;
        return report;
    }
    if (walked.torn_bytes > 0) {
        // A crash cut the last write short. Those bytes were never acknowledged (the append
        // had not returned), so nothing acted on them: only they are removed.
        if (::ftruncate(fd_, static_cast<off_t>(walked.good_end)) != 0) {
            return fail_io(errno, "cannot truncate the torn final line of");
        }
        if (::fsync(fd_) != 0) return fail_io(errno, "cannot sync");
        fsync_count_.fetch_add(1);
        report.torn_tail = torn_tail_repair{walked.good_end, walked.torn_bytes};
    }
    report.interrupted = into.finish_replay();
    health_ = store_health::ok;
    if (params_.on_durable) params_.on_durable(last_seq_);
    return report;
}

core::result<append_receipt> file_audit_store::append(std::span<const record_body> batch)
{
    switch (health_) {
    case store_health::unopened:
        return errc_error(lock_ ? audit_errc::not_replayed : audit_errc::not_locked,
                          fmt::format("{}: lock() and replay() before append()", describe()));
    case store_health::corrupt:
        return errc_error(audit_errc::corrupt,
                          fmt::format("{} is corrupt ({}); nothing is written until an "
                                      "operator acts",
                                      describe(), corruption_ ? corruption_->message : ""));
    case store_health::needs_recovery:
        if (auto r = recover(); !r) return r.error();
        break;
    case store_health::ok:
        break;
    }
    if (batch.empty()) return errc_error(audit_errc::record_invalid, "an empty batch");

    append_receipt receipt;
    receipt.records.reserve(batch.size());
    std::string buffer;
    const auto ts = std::chrono::floor<std::chrono::microseconds>(params_.clock->wall_now());
    const auto stamp = params_.stamp ? params_.stamp() : std::optional<node_stamp>();
    std::string_view prev = view(last_hash_);
    std::uint64_t last_line_start = durable_size_;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        record r{.seq = last_seq_ + 1 + i, .ts = ts, .dry_run = params_.dry_run, .body = batch[i]};
        r.stamp = stamp;
        auto line = format_line(r, prev);
        if (!line) return line.error();  // nothing written: the store stays healthy
        last_line_start = durable_size_ + buffer.size();
        buffer += *line;
        receipt.records.push_back(std::move(r));
        prev = receipt.records.back().hash;
    }

    // A log whose name is gone (directory deleted) would swallow appends no one can read.
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        last_failure_ = std::strerror(errno);
        health_ = store_health::needs_recovery;
        return fail_io(errno, "cannot stat");
    }
    if (st.st_nlink == 0) {
        last_failure_ = "the log file was removed";
        health_ = store_health::needs_recovery;
        return errc_error(
            audit_errc::log_removed,
            fmt::format("{} was removed while paymand ran; nothing was written", describe()));
    }

    int err = 0;
    if (!write_all(fd_, buffer, durable_size_, err)) {
        last_failure_ = std::strerror(err);
        health_ = store_health::needs_recovery;
        return fail_io(err, "cannot write to");
    }
    if (::fsync(fd_) != 0) {
        err = errno;
        last_failure_ = std::strerror(err);
        health_ = store_health::needs_recovery;
        return fail_io(err, "cannot sync");
    }
    fsync_count_.fetch_add(1);

    // The chain position after this batch: its last record and the hash before it.
    const auto& records = receipt.records;
    if (records.size() > 1) {
        const std::string& h = records[records.size() - 2].hash;
        std::copy(h.begin(), h.end(), prev_of_last_.begin());
    } else {
        prev_of_last_ = last_hash_;
    }
    std::copy(records.back().hash.begin(), records.back().hash.end(), last_hash_.begin());
    last_seq_ += batch.size();
    last_line_offset_ = last_line_start;
    durable_size_ += buffer.size();
    if (params_.on_durable) params_.on_durable(last_seq_);
    return receipt;
}

core::result<void> file_audit_store::recover()
{
    if (health_ == store_health::ok) return {};
    if (health_ == store_health::unopened) {
        return errc_error(audit_errc::not_replayed,
                          fmt::format("{}: lock() and replay() first", describe()));
    }
    if (health_ == store_health::corrupt) {
        return errc_error(audit_errc::corrupt,
                          fmt::format("{} is corrupt; an operator must act", describe()));
    }
    auto refuse = [&](audit_errc e, std::string why) {
        return errc_error(e, fmt::format("{}: appends stay refused after a failed write ({}): {}",
                                         describe(), last_failure_, why));
    };

    struct stat by_fd {};
    struct stat by_name {};
    if (::fstat(fd_, &by_fd) != 0) return fail_io(errno, "cannot stat");
    if (::stat(params_.log_path.c_str(), &by_name) != 0 || by_fd.st_nlink == 0 ||
        by_name.st_ino != by_fd.st_ino || by_name.st_dev != by_fd.st_dev) {
        return refuse(audit_errc::log_removed,
                      "the log file was removed or replaced; restore it and restart paymand");
    }
    const auto size = static_cast<std::uint64_t>(by_fd.st_size);
    if (size < durable_size_) {
        health_ = store_health::corrupt;
        corruption_ = core::extend(
            {.code = make_error_code(audit_errc::log_truncated),
             .offset = size,
             .message = fmt::format("{} is {} bytes, shorter than the {} bytes durably written",
                                    params_.log_path.string(), size, durable_size_)},
            log_problem{.seq = last_seq_});
        return errc_error(audit_errc::log_truncated, corruption_->message);
    }
    // Unacknowledged bytes of the failed append: nothing acted on them.
    if (size > durable_size_ && ::ftruncate(fd_, static_cast<off_t>(durable_size_)) != 0) {
        return refuse(audit_errc::needs_recovery,
                      fmt::format("cannot truncate: {}", std::strerror(errno)));
    }
    if (::fsync(fd_) != 0) {
        return refuse(audit_errc::needs_recovery,
                      fmt::format("cannot sync: {}", std::strerror(errno)));
    }
    fsync_count_.fetch_add(1);
    if (auto r = verify_tail(); !r) return r.error();
    health_ = store_health::ok;
    last_failure_.clear();
    return {};
}

core::result<void> file_audit_store::verify_tail()
{
    if (durable_size_ == 0) return {};
    // After a failed fsync the page cache may hold pages the disk never got (they are marked
    // clean on Linux): drop them so the check below reads what is really stored.
    ::posix_fadvise(fd_, static_cast<off_t>(last_line_offset_),
                    static_cast<off_t>(durable_size_ - last_line_offset_), POSIX_FADV_DONTNEED);
    std::string line(durable_size_ - last_line_offset_, '\0');
    std::size_t got = 0;
    while (got < line.size()) {
        const ssize_t n = ::pread(fd_, line.data() + got, line.size() - got,
                                  static_cast<off_t>(last_line_offset_ + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    const bool ends_well = got == line.size() && !line.empty() && line.back() == '\n';
    const auto parts =
        ends_well ? split_line(std::string_view(line).substr(0, line.size() - 1)) : std::nullopt;
    if (!parts || parts->hash != view(last_hash_) ||
        view(hasher_.next(view(prev_of_last_), parts->prefix)) != view(last_hash_)) {
        health_ = store_health::corrupt;
        corruption_ = core::extend(
            {.code = make_error_code(audit_errc::bad_hash),
             .offset = last_line_offset_,
             .message = fmt::format("{}: the last durable record (seq {}) no longer verifies "
                                    "after a failed write",
                                    params_.log_path.string(), last_seq_)},
            log_problem{.seq = last_seq_});
        return errc_error(audit_errc::corrupt, corruption_->message);
    }
    return {};
}

}  // namespace paymand::audit
