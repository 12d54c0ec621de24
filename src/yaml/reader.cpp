#include "paymand/yaml/reader.hpp"

#include "paymand/text/suggest.hpp"
#include "paymand/yaml/quote.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>

namespace paymand::yaml {
namespace {

std::string describe(const YAML::Node& node)
{
    switch (node.Type()) {
    case YAML::NodeType::Null:
        return "nothing";
    case YAML::NodeType::Scalar:
        return quote_value(node.Scalar());
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Map:
        return "a mapping";
    default:
        return "an undefined value";
    }
}

bool plain(const YAML::Node& node)
{
    return node.Tag() == "?";
}

std::string join(const std::vector<std::string_view>& names)
{
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out;
}

}  // namespace

const field* mapping::find(std::string_view name) const
{
    for (const auto& f : fields_)
        if (f.name == name) return &f;
    return nullptr;
}

void reader::error(const YAML::Mark& at, std::string message) const
{
    diags_->error(file_, at, std::move(message));
}

void reader::error(const YAML::Node& at, std::string message) const
{
    diags_->error(file_, at.Mark(), std::move(message));
}

void reader::error(const field& at, std::string message) const
{
    diags_->error(file_, value_mark(at), std::move(message));
}

YAML::Mark reader::value_mark(const field& f) const
{
    if (f.value.IsNull() || f.value.Mark().line < 0) return f.key.Mark();
    return f.value.Mark();
}

std::optional<mapping> reader::read_mapping(const YAML::Node& node, std::span<const key_rule> keys,
                                            std::string_view what) const
{
    if (!node.IsMap()) {
        error(node,
              fmt::format("{} must be a mapping of keys to values, got {}", what, describe(node)));
        return std::nullopt;
    }
    std::vector<field> fields;
    std::vector<std::string_view> allowed;
    for (const auto& k : keys) allowed.push_back(k.name);
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) continue;  // reported by the document loader
        const std::string& name = it->first.Scalar();
        bool known = std::any_of(keys.begin(), keys.end(),
                                 [&](const key_rule& k) { return k.name == name; });
        if (!known) {
            std::vector<std::string> names(allowed.begin(), allowed.end());
            const auto hint = text::did_you_mean(text::nearest(name, names), "\"");
            error(it->first, fmt::format("unknown key {} in {} (allowed: {}){}", quote_value(name),
                                         what, join(allowed), hint.empty() ? "" : "; " + hint));
            continue;
        }
        fields.push_back({name, it->first, it->second});
    }
    mapping result(node, std::move(fields));
    for (const auto& k : keys)
        if (k.need == presence::required && !result.has(k.name))
            error(node, fmt::format("{} is missing the required key \"{}\"", what, k.name));
    return result;
}

std::optional<std::string> reader::text(const field& f) const
{
    if (!f.value.IsScalar()) {
        error(f, fmt::format("\"{}\" must be text, got {}", f.name, describe(f.value)));
        return std::nullopt;
    }
    return f.value.Scalar();
}

std::optional<bool> reader::boolean(const field& f) const
{
    if (f.value.IsScalar() && plain(f.value)) {
        if (f.value.Scalar() == "true") return true;
        if (f.value.Scalar() == "false") return false;
    }
    error(f, fmt::format("\"{}\" must be true or false, got {}", f.name, describe(f.value)));
    return std::nullopt;
}

