// schema/paymand.json against the configuration reader, so that the two cannot drift apart:
// every mapping the schema describes has exactly the keys the reader allows there (the list its
// "unknown key" error names, the same table its typo suggestions are drawn from) and the keys
// the reader requires, rejects unknown keys, and is probed here. A mapping added to the reader
// is a new key of its parent, so it fails the parent's probe until the schema describes it.

#include "paymand/config/daemon_config.hpp"
#include "support/process.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>

namespace paymand::config {
namespace {

namespace json = boost::json;

const json::value& schema()
{
    static const json::value parsed =
        json::parse(test::read_file(test::source_path("schema/paymand.json")));
    return parsed;
}

// The JSON pointer of every object schema with properties of its own: the mappings of a
// configuration file.
void collect_mappings(const json::value& node, const std::string& pointer,
                      std::set<std::string>& out)
{
    if (const auto* array = node.if_array()) {
        for (std::size_t i = 0; i < array->size(); ++i)
            collect_mappings((*array)[i], pointer + "/" + std::to_string(i), out);
        return;
    }
    const auto* object = node.if_object();
    if (object == nullptr) return;
    const auto* type = object->if_contains("type");
    if (type != nullptr && *type == "object" && object->contains("properties")) out.insert(pointer);
    for (const auto& [key, value] : *object)
        collect_mappings(value, pointer + "/" + std::string(key), out);
}

std::set<std::string> sorted(const json::value* names)
{
    std::set<std::string> out;
    if (names == nullptr) return out;
    if (const auto* object = names->if_object())
        for (const auto& [key, value] : *object) out.insert(std::string(key));
    if (const auto* array = names->if_array())
        for (const auto& item : *array) out.insert(std::string(item.as_string()));
    return out;
}

// A configuration whose only problem is the key zz_probe, alone in the mapping `pointer`
// names; `key: value` replaces that top-level key of a minimal valid configuration.
struct probe {
    std::string pointer;
    std::string key;
    std::string value;
};

const char* const client = "base_url: http://127.0.0.1:8080/api, client_id: pm-test-abc";

const std::vector<probe> probes = {
    {"", "", ""},
    {"/$defs/payman", "payman", "{zz_probe: 1}"},
    {"/$defs/payman/properties/timeouts", "payman",
     fmt::format("{{{}, timeouts: {{zz_probe: 1}}}}", client)},
    {"/$defs/secret_source", "payman",
     fmt::format("{{{}, client_secret: {{zz_probe: 1}}}}", client)},
    {"/$defs/prompts", "prompts", "{zz_probe: 1}"},
    {"/$defs/engine", "engine", "{zz_probe: 1}"},
    {"/$defs/engine/properties/retry", "engine", "{retry: {zz_probe: 1}}"},
    {"/$defs/log", "log", "{zz_probe: 1}"},
    {"/$defs/metrics", "metrics", "{zz_probe: 1}"},
    {"/$defs/ha", "ha", "{node: n1, zz_probe: 1}"},
    {"/$defs/ha/properties/timeouts", "ha",
     "{conninfo: dbname=paymand, node: n1, timeouts: {zz_probe: 1}}"},
    {"/$defs/payee", "payees", "[{zz_probe: 1}]"},
    {"/$defs/payee_limits", "payees", "[{name: John Doe, limits: {TSD: {zz_probe: 1}}}]"},
    {"/$defs/wallet", "wallets", "[{zz_probe: 1}]"},
    {"/$defs/limits", "limits", "{zz_probe: 1}"},
    {"/$defs/currency_limits", "limits", "{currencies: {TSD: {zz_probe: 1}}}"},
};

std::string probe_text(const probe& p)
{
    if (p.key.empty()) return "zz_probe: 1\n";  // the root: nothing but the probe
    std::map<std::string, std::string> keys = {{"payman", fmt::format("{{{}}}", client)},
                                               {"rules_directory", "rules"},
                                               {"state_directory", "/var/lib/paymand"},
                                               {"payees", "any"},
                                               {"limits", "none"}};
    keys[p.key] = p.value;
    std::string text;
    for (const auto& [key, value] : keys) text += fmt::format("{}: {}\n", key, value);
    return text;
}

// What the reader says about a probe: the keys its unknown-key error allows, and the keys it
// reports missing.
struct verdict {
    std::set<std::string> allowed;
    std::set<std::string> required;
    std::string errors;
};

std::set<std::string> split_names(const std::string& list)
{
    std::set<std::string> out;
    for (std::size_t start = 0; start < list.size();) {
        auto comma = std::min(list.find(", ", start), list.size());
        out.insert(list.substr(start, comma - start));
        start = comma + 2;
    }
    return out;
}

verdict read(const std::string& text)
{
    yaml::diagnostics diags;
    auto config = parse_daemon_config(
        text, "paymand.yaml", "/etc/paymand", [](const char*) -> const char* { return nullptr; },
        diags);
    verdict out{.errors = diags.to_string()};
    EXPECT_FALSE(config) << text;
    int unknown = 0;
    std::istringstream lines(out.errors);
    for (std::string line; std::getline(lines, line);) {
        static const std::string allowed = "(allowed: ";
        static const std::string missing = "is missing the required key \"";
        if (line.find("unknown key") != std::string::npos) {
            ++unknown;
            auto at = line.find(allowed);
            EXPECT_NE(at, std::string::npos) << line;
            if (at == std::string::npos) continue;
            at += allowed.size();
            out.allowed = split_names(line.substr(at, line.find(')', at) - at));
        } else if (auto at = line.find(missing); at != std::string::npos) {
            at += missing.size();
            out.required.insert(line.substr(at, line.find('"', at) - at));
        }
    }
    EXPECT_EQ(unknown, 1) << "exactly the probe key is unknown:\n" << text << out.errors;
    return out;
}

TEST(config_schema, every_mapping_of_the_schema_is_probed)
{
    std::set<std::string> mappings;
    collect_mappings(schema(), "", mappings);
    std::set<std::string> probed;
    for (const auto& p : probes) probed.insert(p.pointer);
    EXPECT_EQ(mappings, probed);
}

TEST(config_schema, each_mapping_has_the_keys_the_reader_allows_and_requires)
{
    for (const auto& p : probes) {
        SCOPED_TRACE("schema mapping \"" + p.pointer + "\"");
        const auto& object = schema().at_pointer(p.pointer).as_object();
        auto text = probe_text(p);
        auto said = read(text);
        EXPECT_EQ(sorted(object.if_contains("properties")), said.allowed) << text << said.errors;
        EXPECT_EQ(sorted(object.if_contains("required")), said.required) << text << said.errors;
        // The reader refuses every key it does not know.
        const auto* extra = object.if_contains("additionalProperties");
        ASSERT_NE(extra, nullptr);
        EXPECT_EQ(*extra, false);
    }
}

}  // namespace
}  // namespace paymand::config
