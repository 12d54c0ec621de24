#pragma once

// The section readers of paymand.yaml that live outside daemon_config.cpp, for it alone.

#include "paymand/config/daemon_config.hpp"
#include "paymand/yaml/reader.hpp"

#include <filesystem>
#include <string_view>

namespace paymand::config {

// A secret-bearing key: names one source (env, file or credential) and never quotes what is
// written under it. `key` names it in messages, `how` says where the secret belongs instead.
void read_secret_source(const yaml::reader& in, const yaml::field& f,
                        const std::filesystem::path& base_dir, secret_source& out,
                        std::string_view key, std::string_view how);

// The `ha:` section (ha_config.cpp). `hostname` is the default node name.
void read_ha(const yaml::reader& in, const yaml::field& section,
             const std::filesystem::path& base_dir, std::string_view hostname, ha_config& out);

}  // namespace paymand::config