std::optional<std::int64_t> reader::integer(const field& f, std::int64_t min,
                                            std::int64_t max) const
{
    if (f.value.IsScalar() && plain(f.value)) {
        const std::string& s = f.value.Scalar();
        std::int64_t v = 0;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        bool digits_only = !s.empty() && s.find_first_not_of("-0123456789") == std::string::npos;
        if (digits_only && ec == std::errc() && end == s.data() + s.size()) {
            if (v >= min && v <= max) return v;
            error(f, fmt::format("\"{}\" must be between {} and {}, got {}", f.name, min, max, s));
            return std::nullopt;
        }
    }
    error(f, fmt::format("\"{}\" must be a whole number, got {}", f.name, describe(f.value)));
    return std::nullopt;
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text)
{
    static constexpr std::pair<char, std::int64_t> units[] = {
        {'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
    if (text.empty()) return std::nullopt;
    std::int64_t total = 0;
    std::size_t next_unit = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
        if (pos == start || pos == text.size() || pos - start > 9) return std::nullopt;
        std::int64_t n = 0;
        std::from_chars(text.data() + start, text.data() + pos, n);
        char unit = text[pos++];
        while (next_unit < std::size(units) && units[next_unit].first != unit) ++next_unit;
        if (next_unit == std::size(units)) return std::nullopt;
        total += n * units[next_unit].second;
        ++next_unit;
    }
    return std::chrono::seconds(total);
}

std::string format_duration(std::chrono::seconds value)
{
    std::int64_t s = value.count();
    if (s == 0) return "0s";
    std::string out;
    for (auto [unit, size] : {std::pair{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}) {
        if (s >= size) {
            out += fmt::format("{}{}", s / size, unit);
            s %= size;
        }
    }
    return out;
}

std::optional<std::chrono::milliseconds> parse_duration_ms(std::string_view text)
{
    std::chrono::milliseconds extra{0};
    if (text.ends_with("ms")) {
        auto digits = text.substr(0, text.size() - 2);
        std::size_t start = digits.size();
        while (start > 0 && digits[start - 1] >= '0' && digits[start - 1] <= '9') --start;
        if (start == digits.size() || digits.size() - start > 9) return std::nullopt;
        std::int64_t n = 0;
        std::from_chars(digits.data() + start, digits.data() + digits.size(), n);
        extra = std::chrono::milliseconds(n);
        text = digits.substr(0, start);
        if (text.empty()) return extra;
    }
    auto whole = parse_duration(text);
    if (!whole) return std::nullopt;
    return std::chrono::milliseconds(*whole) + extra;
}

std::string format_duration_ms(std::chrono::milliseconds value)
{
    const auto whole = std::chrono::floor<std::chrono::seconds>(value);
    const auto rest = value - whole;
    if (rest.count() == 0) return format_duration(whole);
    return (whole.count() > 0 ? format_duration(whole) : "") + fmt::format("{}ms", rest.count());
}

std::optional<std::chrono::milliseconds> reader::duration_ms(const field& f,
                                                             std::chrono::milliseconds min,
                                                             std::chrono::milliseconds max) const
{
    if (f.value.IsScalar() && plain(f.value)) {
        if (auto d = parse_duration_ms(f.value.Scalar())) {
            if (*d >= min && *d <= max) return d;
            error(f,
                  fmt::format("\"{}\" must be between {} and {}, got {}", f.name,
                              format_duration_ms(min), format_duration_ms(max), f.value.Scalar()));
            return std::nullopt;
        }
    }
    error(f, fmt::format("\"{}\" must be a duration such as 2s, 500ms or 1s500ms, got {}", f.name,
                         describe(f.value)));
    return std::nullopt;
}

std::optional<std::chrono::seconds> reader::duration(const field& f, std::chrono::seconds min,
                                                     std::chrono::seconds max) const
{
    if (f.value.IsScalar() && plain(f.value)) {
        if (auto d = parse_duration(f.value.Scalar())) {
            if (*d >= min && *d <= max) return d;
            error(f, fmt::format("\"{}\" must be between {} and {}, got {}", f.name,
                                 format_duration(min), format_duration(max), f.value.Scalar()));
            return std::nullopt;
        }
    }
    error(f, fmt::format("\"{}\" must be a duration such as 90m, 72h or 1h30m, got {}", f.name,
                         describe(f.value)));
    return std::nullopt;
}

std::optional<scalar_text> reader::scalar(const field& f) const
{
    if (!f.value.IsScalar()) {
        error(f, fmt::format("\"{}\" must be a single value, got {}", f.name, describe(f.value)));
        return std::nullopt;
    }
    return scalar_text{f.value.Scalar(), f.value.Mark(), !plain(f.value)};
}

std::optional<std::vector<YAML::Node>> reader::sequence(const field& f) const
{
    if (!f.value.IsSequence()) {
        error(f, fmt::format("\"{}\" must be a list, got {}", f.name, describe(f.value)));
        return std::nullopt;
    }
    std::vector<YAML::Node> items;
    items.reserve(f.value.size());
    for (const auto& item : f.value) items.push_back(item);
    return items;
}

std::string reader::text_or(const mapping& m, std::string_view key, std::string fallback) const
{
    if (const auto* f = m.find(key))
        if (auto v = text(*f)) return *v;
    return fallback;
}

bool reader::boolean_or(const mapping& m, std::string_view key, bool fallback) const
{
    if (const auto* f = m.find(key))
        if (auto v = boolean(*f)) return *v;
    return fallback;
}

void reader::bad_choice(const field& f, const std::string& word,
                        const std::vector<std::string_view>& names) const
{
    error(f,
          fmt::format("\"{}\" must be one of {}, got {}", f.name, join(names), quote_value(word)));
}

}  // namespace paymand::yaml
