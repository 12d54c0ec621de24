#pragma once

// The bridge from rule fields to the safe-text grammar of paymand::text.

#include "rules/fields.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace paymand::rules::detail {

struct text_problem {
    std::size_t offset = 0;  // byte offset in the value
    std::string message;
};

// nullopt when `value` is acceptable as `kind`, else the grammar's refusal.
std::optional<text_problem> check_safe_text(std::string_view value, text_kind kind);

}  // namespace paymand::rules::detail
