#pragma once

// Reading a log as typed records, for `paymand audit tail [-f]` and `paymand audit report`.
// Read-only and lock-free: it reads what the daemon has completed, verifying seq and chain
// as it goes, and leaves a line still being written for the next read.

#include "paymand/audit/audit_errc.hpp"
#include "paymand/audit/hash_chain.hpp"
#include "paymand/audit/record.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

namespace paymand::audit {

class audit_reader {
public:
    static core::result<audit_reader> open(const std::filesystem::path& path);

    audit_reader(audit_reader&& other) noexcept;
    audit_reader& operator=(audit_reader&& other) noexcept;
    audit_reader(const audit_reader&) = delete;
    audit_reader& operator=(const audit_reader&) = delete;
    ~audit_reader();

    // Verifies the log from the start and positions the reader so that the next read returns
    // at most the last `n` records (`audit tail -n N`).
    core::result<void> seek_last(std::size_t n);

    // Up to `max_records` complete records after the current position, in order, each checked
    // against seq and chain. Empty when nothing new is complete (poll again for `tail -f`).
    // A bad record is an error naming its line and seq; the position stays before it.
    core::result<std::vector<record>> read_new(std::size_t max_records = 10'000);

    // Reads every complete record from the current position to the end, in batches of
    // read_new, handing each to `visit` in order. A batch holding a bad record is not visited:
    // the error is returned (earlier batches were visited). Otherwise the number visited.
    core::result<std::uint64_t> read_to_end(const std::function<void(const record&)>& visit);

    std::uint64_t offset() const noexcept { return offset_; }
    std::uint64_t last_seq() const noexcept { return last_seq_; }

private:
    audit_reader(int fd, std::filesystem::path path) noexcept;

    int fd_ = -1;
    std::filesystem::path path_;
    std::uint64_t offset_ = 0;
    std::uint64_t line_ = 0;  // lines consumed
    std::uint64_t last_seq_ = 0;
    hash_hex last_hash_{};
    chain_hasher hasher_;
};

}  // namespace paymand::audit
