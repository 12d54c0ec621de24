#include "paymand/prompt/prompt_set.hpp"

#include "paymand/text/safe_text.hpp"

#include <fmt/format.h>

#include <array>
#include <mutex>
#include <set>
#include <utility>

namespace paymand::prompt {
namespace {

constexpr std::array prompt_kinds{
    template_kind::pay,         template_kind::pay_from_wallet, template_kind::pay_memo,
    template_kind::balance,     template_kind::wallet_balance,  template_kind::payees,
    template_kind::transactions};

const std::string& text_for(const prompt_texts& texts, template_kind kind)
{
    switch (kind) {
    case template_kind::pay:
        return texts.pay;
    case template_kind::pay_from_wallet:
        return texts.pay_from_wallet;
    case template_kind::pay_memo:
        return texts.pay_memo;
    case template_kind::balance:
        return texts.balance;
    case template_kind::wallet_balance:
        return texts.wallet_balance;
    case template_kind::payees:
        return texts.payees;
    case template_kind::transactions:
        return texts.transactions;
    case template_kind::memo:
        break;
    }
    return texts.pay;
}

using values = std::vector<std::pair<std::string_view, std::string>>;

std::string fill(const prompt_template& t, const values& v)
{
    std::string out;
    for (const auto& part : t.parts()) {
        if (!part.is_placeholder) {
            out += part.text;
            continue;
        }
        for (const auto& [name, value] : v)
            if (name == part.text) out += value;
    }
    return out;
}

core::result<void> checked(text::text_field field, std::string_view value)
{
    if (auto r = text::check_text(field, value); !r)
        return core::error{make_error_code(prompt_errc::unsafe_value), r.error().offset,
                           r.error().message};
    return {};
}

}  // namespace

// Names that passed: they come from the admin's allow-lists and recur in every occurrence, and
// text::check_text is a pure function of the field and the text. Bounded; a name beyond the
// bound is simply checked every time.
struct prompt_set::checked_names {
    static constexpr std::size_t max_names = 4096;
    std::mutex mutex;
    std::set<std::pair<text::text_field, std::string>, std::less<>> passed;
};

prompt_set::prompt_set(std::vector<prompt_template> templates)
    : templates_(std::move(templates)), checked_(std::make_shared<checked_names>())
{
}

core::result<void> prompt_set::check_name(text::text_field field, std::string_view name) const
{
    const auto key = std::pair{field, std::string(name)};
    {
        const std::scoped_lock lock(checked_->mutex);
        if (checked_->passed.contains(key)) return {};
    }
    if (auto r = checked(field, name); !r) return r;
    const std::scoped_lock lock(checked_->mutex);
    if (checked_->passed.size() < checked_names::max_names) checked_->passed.insert(key);
    return {};
}

std::optional<prompt_set> prompt_set::load(const prompt_texts& texts,
                                           std::vector<core::error>& errors)
{
    std::vector<prompt_template> templates;
    const std::size_t before = errors.size();
    for (auto kind : prompt_kinds) {
        auto t = prompt_template::parse(kind, text_for(texts, kind));
        if (t)
            templates.push_back(std::move(*t));
        else
            errors.push_back(t.error());
    }
    if (errors.size() != before) return std::nullopt;
    return prompt_set(std::move(templates));
}

prompt_set prompt_set::defaults()
{
    std::vector<core::error> errors;
    return *load(prompt_texts{}, errors);
}

const prompt_template& prompt_set::get(template_kind kind) const
{
    return templates_[static_cast<std::size_t>(kind)];
}

core::result<std::string> prompt_set::render_pay(const pay_prompt& p) const
{
    if (p.amount.minor_units() <= 0)
        return core::error{make_error_code(prompt_errc::bad_value), 0,
                           fmt::format("pay prompt: amount {} is not positive",
                                       money::format_with_code(p.amount))};
    if (auto r = check_name(text::text_field::payee_name, p.payee); !r) return r.error();
    std::string out =
        fill(get(template_kind::pay), {{"amount", money::format_decimal(p.amount)},
                                       {"currency", std::string(p.amount.unit().code())},
                                       {"payee", p.payee}});
    if (p.wallet) {
        if (auto r = check_name(text::text_field::wallet_name, *p.wallet); !r) return r.error();
        out += ' ';
        out += fill(get(template_kind::pay_from_wallet), {{"wallet", *p.wallet}});
    }
    if (p.memo) {
        if (auto r = checked(text::text_field::memo, *p.memo); !r) return r.error();
        out += ' ';
        out += fill(get(template_kind::pay_memo), {{"memo", *p.memo}});
    }
    return out;
}

core::result<std::string> prompt_set::render_balance(std::optional<std::string_view> wallet) const
{
    if (!wallet) return fill(get(template_kind::balance), {});
    if (auto r = check_name(text::text_field::wallet_name, *wallet); !r) return r.error();
    return fill(get(template_kind::wallet_balance), {{"wallet", std::string(*wallet)}});
}

core::result<std::string> prompt_set::render_payees() const
{
    return fill(get(template_kind::payees), {});
}

core::result<std::string> prompt_set::render_transactions(int count) const
{
    if (count < 1 || count > 100)
        return core::error{make_error_code(prompt_errc::bad_value), 0,
                           fmt::format("transactions prompt: count {} is outside 1..100", count)};
    return fill(get(template_kind::transactions), {{"count", std::to_string(count)}});
}

}  // namespace paymand::prompt
