#pragma once

// A strict, allocation-free scanner for one audit line: checks the JSON syntax and the fixed
// layout ({"seq":N,"ts":"...","type":"...",["dry_run":true,]["node":"...","epoch":N,] fields...,
// "hash":"..."}) and
// yields each field's raw value, so that replay and verify read only what they need without
// building a DOM.

#include "paymand/audit/record.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::audit::detail {

struct scanned_field {
    std::string_view key;
    std::string_view raw;  // the value's bytes; strings include their quotes
};

inline constexpr std::size_t max_fields = 24;

struct scanned_line {
    std::uint64_t seq = 0;
    std::string_view ts;
    std::string_view type_name;
    bool dry_run = false;
    bool stamped = false;   // "node" and "epoch" present (HA mode)
    std::string_view node;  // raw JSON string, with its quotes
    std::uint64_t epoch = 0;
    std::array<scanned_field, max_fields> fields{};
    std::size_t field_count = 0;

    const scanned_field* find(std::string_view key) const noexcept
    {
        for (std::size_t i = 0; i < field_count; ++i) {
            if (fields[i].key == key) return &fields[i];
        }
        return nullptr;
    }
};

struct scan_failure {
    std::size_t column = 0;  // 1-based byte column in the line
    std::string what;
};

// Scans `prefix` (a line's bytes before `,"hash":"`). On failure says where and what.
std::optional<scan_failure> scan_prefix(std::string_view prefix, scanned_line& out);

// The text of a JSON string value `raw` (with quotes), unescaped. Fast when it has no escapes.
std::string string_value(std::string_view raw);
// True when `raw` is a JSON string (scan_prefix has validated it).
inline bool is_string(std::string_view raw) noexcept
{
    return !raw.empty() && raw[0] == '"';
}

}  // namespace paymand::audit::detail
