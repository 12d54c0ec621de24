#pragma once

// Loading what the daemon runs on: the configuration file, the rule files and the prompt
// templates, strictly and all or nothing. `run`, `trigger`, `check`, `next`, `simulate` and
// `status` all load through here, so a rule set that `check` accepts is exactly one that the
// daemon would run.

#include "paymand/config/daemon_config.hpp"
#include "paymand/prompt/prompt_set.hpp"
#include "paymand/rules/rule_set.hpp"
#include "paymand/yaml/diagnostics.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace paymand::daemon {

struct loaded {
    config::daemon_config config;
    std::shared_ptr<const rules::rule_set> rules;
    prompt::prompt_set prompts = prompt::prompt_set::defaults();
    // The rule files read, in load order.
    std::vector<std::filesystem::path> rule_files;
};

// The process environment, for PAYMAN_* variables named by the configuration.
const config::env_lookup& process_environment();

// Loads `config_path`, then the rules of its rules_directory, or of `rule_paths` when given
// (files, or directories whose *.yaml files are read). nullopt on any error, every error in
// `diags` as "file:line:col: error: ...".
std::optional<loaded> load_configuration(const std::filesystem::path& config_path,
                                         yaml::diagnostics& diags,
                                         const std::vector<std::filesystem::path>& rule_paths = {});

// Loads rule files or directories under `policy` alone (no configuration file).
std::optional<rules::rule_set> load_rule_paths(const std::vector<std::filesystem::path>& paths,
                                               const rules::policy& policy,
                                               yaml::diagnostics& diags,
                                               std::vector<std::filesystem::path>* files = nullptr);

}  // namespace paymand::daemon
