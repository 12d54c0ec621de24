#include "rules/fields.hpp"

#include "paymand/yaml/quote.hpp"
#include "rules/safe_text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace paymand::rules::detail {

YAML::Mark mark_in_scalar(const yaml::reader& in, const yaml::field& f, std::size_t offset)
{
    YAML::Mark at = in.value_mark(f);
    if (!f.value.IsScalar() || at.line < 0) return at;
    const std::string& text = f.value.Scalar();
    if (offset > text.size()) return at;
    bool quoted = f.value.Tag() != "?";
    if (quoted) {
        // Escapes (backslashes in double quotes, '' in single quotes) make source columns differ
        // from text offsets.
        bool simple = std::all_of(text.begin(), text.end(), [](char c) {
            return c >= 0x20 && c < 0x7f && c != '\\' && c != '\'';
        });
        if (!simple) return at;
    } else if (text.find('\n') != std::string::npos) {
        return at;
    }
    at.column += static_cast<int>(offset) + (quoted ? 1 : 0);
    return at;
}

std::optional<money::amount> read_amount(const yaml::reader& in, const yaml::field& f,
                                         money::currency unit)
{
    auto text = in.scalar(f);
    if (!text) return std::nullopt;
    auto parsed = money::parse_amount(text->text, unit, {.sign = money::sign_rule::positive});
    if (parsed) return *parsed;
    in.error(mark_in_scalar(in, f, parsed.error().offset),
             fmt::format("\"{}\": {}", f.name, parsed.error().message));
    return std::nullopt;
}

std::optional<money::currency> read_currency(const yaml::reader& in, const yaml::field& f)
{
    auto code = in.text(f);
    if (!code) return std::nullopt;
    if (auto c = money::currency::find(*code)) return c;
    std::string known;
    for (const auto& info : money::known_currencies()) {
        if (!known.empty()) known += ", ";
        known += info.code;
    }
    in.error(f, fmt::format("unknown currency {} (known: {})", yaml::quote_value(*code), known));
    return std::nullopt;
}

std::optional<schedule::zone> read_zone(const yaml::reader& in, const yaml::field& f)
{
    auto name = in.text(f);
    if (!name) return std::nullopt;
    auto zone = schedule::find_zone(*name);
    if (zone) return *zone;
    in.error(f, fmt::format("\"{}\": {}", f.name, zone.error().message));
    return std::nullopt;
}

schedule::zone utc_zone()
{
    return schedule::find_zone("UTC").value();
}

std::optional<std::string> read_safe_text(const yaml::reader& in, const yaml::field& f,
                                          text_kind kind)
{
    auto value = in.text(f);
    if (!value) return std::nullopt;
    if (auto checked = check_safe_text(*value, kind); !checked) {
        in.error(mark_in_scalar(in, f, checked.error().offset),
                 fmt::format("\"{}\": {}", f.name, checked.error().message));
        return std::nullopt;
    }
    return value;
}

}  // namespace paymand::rules::detail
