#pragma once

// What the text tests share: every field that check_text knows, to run a case against each.

#include "paymand/text/safe_text.hpp"

namespace paymand::test {

inline constexpr text::text_field all_fields[] = {
    text::text_field::payee_name, text::text_field::wallet_name, text::text_field::memo};

}  // namespace paymand::test
