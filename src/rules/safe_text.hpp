#pragma once

// The bridge from rule fields to the safe-text grammar of paymand::text.

#include "paymand/core/error.hpp"
#include "rules/fields.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace paymand::rules::detail {

// Nothing when `value` is acceptable as `kind`, else the grammar's refusal (its offset is the
// byte offset in the value).
core::result<void> check_safe_text(std::string_view value, text_kind kind);

}  // namespace paymand::rules::detail
