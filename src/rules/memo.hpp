#pragma once

// Memo templates: only {{date}} {{month}} {{year}} {{rule}} may be used, and the memo must
// pass the safe-text grammar once they are filled in with their longest values.

#include "paymand/core/error.hpp"

#include <string_view>

namespace paymand::rules::detail {

// Nothing when the template is acceptable for the rule `rule_id`, else the refusal with the
// byte offset in the template (0 when the problem is in an expanded value).
core::result<void> check_memo_template(std::string_view memo, std::string_view rule_id);

}  // namespace paymand::rules::detail
