#pragma once

// Reads a log file line by line from the start and checks what every reader of the log must:
// line shape, JSON syntax, sequence, hash chain and record type. Replay, verify and the tail
// reader are built on it. Reads in large chunks; never maps the file (a concurrent truncation
// must not become a SIGBUS).

#include "line_scanner.hpp"
#include "paymand/audit/audit_errc.hpp"
#include "paymand/audit/audit_store.hpp"
#include "paymand/audit/hash_chain.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/audit/record.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace paymand::audit::detail {

struct walk_problem {
    audit_errc code{};
    std::uint64_t line = 0;    // 1-based
    std::uint64_t seq = 0;     // the seq the line claims, 0 when unreadable
    std::uint64_t offset = 0;  // byte offset of the line's start
    std::string what;
};

struct walk_result {
    std::uint64_t records = 0;
    std::uint64_t last_seq = 0;
    hash_hex last_hash{};
    hash_hex prev_of_last{};
    std::uint64_t good_end = 0;          // byte offset just past the last good line
    std::uint64_t last_line_offset = 0;  // where the last good line starts
    std::uint64_t torn_bytes = 0;        // bytes after the last newline, when no other problem
    std::optional<walk_problem> problem;
    std::optional<core::error> io_error;
};

inline hash_hex genesis() noexcept
{
    hash_hex h;
    h.fill('0');
    return h;
}

// The public form of a walk problem, its message naming the file, line, seq and byte offset.
log_problem to_log_problem(const walk_problem& p, const std::filesystem::path& path);

// Extracts what the projection needs from a scanned line into `out` (views into the line or
// into `scratch`). Returns a description of the first problem, if any.
struct summary_scratch {
    std::string rule, occurrence, payee, reason, through;
    std::vector<rule_hash> rules;
};
std::optional<std::string> summarize_scanned(const scanned_line& line, record_type type,
                                             summary_scratch& scratch, record_summary& out);

// The file read in large chunks: [begin, end) of `buffer` holds bytes not consumed yet, the
// first of them at `file_offset` in the file.
struct walk_buffer {
    std::vector<char> bytes;
    std::size_t begin = 0;
    std::size_t end = 0;
    std::uint64_t file_offset = 0;
    bool eof = false;

    // Keeps the partial line, moved to the front, and reads more behind it. The error of a
    // failed read, or nothing.
    std::optional<core::error> read_more(int fd)
    {
        std::memmove(bytes.data(), bytes.data() + begin, end - begin);
        end -= begin;
        begin = 0;
        for (;;) {
            const ssize_t n = ::pread(fd, bytes.data() + end, bytes.size() - end,
                                      static_cast<off_t>(file_offset + end));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0)
                return core::error{
                    {errno, boost::system::system_category()},
                    0,
                    fmt::format("cannot read the audit log: {}", std::strerror(errno))};
            if (n == 0) eof = true;
            end += static_cast<std::size_t>(n);
            return std::nullopt;
        }
    }
};

// The checks of one whole line before its visitor sees it: shape, seq after `last_seq`, the
// hash chain from `last_hash`, the record type. On success `h` is the line's hash and `type`
// its type; otherwise the problem, its line number and offset left for the caller to fill.
inline std::optional<walk_problem> check_line(std::string_view line, std::uint64_t last_seq,
                                              const hash_hex& last_hash, chain_hasher& hasher,
                                              scanned_line& scanned, hash_hex& h, record_type& type)
{
    auto problem = [](audit_errc code, std::uint64_t seq, std::string what) {
        return walk_problem{code, 0, seq, 0, std::move(what)};
    };
    if (line.size() > max_line_bytes)
        return problem(
            audit_errc::line_too_long, 0,
            fmt::format("a line of {} bytes: no record exceeds {}", line.size(), max_line_bytes));
    const auto parts = split_line(line);
    if (!parts)
        return problem(audit_errc::malformed_line, 0,
                       line.empty() ? std::string("an empty line")
                                    : std::string("the line does not end with "
                                                  "\",\\\"hash\\\":\\\"<64 hex>\\\"}\""));
    if (auto failure = scan_prefix(parts->prefix, scanned))
        return problem(audit_errc::malformed_line, 0,
                       fmt::format("column {}: {}", failure->column, failure->what));
    if (scanned.seq != last_seq + 1)
        return problem(audit_errc::sequence_gap, scanned.seq,
                       fmt::format("expected seq {} after seq {}, found seq {}", last_seq + 1,
                                   last_seq, scanned.seq));
    h = hasher.next(view(last_hash), parts->prefix);
    if (view(h) != parts->hash)
        return problem(audit_errc::bad_hash, scanned.seq,
                       fmt::format("hash {} does not match the chain (expected {}): the record "
                                   "or the one before it was altered",
                                   parts->hash, view(h)));
    const auto parsed = parse_record_type(scanned.type_name);
    if (!parsed)
        return problem(audit_errc::unknown_type, scanned.seq,
                       fmt::format("unknown record type '{}'", scanned.type_name));
    type = *parsed;
    return std::nullopt;
}

// Walks the file behind `fd` from byte 0. `visit(line, scanned, type, offset)` is called for
// every line whose shape, seq and hash are good; it returns an error description to stop.
// `offset` is the line's byte offset.
template <class Visitor>
walk_result walk_log(int fd, Visitor&& visit, std::size_t chunk_bytes = 4 << 20)
{
    walk_result r;
    r.last_hash = genesis();
    r.prev_of_last = genesis();
    chain_hasher hasher;
    scanned_line scanned;
    walk_buffer in{.bytes = std::vector<char>(std::max(chunk_bytes, 2 * max_line_bytes))};
    std::uint64_t line_no = 0;

    auto stop = [&](walk_problem p) {
        p.line = line_no;
        p.offset = in.file_offset;
        r.problem = std::move(p);
        return r;
    };

    for (;;) {
        const char* base = in.bytes.data() + in.begin;
        const auto* nl = static_cast<const char*>(std::memchr(base, '\n', in.end - in.begin));
        if (nl == nullptr) {
            if (in.end - in.begin > max_line_bytes) {
                ++line_no;
                return stop({audit_errc::line_too_long, 0, 0, 0,
                             fmt::format("a line longer than {} bytes: no record is that long",
                                         max_line_bytes)});
            }
            if (in.eof) {
                r.torn_bytes = in.end - in.begin;
                return r;
            }
            if (auto error = in.read_more(fd)) {
                r.io_error = std::move(error);
                return r;
            }
            continue;
        }

        ++line_no;
        const std::string_view line(base, static_cast<std::size_t>(nl - base));
        hash_hex h;
        record_type type{};
        if (auto p = check_line(line, r.last_seq, r.last_hash, hasher, scanned, h, type))
            return stop(std::move(*p));
        if (auto error = visit(line, scanned, type, in.file_offset))
            return stop({audit_errc::malformed_line, scanned.seq, 0, 0, std::move(*error)});
        ++r.records;
        r.last_seq = scanned.seq;
        r.prev_of_last = r.last_hash;
        r.last_hash = h;
        r.last_line_offset = in.file_offset;
        const std::size_t consumed = line.size() + 1;
        in.file_offset += consumed;
        r.good_end = in.file_offset;
        in.begin += consumed;
    }
}

}  // namespace paymand::audit::detail
