#include "paymand/text/text_errc.hpp"

namespace paymand::text {
namespace {

class text_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "paymand.text"; }

    std::string message(int ev) const override
    {
        switch (static_cast<text_errc>(ev)) {
        case text_errc::empty:
            return "empty text";
        case text_errc::too_long:
            return "text too long";
        case text_errc::invalid_utf8:
            return "invalid UTF-8";
        case text_errc::control_character:
            return "control character";
        case text_errc::format_character:
            return "invisible format or bidi character";
        case text_errc::forbidden_character:
            return "character not allowed";
        case text_errc::compatibility_character:
            return "look-alike compatibility character";
        case text_errc::bad_spacing:
            return "words must be separated by single spaces";
        case text_errc::misplaced_punctuation:
            return "misplaced punctuation";
        case text_errc::sentence_break:
            return "sentence break followed by more words";
        case text_errc::instruction_word:
            return "instruction word";
        case text_errc::currency_word:
            return "currency code or word";
        case text_errc::amount_like:
            return "amount-like token";
        case text_errc::mixed_script:
            return "word mixes scripts";
        case text_errc::stray_mark:
            return "misplaced combining mark";
        case text_errc::role_marker:
            return "role marker";
        case text_errc::tag_shaped:
            return "tag-shaped text";
        }
        return "unknown text error";
    }
};

}  // namespace

const boost::system::error_category& text_category() noexcept
{
    static const text_category_impl instance;
    return instance;
}

boost::system::error_code make_error_code(text_errc e) noexcept
{
    return {static_cast<int>(e), text_category()};
}

}  // namespace paymand::text
