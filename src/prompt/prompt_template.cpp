#include "paymand/prompt/prompt_template.hpp"

#include "paymand/prompt/memo.hpp"
#include "paymand/text/word_class.hpp"
#include "paymand/text/word_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace paymand::prompt {
namespace {

constexpr std::size_t max_template_bytes = 200;
constexpr char marker = '\x01';  // stands for a placeholder while literal text is checked

struct placeholder_rules {
    std::vector<std::string_view> known;
    std::vector<std::string_view> required;
};

placeholder_rules rules_for(template_kind kind)
{
    switch (kind) {
    case template_kind::pay:
        return {{"amount", "currency", "payee"}, {"amount", "currency", "payee"}};
    case template_kind::pay_from_wallet:
        return {{"wallet"}, {"wallet"}};
    case template_kind::pay_memo:
        return {{"memo"}, {"memo"}};
    case template_kind::balance:
        return {{}, {}};
    case template_kind::wallet_balance:
        return {{"wallet"}, {"wallet"}};
    case template_kind::payees:
        return {{}, {}};
    case template_kind::transactions:
        return {{"count"}, {"count"}};
    case template_kind::memo:
        return {{"date", "month", "year", "rule"}, {}};
    }
    return {};
}

core::error fail(template_kind kind, prompt_errc code, std::size_t offset, std::string what)
{
    return {
        make_error_code(code), offset,
        fmt::format("prompt template '{}': {} at offset {}", template_name(kind), what, offset)};
}

std::string known_list(const placeholder_rules& rules)
{
    if (rules.known.empty()) return "this template takes no placeholders";
    std::string out = "known: ";
    for (std::size_t i = 0; i < rules.known.size(); ++i) {
        if (i > 0) out += ", ";
        out += rules.known[i];
    }
    return out;
}

bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string describe(char c)
{
    if (c >= 0x21 && c < 0x7f) return fmt::format("'{}'", c);
    return fmt::format("byte 0x{:02X}", static_cast<unsigned char>(c));
}

// Literal text of prompt templates: see prompt_template::parse. `shape` is the template with
// each placeholder replaced by `marker`; `offsets` maps shape positions to template offsets.
// Placeholders whose values are names or free text: each stands between double quotes, so that
// the agent reads the value as one identifier however it is worded.
bool must_be_quoted(std::string_view name)
{
    return name == "payee" || name == "wallet" || name == "memo";
}

core::result<void> check_literal(template_kind kind, std::string_view shape,
                                 const std::vector<std::size_t>& offsets,
                                 const std::vector<std::string_view>& names)
{
    std::size_t placeholder = 0;  // index into `names` of the next marker
    const auto at = [&](std::size_t i) { return offsets[i]; };
    const std::size_t n = shape.size();
    if (shape.front() == ' ' || shape.back() == ' ')
        return fail(kind, prompt_errc::unsafe_literal, at(shape.front() == ' ' ? 0 : n - 1),
                    "leading or trailing space");
    for (std::size_t i = 0; i < n; ++i) {
        const char c = shape[i];
        if (c == marker) {
            const std::string_view name = names[placeholder++];
            if (must_be_quoted(name) &&
                !(i > 0 && shape[i - 1] == '"' && i + 1 < n && shape[i + 1] == '"'))
                return fail(kind, prompt_errc::unsafe_literal, at(i),
                            fmt::format("{{{{{}}}}} must stand in double quotes, as in "
                                        "\"{{{{{}}}}}\", so that the agent reads it as one name",
                                        name, name));
            const auto ok_neighbour = [&](std::size_t j, bool before) {
                const char d = shape[j];
                return d == ' ' || d == '"' || (!before && (d == ',' || d == '?' || d == '.'));
            };
            if ((i > 0 && !ok_neighbour(i - 1, true)) || (i + 1 < n && !ok_neighbour(i + 1, false)))
                return fail(kind, prompt_errc::unsafe_literal, at(i),
                            "a placeholder must be set apart by spaces or quotes");
            continue;
        }
        if (is_letter(c) || c == '\'' || c == '-' || c == ',') continue;
        if (c == ' ') {
            if (i + 1 < n && shape[i + 1] == ' ')
                return fail(kind, prompt_errc::unsafe_literal, at(i), "two spaces in a row");
            continue;
        }
        if (c == '"') {
            if (i + 2 < n && shape[i + 1] == marker && shape[i + 2] == '"') {
                if (!must_be_quoted(names[placeholder++]))
                    return fail(kind, prompt_errc::unsafe_literal, at(i),
                                "'\"' is only allowed around {{payee}}, {{wallet}} or {{memo}}");
                i += 2;
                continue;
            }
            return fail(kind, prompt_errc::unsafe_literal, at(i),
                        "'\"' is only allowed directly around a placeholder, as in \"{{memo}}\"");
        }
        if (c == '?' || c == '.') {
            if (i + 1 == n) continue;
            return fail(kind, prompt_errc::unsafe_literal, at(i),
                        fmt::format("{} is only allowed at the very end", describe(c)));
        }
        if (c >= '0' && c <= '9')
            return fail(kind, prompt_errc::unsafe_literal, at(i),
                        "digits are not allowed in literal text");
        return fail(kind, prompt_errc::unsafe_literal, at(i),
                    fmt::format("{} is not allowed in literal text", describe(c)));
    }

    // Words: runs of letters; their meaning decides what the template asks for.
    int payment_verbs = 0;
    for (std::size_t i = 0; i < n;) {
        if (!is_letter(shape[i])) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < n && is_letter(shape[end])) ++end;
        const std::string_view word = shape.substr(i, end - i);
        const std::string shown(word);
        switch (text::classify_word(word)) {
        case text::word_class::payment_verb:
            ++payment_verbs;
            break;
        case text::word_class::instruction_word:
            return fail(kind, prompt_errc::unsafe_literal, at(i),
                        fmt::format("instruction word '{}' is not allowed", shown));
        case text::word_class::currency_word:
            return fail(
                kind, prompt_errc::unsafe_literal, at(i),
                fmt::format("currency word '{}' is not allowed; use {{{{currency}}}}", shown));
        case text::word_class::number_word:
            return fail(kind, prompt_errc::unsafe_literal, at(i),
                        fmt::format("number word '{}' is not allowed", shown));
        case text::word_class::ordinary:
            break;
        }
        if (text::is_iso_currency_code(word))
            return fail(kind, prompt_errc::unsafe_literal, at(i),
                        fmt::format("currency code '{}' is not allowed", shown));
        i = end;
    }
    const int wanted = kind == template_kind::pay ? 1 : 0;
    if (payment_verbs != wanted)
        return fail(kind, prompt_errc::unsafe_literal, 0,
                    wanted == 1 ? fmt::format("must contain exactly one payment verb such as "
                                              "'send', found {}",
                                              payment_verbs)
                                : "payment verbs such as 'send' or 'pay' are not allowed here");
    return {};
}

}  // namespace

