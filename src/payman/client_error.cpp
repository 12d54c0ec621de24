#include "paymand/payman/client_error.hpp"

#include <boost/throw_exception.hpp>

#include <fmt/format.h>

#include <stdexcept>

namespace paymand::payman {

std::string_view to_string(error_class c) noexcept
{
    switch (c) {
    case error_class::not_sent:
        return "not sent";
    case error_class::rejected:
        return "rejected";
    case error_class::unknown_outcome:
        return "unknown outcome";
    }
    return "unknown";
}

std::string client_error::what() const
{
    std::string text =
        fmt::format("{}: {}", to_string(kind), message.empty() ? code.message() : message);
    if (!diagnostics.empty()) text += fmt::format(" [server said: {}]", diagnostics);
    return text;
}

std::string sanitize_diagnostics(std::string_view untrusted)
{
    std::string out;
    out.reserve(std::min(untrusted.size(), max_diagnostics_size + 3));
    bool space = false;
    for (unsigned char c : untrusted) {
        const bool printable = c >= 0x20 && c != 0x7f;
        if (!printable || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(static_cast<char>(c));
        if (out.size() >= max_diagnostics_size) break;
    }
    if (out.size() >= max_diagnostics_size) {
        // Room for the "..." within the promised size.
        out.resize(max_diagnostics_size - 3);
        // Do not end inside a UTF-8 sequence.
        std::size_t cut = out.size();
        while (cut > 0 && (static_cast<unsigned char>(out[cut - 1]) & 0xC0) == 0x80) --cut;
        if (cut > 0 && (static_cast<unsigned char>(out[cut - 1]) & 0x80)) --cut;
        out.resize(cut);
        out += "...";
    }
    return out;
}

void throw_exception_from_error(const client_error& e, const boost::source_location& loc)
{
    boost::throw_exception(std::runtime_error(e.what()), loc);
}

}  // namespace paymand::payman
