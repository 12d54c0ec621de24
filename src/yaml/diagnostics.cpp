#include "paymand/yaml/diagnostics.hpp"

#include "paymand/yaml/quote.hpp"

#include <fmt/format.h>

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
    items_.push_back({file, line, column, one_line(message)});
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
