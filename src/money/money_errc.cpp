#include "paymand/money/money_errc.hpp"

namespace paymand::money {
namespace {

class money_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "paymand.money"; }

    std::string message(int ev) const override
    {
        switch (static_cast<money_errc>(ev)) {
        case money_errc::empty:
            return "empty amount";
        case money_errc::invalid_character:
            return "invalid character in amount";
        case money_errc::sign_not_allowed:
            return "sign not allowed in amount";
        case money_errc::exponent:
            return "exponent not allowed in amount";
        case money_errc::not_a_number:
            return "amount is not a number";
        case money_errc::grouping_not_allowed:
            return "digit grouping not allowed in amount";
        case money_errc::bad_grouping:
            return "malformed digit grouping in amount";
        case money_errc::missing_digits:
            return "amount is missing digits";
        case money_errc::leading_zero:
            return "leading zero in amount";
        case money_errc::too_many_decimals:
            return "amount has more decimals than its currency";
        case money_errc::zero:
            return "amount must be positive";
        case money_errc::negative:
            return "amount must not be negative";
        case money_errc::too_large:
            return "amount above the maximum";
        case money_errc::unknown_currency:
            return "unknown currency";
        case money_errc::currency_mismatch:
            return "amounts in different currencies";
        case money_errc::overflow:
            return "amount arithmetic overflow";
        }
        return "unknown money error";
    }
};

}  // namespace

const boost::system::error_category& money_category() noexcept
{
    static const money_category_impl instance;
    return instance;
}

boost::system::error_code make_error_code(money_errc e) noexcept
{
    return {static_cast<int>(e), money_category()};
}

}  // namespace paymand::money
