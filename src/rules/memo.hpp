#pragma once

// Memo templates: only {{date}} {{month}} {{year}} {{rule}} may be used, and the memo must
// pass the safe-text grammar once they are filled in with their longest values.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::rules::detail {

struct memo_problem {
    std::size_t offset = 0;  // byte offset in the template
    std::string message;
};

// nullopt when the template is acceptable for the rule `rule_id`.
std::optional<memo_problem> check_memo_template(std::string_view memo, std::string_view rule_id);

}  // namespace paymand::rules::detail
