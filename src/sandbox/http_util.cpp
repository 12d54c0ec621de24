#include "sandbox/http_util.hpp"

#include "paymand/core/sha256.hpp"
#include "paymand/text/display.hpp"

#include <openssl/rand.h>

#include <stdexcept>

namespace paymand::sandbox::detail {

namespace {

int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> decode_component(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            int hi = hex_value(text[i + 1]);
            int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

}  // namespace

std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view text)
{
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto amp = text.find('&', start);
        std::string_view pair =
            text.substr(start, amp == std::string_view::npos ? text.npos : amp - start);
        start = amp == std::string_view::npos ? text.size() : amp + 1;
        if (pair.empty()) continue;
        auto eq = pair.find('=');
        auto name = decode_component(pair.substr(0, eq));
        auto value = eq == std::string_view::npos ? std::optional<std::string>("")
                                                  : decode_component(pair.substr(eq + 1));
        if (!name || !value) return std::nullopt;
        out.emplace_back(std::move(*name), std::move(*value));
    }
    return out;
}

std::pair<std::string_view, std::string_view> split_target(std::string_view target)
{
    auto q = target.find('?');
    if (q == std::string_view::npos) return {target, {}};
    return {target.substr(0, q), target.substr(q + 1)};
}

std::optional<std::string> base64_decode(std::string_view text)
{
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        int v;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            v = c - '0' + 52;
        else if (c == '+')
            v = 62;
        else if (c == '/')
            v = 63;
        else
            return std::nullopt;
        buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xff));
        }
    }
    if (bits >= 6) return std::nullopt;  // a dangling sextet cannot end valid base64
    return out;
}

std::string url_encode(std::string_view text)
{
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            core::append_hex(out, std::span(&c, 1), core::hex_case::upper);
        }
    }
    return out;
}

std::string html_escape(std::string_view text)
{
    return text::html_escape(text);
}

std::string random_hex(std::size_t bytes)
{
    std::string raw(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
        throw std::runtime_error("OpenSSL RAND_bytes failed");
    std::string out;
    core::append_hex(out, raw);
    return out;
}

response json_response(http::status status, const boost::json::value& body)
{
    response res{status, 11};
    res.set(http::field::content_type, "application/json");
    res.body() = boost::json::serialize(body);
    res.prepare_payload();
    return res;
}

}  // namespace paymand::sandbox::detail
