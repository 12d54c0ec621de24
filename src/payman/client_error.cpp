#include "paymand/payman/client_error.hpp"

#include <boost/throw_exception.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
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

namespace {

// Needles shorter than this are matched whole only; a text that ends inside a longer one is
// redacted from this many matched bytes on.
constexpr std::size_t min_partial_match = 8;

char lower(char c) noexcept
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Where a match of `needle` starting at clean[at] ends (spaces inside are skipped, ASCII case
// ignored), or npos. A text that ends inside the needle matches from min_partial_match bytes.
std::size_t match_end(std::string_view clean, std::size_t at, std::string_view needle) noexcept
{
    std::size_t k = at;
    for (std::size_t j = 0; j < needle.size(); ++j) {
        while (j > 0 && k < clean.size() && clean[k] == ' ') ++k;
        if (k == clean.size())
            return j >= std::min(min_partial_match, needle.size()) ? k : std::string_view::npos;
        if (lower(clean[k]) != lower(needle[j])) return std::string_view::npos;
        ++k;
    }
    return k;
}

std::string base64_of(std::string_view in, bool url)
{
    static constexpr std::string_view standard =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static constexpr std::string_view url_safe =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const auto& table = url ? url_safe : standard;
    std::string out;
    out.reserve(4 * ((in.size() + 2) / 3));
    for (std::size_t i = 0; i < in.size(); i += 3) {
        std::uint32_t n = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
        if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
        out.push_back(table[(n >> 18) & 63]);
        out.push_back(table[(n >> 12) & 63]);
        out.push_back(i + 1 < in.size() ? table[(n >> 6) & 63] : '=');
        out.push_back(i + 2 < in.size() ? table[n & 63] : '=');
    }
    return out;
}

}  // namespace

void redaction::add(std::string_view value)
{
    if (value.empty()) return;
    keep(value);
    for (bool url : {false, true}) {
        std::string encoded = base64_of(value, url);
        // Unpadded, which also matches the padded form (the '=' are left after [redacted]).
        std::string_view unpadded(encoded);
        while (unpadded.ends_with('=')) unpadded.remove_suffix(1);
        keep(unpadded);
        wipe(encoded.data(), encoded.size());
    }
}

void redaction::add_basic(std::string_view client_id, std::string_view client_secret)
{
    if (client_secret.empty()) return;
    std::string credentials = std::string(client_id) + ":" + std::string(client_secret);
    std::string header = base64_of(credentials, false);
    keep(header);
    wipe(credentials.data(), credentials.size());
    wipe(header.data(), header.size());
}

void redaction::keep(std::string_view needle)
{
    if (needle.empty()) return;
    needles_.emplace_back(needle);
    starts_.set(fold(needle.front()));
}

namespace {

bool separator(unsigned char c) noexcept
{
    return c < 0x20 || c == 0x7f || c == ' ';
}

// `untrusted` with every run of controls and spaces made one space, none at either end.
void collapse_separators(std::string_view untrusted, std::string& clean)
{
    for (std::size_t i = 0; i < untrusted.size();) {
        const std::size_t gap = i;
        while (i < untrusted.size() && separator(static_cast<unsigned char>(untrusted[i]))) ++i;
        if (i == untrusted.size()) break;
        if (i > gap && !clean.empty()) clean.push_back(' ');
        const std::size_t run = i;
        while (i < untrusted.size() && !separator(static_cast<unsigned char>(untrusted[i]))) ++i;
        clean.append(untrusted, run, i - run);
    }
}

}  // namespace

std::string sanitize_diagnostics(std::string_view untrusted, const redaction& secrets)
{
    // Controls to spaces and runs of spaces to one, over the whole text: a needle is looked
    // for before anything is cut. A text with nothing to collapse (the usual one word or
    // timestamp) is read where it is; a copy takes its room at once: a buffer outgrown would
    // be freed holding text the wipe below never reaches.
    std::string copy;
    std::string_view clean = untrusted;
    if (std::any_of(untrusted.begin(), untrusted.end(),
                    [](char c) { return separator(static_cast<unsigned char>(c)); })) {
        copy.reserve(untrusted.size());
        collapse_separators(untrusted, copy);
        clean = copy;
    }
    std::string out;
    out.reserve(std::min(clean.size(), max_diagnostics_size + 3));
    for (std::size_t i = 0; i < clean.size() && out.size() < max_diagnostics_size;) {
        // Bytes no needle starts with, up to the size at which the text is cut, at once.
        const std::size_t run = i;
        while (i < clean.size() && !secrets.may_start(clean[i])) ++i;
        out.append(clean, run, std::min(i - run, max_diagnostics_size - out.size()));
        if (i == clean.size() || out.size() >= max_diagnostics_size) break;
        std::size_t end = std::string_view::npos;
        for (const auto& needle : secrets.needles())
            if (end = match_end(clean, i, needle.expose()); end != std::string_view::npos) break;
        if (end != std::string_view::npos) {
            out += "[redacted]";
            i = end;
        } else {
            out.push_back(clean[i++]);
        }
    }
    wipe(copy.data(), copy.size());
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
