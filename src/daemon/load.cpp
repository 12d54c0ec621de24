#include "paymand/daemon/load.hpp"

#include "paymand/config/file_trust.hpp"
#include "paymand/rules/rule_loader.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <system_error>

namespace paymand::daemon {

const config::env_lookup& process_environment()
{
    static const config::env_lookup lookup = [](const char* name) { return std::getenv(name); };
    return lookup;
}

std::optional<rules::rule_set> load_rule_paths(const std::vector<std::filesystem::path>& paths,
                                               const rules::policy& policy,
                                               yaml::diagnostics& diags,
                                               std::vector<std::filesystem::path>* files)
{
    rules::rule_loader loader(policy, diags);
    // A rule file decides whom to pay: neither it nor its directory may be writable by
    // anyone but root and the daemon's user.
    const auto trust = config::trust_policy_from(process_environment());
    auto refused = [&](const std::filesystem::path& p) {
        auto trusted = config::check_trusted_path(p, trust);
        if (!trusted)
            diags.error(p.string(), 1, 1,
                        fmt::format("refusing the rules: {} (see \"Permissions\" in "
                                    "docs/configuration.md)",
                                    trusted.error().message));
        return !trusted;
    };
    for (const auto& path : paths) {
        if (refused(path)) continue;
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            auto in_dir = rules::rule_files_in(path);
            bool trusted = true;
            for (const auto& file : in_dir) trusted = !refused(file) && trusted;
            if (!trusted) continue;
            loader.add_directory(path);
            if (files != nullptr) files->insert(files->end(), in_dir.begin(), in_dir.end());
        } else {
            // A missing file is reported by the loader, with its name.
            loader.add_file(path);
            if (files != nullptr) files->push_back(path);
        }
    }
    return loader.finish();
}

std::optional<loaded> load_configuration(const std::filesystem::path& config_path,
                                         yaml::diagnostics& diags,
                                         const std::vector<std::filesystem::path>& rule_paths)
{
    auto config = config::load_daemon_config(config_path, process_environment(), diags);
    if (!config) return std::nullopt;
    std::vector<std::filesystem::path> paths = rule_paths;
    if (paths.empty()) paths.push_back(config->rules_directory);
    std::vector<std::filesystem::path> files;
    auto rules = load_rule_paths(paths, config->policy, diags, &files);
    if (!rules) return std::nullopt;
    std::vector<core::error> prompt_errors;
    auto prompts = prompt::prompt_set::load(config->prompts, prompt_errors);
    // The configuration loader has validated the templates and reported any error already.
    if (!prompts) return std::nullopt;
    return loaded{std::move(*config), std::make_shared<const rules::rule_set>(std::move(*rules)),
                  std::move(*prompts), std::move(files)};
}

}  // namespace paymand::daemon
