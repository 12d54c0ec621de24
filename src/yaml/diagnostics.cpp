#include "paymand/yaml/diagnostics.hpp"

#include "paymand/yaml/quote.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace paymand::yaml {

std::string diagnostic::to_string() const
{
    return fmt::format("{}:{}:{}: error: {}", file, line, column, message);
}

void diagnostics::error(const std::string& file, const YAML::Mark& mark, std::string message)
{
    int line = mark.line < 0 ? 1 : mark.line + 1;
    int column = mark.column < 0 ? 1 : mark.column + 1;
    error(file, line, column, std::move(message));
}

void diagnostics::error(const std::string& file, int line, int column, std::string message)
{
    // Whatever a module put in the message, it is printed as one bounded line.
    diagnostic d{file, line, column, one_line(message)};
    // After every error of an earlier file, and of this file at or before this position.
    const auto first_of_file = std::find_if(items_.begin(), items_.end(),
                                            [&](const diagnostic& x) { return x.file == file; });
    auto at = first_of_file;
    while (at != items_.end() && at->file == file &&
           std::pair(at->line, at->column) <= std::pair(line, column))
        ++at;
    if (first_of_file == items_.end()) at = items_.end();
    items_.insert(at, std::move(d));
}

std::string diagnostics::to_string() const
{
    std::string out;
    for (const auto& d : items_) {
        out += d.to_string();
        out += '\n';
    }
    return out;
}

}  // namespace paymand::yaml
