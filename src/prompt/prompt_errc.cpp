#include "paymand/prompt/prompt_errc.hpp"

namespace paymand::prompt {
namespace {

class prompt_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "paymand.prompt"; }

    std::string message(int ev) const override
    {
        switch (static_cast<prompt_errc>(ev)) {
        case prompt_errc::empty_template:
            return "empty template";
        case prompt_errc::template_too_long:
            return "template too long";
        case prompt_errc::bad_placeholder:
            return "malformed placeholder";
        case prompt_errc::unknown_placeholder:
            return "unknown placeholder";
        case prompt_errc::missing_placeholder:
            return "required placeholder missing";
        case prompt_errc::duplicate_placeholder:
            return "placeholder used twice";
        case prompt_errc::unsafe_literal:
            return "unsafe literal text in template";
        case prompt_errc::unsafe_value:
            return "value refused by the safe-text grammar";
        case prompt_errc::bad_value:
            return "value out of range";
        }
        return "unknown prompt error";
    }
};

}  // namespace

const boost::system::error_category& prompt_category() noexcept
{
    static const prompt_category_impl instance;
    return instance;
}

boost::system::error_code make_error_code(prompt_errc e) noexcept
{
    return {static_cast<int>(e), prompt_category()};
}

}  // namespace paymand::prompt
