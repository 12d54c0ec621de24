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
    std::vector<char> buffer(std::max(chunk_bytes, 2 * max_line_bytes));
    std::size_t begin = 0;          // start of unconsumed bytes in buffer
    std::size_t end = 0;            // end of valid bytes in buffer
    std::uint64_t file_offset = 0;  // offset of buffer[begin] in the file
    std::uint64_t line_no = 0;
    bool eof = false;

    auto problem = [&](audit_errc code, std::uint64_t seq, std::string what) {
        r.problem = walk_problem{code, line_no, seq, file_offset, std::move(what)};
    };

    for (;;) {
        const char* base = buffer.data() + begin;
        const auto* nl = static_cast<const char*>(std::memchr(base, '\n', end - begin));
        if (nl == nullptr) {
            if (end - begin > max_line_bytes) {
                ++line_no;
                problem(audit_errc::line_too_long, 0,
                        fmt::format("a line longer than {} bytes: no record is that long",
                                    max_line_bytes));
                return r;
            }
            if (eof) {
                r.torn_bytes = end - begin;
                return r;
            }
            // Keep the partial line and read more behind it.
            std::memmove(buffer.data(), buffer.data() + begin, end - begin);
            end -= begin;
            begin = 0;
            const ssize_t n = ::pread(fd, buffer.data() + end, buffer.size() - end,
                                      static_cast<off_t>(file_offset + end));
            if (n < 0) {
                if (errno == EINTR) continue;
                r.io_error =
                    core::error{{errno, boost::system::system_category()},
                                0,
                                fmt::format("cannot read the audit log: {}", std::strerror(errno))};
                return r;
            }
            if (n == 0) eof = true;
            end += static_cast<std::size_t>(n);
            continue;
        }

        ++line_no;
        const std::string_view line(base, static_cast<std::size_t>(nl - base));
        if (line.size() > max_line_bytes) {
            problem(audit_errc::line_too_long, 0,
                    fmt::format("a line of {} bytes: no record exceeds {}", line.size(),
                                max_line_bytes));
            return r;
        }
        const auto parts = split_line(line);
        if (!parts) {
            problem(audit_errc::malformed_line, 0,
                    line.empty() ? std::string("an empty line")
                                 : std::string("the line does not end with "
                                               "\",\\\"hash\\\":\\\"<64 hex>\\\"}\""));
            return r;
        }
        if (auto failure = scan_prefix(parts->prefix, scanned)) {
            problem(audit_errc::malformed_line, 0,
                    fmt::format("column {}: {}", failure->column, failure->what));
            return r;
        }
        if (scanned.seq != r.last_seq + 1) {
            problem(audit_errc::sequence_gap, scanned.seq,
                    fmt::format("expected seq {} after seq {}, found seq {}", r.last_seq + 1,
                                r.last_seq, scanned.seq));
            return r;
        }
        const hash_hex h = hasher.next(view(r.last_hash), parts->prefix);
        if (view(h) != parts->hash) {
            problem(audit_errc::bad_hash, scanned.seq,
                    fmt::format("hash {} does not match the chain (expected {}): the record "
                                "or the one before it was altered",
                                parts->hash, view(h)));
            return r;
        }
        const auto type = parse_record_type(scanned.type_name);
        if (!type) {
            problem(audit_errc::unknown_type, scanned.seq,
                    fmt::format("unknown record type '{}'", scanned.type_name));
            return r;
        }
        if (auto error = visit(line, scanned, *type, file_offset)) {
            problem(audit_errc::malformed_line, scanned.seq, std::move(*error));
            return r;
        }
        ++r.records;
        r.last_seq = scanned.seq;
        r.prev_of_last = r.last_hash;
        r.last_hash = h;
        r.last_line_offset = file_offset;
        const std::size_t consumed = line.size() + 1;
        file_offset += consumed;
        r.good_end = file_offset;
        begin += consumed;
    }
}

}  // namespace paymand::audit::detail
