#include "rules/safe_text.hpp"

#include "paymand/text/safe_text.hpp"

namespace paymand::rules::detail {

core::result<void> check_safe_text(std::string_view value, text_kind kind)
{
    text::text_field field = text::text_field::payee_name;
    switch (kind) {
    case text_kind::payee:
        field = text::text_field::payee_name;
        break;
    case text_kind::wallet:
        field = text::text_field::wallet_name;
        break;
    case text_kind::memo:
        field = text::text_field::memo;
        break;
    }
    return text::check_text(field, value);
}

}  // namespace paymand::rules::detail
