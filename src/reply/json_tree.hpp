#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// A JSON document read without ever converting numbers to double: numbers keep their source
// text. Internal to the reply parsers.
namespace paymand::reply::detail {

struct json_node {
    enum class kind { object, array, string, number, boolean, null } type = kind::null;
    std::string text;               // string value, number source text, "true"/"false"
    std::vector<std::string> keys;  // object member names, parallel to `values`
    std::vector<json_node> values;  // object member values or array items
};

// Parses `text` as one JSON document; empty on any syntax error or when too deep/large.
std::optional<json_node> parse_json(std::string_view text);

// The JSON document a reply carries: the whole reply if it is JSON, else the first ```json
// fenced block that parses. Empty for prose.
std::optional<json_node> reply_json(std::string_view reply);

}  // namespace paymand::reply::detail
