#pragma once

// Strict, typed reading of YAML mappings against a table of allowed and required keys.
// Every problem is recorded in the diagnostics with its position and reading goes on, so a
// caller walks a whole file and reports all errors in one pass. A getter that finds a
// problem records it and returns nullopt (or the default); the caller then knows the load
// failed from `diagnostics::empty()`.

#include "paymand/text/word_table.hpp"
#include "paymand/yaml/diagnostics.hpp"

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paymand::yaml {

enum class presence { optional, required };

struct key_rule {
    std::string_view name;
    presence need = presence::optional;
};

// One key of a mapping with its value; marks point at the key and at the value.
struct field {
    std::string name;
    YAML::Node key;
    YAML::Node value;
};

// A mapping that passed the key check: lookups by name, in file order otherwise.
class mapping {
public:
    mapping() = default;
    mapping(YAML::Node node, std::vector<field> fields)
        : node_(std::move(node)), fields_(std::move(fields))
    {
    }

    const field* find(std::string_view name) const;
    bool has(std::string_view name) const { return find(name) != nullptr; }
    const YAML::Node& node() const { return node_; }
    const std::vector<field>& fields() const { return fields_; }

private:
    YAML::Node node_;
    std::vector<field> fields_;
};

// The source text of a scalar exactly as written (YAML numbers included), for values such
// as amounts that must never pass through a floating-point conversion.
struct scalar_text {
    std::string text;
    YAML::Mark mark;
    bool quoted = false;
};

class reader {
public:
    reader(std::string file, diagnostics& diags) : file_(std::move(file)), diags_(&diags) {}

    const std::string& file() const { return file_; }
    diagnostics& diags() const { return *diags_; }

    void error(const YAML::Mark& at, std::string message) const;
    // At the node's position; a Null value without a position of its own is reported at the
    // key by the getters below.
    void error(const YAML::Node& at, std::string message) const;
    void error(const field& at, std::string message) const;

    // Checks that `node` is a mapping, that each key is in `keys` (each other key is an error
    // at its position, naming the allowed ones) and that every required key is present (an
    // error at the mapping's position). `what` names the mapping in messages ("rule",
    // "pay action"). Returns nullopt only when `node` is not a mapping at all.
    std::optional<mapping> read_mapping(const YAML::Node& node, std::span<const key_rule> keys,
                                        std::string_view what) const;
    std::optional<mapping> read_mapping(const YAML::Node& node,
                                        std::initializer_list<key_rule> keys,
                                        std::string_view what) const
    {
        return read_mapping(node, std::span<const key_rule>(keys.begin(), keys.size()), what);
    }

    // Text: any non-null scalar, quoted or plain, as written.
    std::optional<std::string> text(const field& f) const;
    // Exactly `true` or `false`, unquoted (no yes/no/on/off).
    std::optional<bool> boolean(const field& f) const;
    // An unquoted decimal integer within [min, max].
    std::optional<std::int64_t> integer(const field& f, std::int64_t min, std::int64_t max) const;
    // A duration such as `90m`, `72h`, `1h30m`, `2d`, `45s`: groups of digits with units
    // d, h, m, s in that order, each at most once, within [min, max].
    std::optional<std::chrono::seconds> duration(const field& f, std::chrono::seconds min,
                                                 std::chrono::seconds max) const;
    // The same, finer: a last group in milliseconds may follow (`500ms`, `1s500ms`).
    std::optional<std::chrono::milliseconds>
    duration_ms(const field& f, std::chrono::milliseconds min, std::chrono::milliseconds max) const;
    // The scalar's source text, for amounts.
    std::optional<scalar_text> scalar(const field& f) const;
    // One of a fixed set of words; the error lists them.
    template <class E>
    std::optional<E> one_of(const field& f,
                            std::initializer_list<std::pair<std::string_view, E>> choices) const
    {
        auto word = text(f);
        if (!word) return std::nullopt;
        for (const auto& [name, value] : choices)
            if (*word == name) return value;
        std::vector<std::string_view> names;
        for (const auto& c : choices) names.push_back(c.first);
        bad_choice(f, *word, names);
        return std::nullopt;
    }
    // One of the words of a table (text/word_table.hpp), in the table's order.
    template <class E, std::size_t N>
    std::optional<E> one_of(const field& f, const text::word_table<E, N>& words) const
    {
        auto word = text(f);
        if (!word) return std::nullopt;
        if (auto value = words.parse(*word)) return value;
        std::vector<std::string_view> names;
        for (const auto& row : words.rows()) names.push_back(row.word);
        bad_choice(f, *word, names);
        return std::nullopt;
    }
    // A sequence; its items in order. An error (and nullopt) for anything else.
    std::optional<std::vector<YAML::Node>> sequence(const field& f) const;

    // Convenience: read the key from `m` if present, else return `fallback`.
    std::string text_or(const mapping& m, std::string_view key, std::string fallback) const;
    bool boolean_or(const mapping& m, std::string_view key, bool fallback) const;

    // Where a field's value is: the value's mark, or the key's when the value has none of
    // its own (an empty value).
    YAML::Mark value_mark(const field& f) const;

private:
    void bad_choice(const field& f, const std::string& word,
                    const std::vector<std::string_view>& names) const;

    std::string file_;
    diagnostics* diags_;
};

// Parses a duration as `reader::duration` does, without diagnostics (nullopt when invalid).
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// Formats seconds back as the shortest duration text ("72h", "1h30m", "0s").
std::string format_duration(std::chrono::seconds value);

// Parses a duration as `reader::duration_ms` does (nullopt when invalid).
std::optional<std::chrono::milliseconds> parse_duration_ms(std::string_view text);

// Formats milliseconds back as duration text: whole seconds as format_duration, then the rest
// in milliseconds ("2s", "500ms", "1s250ms", "0s").
std::string format_duration_ms(std::chrono::milliseconds value);

}  // namespace paymand::yaml
