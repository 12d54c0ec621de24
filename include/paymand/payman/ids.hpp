#pragma once

// Identifiers of asks: random version-4 UUIDs from OpenSSL's CSPRNG, with Payman's prefixes.

#include "paymand/payman/client_error.hpp"

#include <boost/system/result.hpp>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::payman {

// Formats 16 random bytes as a UUID string, setting the version (4) and variant (10xx) bits:
// "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx", lower case.
std::string format_uuid4(std::array<std::uint8_t, 16> bytes);

// A fresh random UUID. Fails (payman_errc::internal) only if OpenSSL's RAND_bytes does.
boost::system::result<std::string, client_error> make_uuid4();

// "req-<uuid4>", "tsk-<uuid4>", "ses-<uuid4>".
boost::system::result<std::string, client_error> make_id(std::string_view prefix);

// One id per prefix, in order, from a single draw of the generator (each RAND_bytes call costs
// OpenSSL a fork check, a getpid system call: an ask needs two ids).
boost::system::result<std::vector<std::string>, client_error>
make_ids(std::initializer_list<std::string_view> prefixes);

// Session ids given by callers travel in JSON and logs: 1-128 characters of [A-Za-z0-9._:-].
bool is_valid_session_id(std::string_view id) noexcept;

}  // namespace paymand::payman
