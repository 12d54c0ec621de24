#pragma once

// Small HTTP helpers shared by the sandbox's endpoints: strict form/query decoding, Basic
// auth, JSON and HTML responses, random identifiers.

#include "sandbox/service.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::sandbox::detail {

// Decodes application/x-www-form-urlencoded text ('+' is a space, %XX escapes). Returns
// nullopt on a bad escape; repeated names are kept in order.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view text);

// The target's path (before '?') and query (after it, may be empty).
std::pair<std::string_view, std::string_view> split_target(std::string_view target);

// Standard base64 (with or without padding); nullopt when invalid.
std::optional<std::string> base64_decode(std::string_view text);

// Percent-encodes for a query component.
std::string url_encode(std::string_view text);

// HTML-escapes text for the consent page.
std::string html_escape(std::string_view text);

// `bytes` random bytes from OpenSSL, hex encoded.
std::string random_hex(std::size_t bytes);

response json_response(http::status status, const boost::json::value& body);

}  // namespace paymand::sandbox::detail
