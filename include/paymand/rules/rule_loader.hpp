#pragma once

// Loading rule files strictly. A rule file is one YAML mapping with a `rules:` list:
//
//   # yaml-language-server: $schema=/usr/share/paymand/schema/rules.json
//   rules:
//     - id: rent-john
//       schedule: monthly on day 1 at 09:00
//       pay: {payee: John Doe, amount: 1200.00}
//
// Every problem in every file is reported in one pass as "file:line:col: error: ..."; a load
// yields either a complete valid rule set or errors, never part of one. The policy (payees
// allow-list, limits, min_pay_interval, default time zone) is checked here too, so a rule set
// that loads can run.

#include "paymand/rules/policy.hpp"
#include "paymand/rules/rule_set.hpp"
#include "paymand/yaml/diagnostics.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace paymand::rules {

// Accumulates rules from several sources, checking ids across all of them, then hands over
// the set only if nothing was wrong anywhere.
class rule_loader {
public:
    // `pol` must outlive the loader.
    rule_loader(const policy& pol, yaml::diagnostics& diags);
    // The loader keeps a reference: a temporary policy would dangle.
    rule_loader(policy&& pol, yaml::diagnostics& diags) = delete;

    // Parses `text` as the rule file named `file` (the name printed in errors).
    void add_text(std::string_view text, const std::string& file);
    // Reads and parses `path`; `file` defaults to path.string().
    void add_file(const std::filesystem::path& path, std::optional<std::string> file = {});
    // Every *.yaml file directly in `dir`, sorted by name (hidden files skipped; a *.yml file
    // is an error so that it is not silently ignored). A missing directory is an error.
    void add_directory(const std::filesystem::path& dir);

    // The rule set, or nullopt when any error was recorded since construction.
    std::optional<rule_set> finish();

private:
    struct seen_id {
        std::string file;
        int line;
        int column;
    };
    void add_node(const YAML::Node& root, const std::string& file);

    const policy* policy_;
    yaml::diagnostics* diags_;
    std::size_t errors_before_;
    std::vector<rule> rules_;
    std::unordered_map<std::string, seen_id> ids_;
};

// The rule files of a directory in load order (sorted *.yaml, no hidden files).
std::vector<std::filesystem::path> rule_files_in(const std::filesystem::path& dir);

// One-call forms.
std::optional<rule_set> load_rules_directory(const std::filesystem::path& dir, const policy& pol,
                                             yaml::diagnostics& diags);
std::optional<rule_set> load_rules_text(std::string_view text, const std::string& file,
                                        const policy& pol, yaml::diagnostics& diags);

}  // namespace paymand::rules
