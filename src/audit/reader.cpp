#include "paymand/audit/reader.hpp"

#include "log_walker.hpp"
#include "paymand/audit/codec.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <utility>

namespace paymand::audit {

core::result<audit_reader> audit_reader::open(const std::filesystem::path& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return core::error{{errno, boost::system::system_category()},
                           0,
                           fmt::format("cannot open {}: {}", path.string(), std::strerror(errno))};
    }
    return audit_reader(fd, path);
}

audit_reader::audit_reader(int fd, std::filesystem::path path) noexcept
    : fd_(fd), path_(std::move(path)), last_hash_(detail::genesis())
{
}

audit_reader::audit_reader(audit_reader&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), offset_(other.offset_),
      line_(other.line_), last_seq_(other.last_seq_), last_hash_(other.last_hash_),
      hasher_(std::move(other.hasher_))
{
}

audit_reader& audit_reader::operator=(audit_reader&& other) noexcept
{
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
        offset_ = other.offset_;
        line_ = other.line_;
        last_seq_ = other.last_seq_;
        last_hash_ = other.last_hash_;
        hasher_ = std::move(other.hasher_);
    }
    return *this;
}

audit_reader::~audit_reader()
{
    if (fd_ >= 0) ::close(fd_);
}

core::result<void> audit_reader::seek_last(std::size_t n)
{
    struct mark {
        std::uint64_t offset;
        std::uint64_t seq;
        hash_hex hash;
    };
    std::deque<mark> ring;
    detail::summary_scratch scratch;
    record_summary summary;
    auto walked = detail::walk_log(
        fd_,
        [&](std::string_view line, const detail::scanned_line& scanned, record_type type,
            std::uint64_t offset) -> std::optional<std::string> {
            if (auto e = detail::summarize_scanned(scanned, type, scratch, summary)) return e;
            mark m{offset, scanned.seq, {}};
            const auto h = line.substr(line.size() - hash_hex_length - 2, hash_hex_length);
            std::copy(h.begin(), h.end(), m.hash.begin());
            ring.push_back(m);
            if (ring.size() > n + 1) ring.pop_front();
            return std::nullopt;
        });
    if (walked.io_error) return *walked.io_error;
    if (walked.problem) {
        const log_problem p = detail::to_log_problem(*walked.problem, path_);
        return core::error{p.code, static_cast<std::size_t>(p.offset), p.message,
                           static_cast<int>(p.line)};
    }
    if (walked.records <= n) {
        offset_ = 0;
        line_ = 0;
        last_seq_ = 0;
        last_hash_ = detail::genesis();
    } else {
        offset_ = n == 0 ? walked.good_end : ring[1].offset;
        last_seq_ = ring[0].seq;
        last_hash_ = ring[0].hash;
        line_ = last_seq_;  // one record per line
    }
    return {};
}

core::result<std::uint64_t>
audit_reader::read_to_end(const std::function<void(const record&)>& visit)
{
    std::uint64_t visited = 0;
    for (;;) {
        auto batch = read_new();
        if (!batch) return batch.error();
        if (batch->empty()) return visited;
        for (const auto& r : *batch) visit(r);
        visited += batch->size();
    }
}

core::result<std::vector<record>> audit_reader::read_new(std::size_t max_records)
{
    std::vector<record> out;
    std::string buffer;
    std::size_t used = 0;
    auto fail = [&](audit_errc code, std::uint64_t seq, std::string what) -> core::error {
        const log_problem p = detail::to_log_problem(
            detail::walk_problem{code, line_ + 1, seq, offset_, std::move(what)}, path_);
        return {p.code, static_cast<std::size_t>(p.offset), p.message, static_cast<int>(p.line)};
    };
    while (out.size() < max_records) {
        const std::size_t nl = buffer.find('\n', used);
        if (nl == std::string::npos) {
            if (buffer.size() - used > max_line_bytes) {
                return fail(audit_errc::line_too_long, 0, "a line longer than any record");
            }
            buffer.erase(0, used);
            used = 0;
            const std::size_t have = buffer.size();
            buffer.resize(have + (1 << 20));
            const ssize_t n = ::pread(fd_, buffer.data() + have, buffer.size() - have,
                                      static_cast<off_t>(offset_ + have));
            if (n < 0 && errno == EINTR) {
                buffer.resize(have);
                continue;
            }
            if (n < 0) {
                return core::error{
                    {errno, boost::system::system_category()},
                    0,
                    fmt::format("cannot read {}: {}", path_.string(), std::strerror(errno))};
            }
            buffer.resize(have + static_cast<std::size_t>(n));
            if (n == 0) break;  // a partial line waits for the writer
            continue;
        }
        const std::string_view line(buffer.data() + used, nl - used);
        auto parsed = parse_line(line);
        if (!parsed) return fail(audit_errc::malformed_line, 0, parsed.error().message);
        if (parsed->seq != last_seq_ + 1) {
            return fail(audit_errc::sequence_gap, parsed->seq,
                        fmt::format("expected seq {}, found seq {}", last_seq_ + 1, parsed->seq));
        }
        const auto parts = split_line(line);
        const hash_hex h = hasher_.next(view(last_hash_), parts->prefix);
        if (view(h) != parts->hash) {
            return fail(audit_errc::bad_hash, parsed->seq, "hash does not match the chain");
        }
        last_hash_ = h;
        last_seq_ = parsed->seq;
        ++line_;
        used = nl + 1;
        offset_ += line.size() + 1;
        out.push_back(std::move(*parsed));
    }
    return out;
}

}  // namespace paymand::audit
