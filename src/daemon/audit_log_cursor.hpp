#pragma once

// The audit shipper's read side: a node's audit log read line by line from a position, up to a
// seq the writer has made durable. Bytes past that seq are never kept between reads: they may
// be a failed append's tail that the store cuts and writes again.

#include "paymand/core/error.hpp"
#include "paymand/ledger/audit_shipping.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::daemon::detail {

class audit_log_cursor {
public:
    explicit audit_log_cursor(std::filesystem::path path);
    ~audit_log_cursor();
    audit_log_cursor(const audit_log_cursor&) = delete;
    audit_log_cursor& operator=(const audit_log_cursor&) = delete;

    // Back to the log's first line (seq 1).
    void rewind() noexcept;

    // Reads up to and including seq `seq` (>= the next seq) and returns that line's hash. Fails
    // when the log ends before it or a line is not the next seq.
    core::result<std::string> skip_through(std::uint64_t seq);

    // The next records, in order, none past seq `through` and at most `max`; at least one when
    // the next seq is at most `through` (the log must hold it: it is durable).
    core::result<std::vector<ledger::shipped_record>> read(std::uint64_t through, std::size_t max);

    std::uint64_t next_seq() const noexcept { return next_seq_; }

private:
    core::result<void> open();
    // The next complete line (without its newline) and its seq; nothing at the end.
    core::result<std::optional<ledger::shipped_record>> next();
    void drop_unread() noexcept;

    std::filesystem::path path_;
    int fd_ = -1;
    std::string buffer_;  // bytes of the file from offset base_
    std::uint64_t base_ = 0;
    std::size_t pos_ = 0;  // the next line's start in buffer_
    std::uint64_t next_seq_ = 1;
};

}  // namespace paymand::daemon::detail
