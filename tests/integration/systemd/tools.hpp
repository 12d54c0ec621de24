#pragma once

// What the systemd, install and package tests share: finding the system tools they drive
// (a missing one skips the test with its name, never silently) and reading files.

#include "support/process.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

// read_file: support/process.hpp.

namespace paymand::test {

// The absolute path of `name` in $PATH or the sbin directories, or nullopt.
inline std::optional<std::filesystem::path> find_tool(std::string_view name)
{
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH")) {
        std::stringstream in(path);
        for (std::string dir; std::getline(in, dir, ':');)
            if (!dir.empty()) dirs.push_back(dir);
    }
    for (const char* dir : {"/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"})
        dirs.emplace_back(dir);
    for (const auto& dir : dirs) {
        auto candidate = std::filesystem::path(dir) / name;
        std::error_code ec;
        if (std::filesystem::is_regular_file(candidate, ec) &&
            ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return std::nullopt;
}

inline std::vector<std::string> split_lines(std::string_view text)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        lines.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

}  // namespace paymand::test

// GTEST_SKIP with the tool's name when it is not installed (scripts/setup installs them all).
#define PAYMAND_REQUIRE_TOOL(var, name)                                                            \
    const auto var##_found = ::paymand::test::find_tool(name);                                     \
    if (!var##_found) GTEST_SKIP() << name << " is not installed (scripts/setup installs it)";     \
    const std::filesystem::path var = *var##_found
