#include "paymand/yaml/quote.hpp"

#include "paymand/text/display.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <limits>

namespace paymand::yaml {
using text::append_escaped;

std::string quote_value(std::string_view value)
{
    std::string out = "\"";
    const auto used = append_escaped(out, value, {.code_points = max_quoted_code_points});
    out += '"';
    if (used < value.size()) out += fmt::format("...({} bytes)", value.size());
    return out;
}

std::string one_line(std::string_view message)
{
    std::string out;
    const auto used =
        append_escaped(out, message, {.bytes = max_message_size - 3, .quotes = false});
    if (used < message.size()) out += "...";
    return out;
}

}  // namespace paymand::yaml
