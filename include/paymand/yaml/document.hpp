#pragma once

// Loading one YAML document strictly: syntax errors, duplicate mapping keys (yaml-cpp keeps
// both silently), aliases (they would let a small file expand into a huge tree), non-text
// mapping keys and several documents in one file are all reported with their position.

#include "paymand/yaml/diagnostics.hpp"

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace paymand::yaml {

// Files larger than this are refused before parsing.
inline constexpr std::size_t max_file_size = 64 * 1024 * 1024;

// Parses `text` as one YAML document named `file` in diagnostics. Returns the tree when it
// parsed and is structurally sound enough to walk; every problem found is added to `diags`
// (a tree may be returned together with errors, e.g. for a duplicate key). An empty
// document yields a Null node.
std::optional<YAML::Node> load_text(std::string_view text, const std::string& file,
                                    diagnostics& diags);

// Reads `path` and loads it as above; `file` is the name printed in diagnostics.
std::optional<YAML::Node> load_file(const std::filesystem::path& path, const std::string& file,
                                    diagnostics& diags);

}  // namespace paymand::yaml