namespace {

constexpr auto template_words = text::make_word_table<template_kind>({
    {template_kind::pay, "pay"},
    {template_kind::pay_from_wallet, "pay_from_wallet"},
    {template_kind::pay_memo, "pay_memo"},
    {template_kind::balance, "balance"},
    {template_kind::wallet_balance, "wallet_balance"},
    {template_kind::payees, "payees"},
    {template_kind::transactions, "transactions"},
    {template_kind::memo, "memo"},
});

}  // namespace

std::string_view template_name(template_kind kind) noexcept
{
    return template_words.word(kind, "unknown");
}

core::result<prompt_template> prompt_template::parse(template_kind kind, std::string_view text)
{
    if (text.empty()) return fail(kind, prompt_errc::empty_template, 0, "empty template");
    if (text.size() > max_template_bytes)
        return fail(kind, prompt_errc::template_too_long, max_template_bytes,
                    fmt::format("{} bytes, at most {} allowed", text.size(), max_template_bytes));
    const placeholder_rules rules = rules_for(kind);
    std::vector<template_part> parts;
    std::vector<std::string_view> seen;
    std::string shape;
    std::vector<std::size_t> offsets;
    std::string literal;
    const auto flush = [&] {
        if (!literal.empty()) parts.push_back({false, std::move(literal)});
        literal.clear();
    };
    for (std::size_t i = 0; i < text.size();) {
        if (text.substr(i, 2) == "{{") {
            const std::size_t close = text.find("}}", i + 2);
            if (close == std::string_view::npos)
                return fail(kind, prompt_errc::bad_placeholder, i, "'{{' without '}}'");
            const std::string_view name = text.substr(i + 2, close - i - 2);
            if (name.empty() ||
                !std::all_of(name.begin(), name.end(), [](char c) { return c >= 'a' && c <= 'z'; }))
                return fail(kind, prompt_errc::bad_placeholder, i,
                            "a placeholder is lower-case letters in double braces without "
                            "spaces, like {{amount}}");
            if (std::find(rules.known.begin(), rules.known.end(), name) == rules.known.end())
                return fail(
                    kind, prompt_errc::unknown_placeholder, i,
                    fmt::format("unknown placeholder {{{{{}}}}}; {}", name, known_list(rules)));
            if (std::find(seen.begin(), seen.end(), name) != seen.end())
                return fail(kind, prompt_errc::duplicate_placeholder, i,
                            fmt::format("placeholder {{{{{}}}}} used twice", name));
            seen.push_back(name);
            flush();
            parts.push_back({true, std::string(name)});
            shape += marker;
            offsets.push_back(i);
            i = close + 2;
            continue;
        }
        if (text[i] == '{' || text[i] == '}')
            return fail(kind, prompt_errc::bad_placeholder, i,
                        "a lone brace; placeholders are written {{name}}");
        literal += text[i];
        shape += text[i];
        offsets.push_back(i);
        ++i;
    }
    flush();
    for (auto name : rules.required)
        if (std::find(seen.begin(), seen.end(), name) == seen.end())
            return fail(kind, prompt_errc::missing_placeholder, 0,
                        fmt::format("required placeholder {{{{{}}}}} is missing", name));

    prompt_template result(kind, std::move(parts));
    if (kind == template_kind::memo) {
        // Literal memo text obeys the memo grammar: check it by expanding with long values.
        auto expanded =
            expand_memo(result, {std::chrono::year{2026} / std::chrono::September / 30, "rule"});
        if (!expanded) return expanded.error();
    } else {
        auto r = check_literal(kind, shape, offsets, seen);
        if (!r) return r.error();
    }
    return result;
}

}  // namespace paymand::prompt
