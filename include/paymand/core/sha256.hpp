#pragma once

// SHA-256 of short texts (rule hashes, idempotency keys), as lower-case hex, and the one hex
// encoder every module uses. OpenSSL's implementation is fetched once and its context kept per
// thread: an implicit fetch per digest costs more than hashing a short line, and the engine
// makes several keys per occurrence.

#include <span>
#include <string>
#include <string_view>

namespace paymand::core {

// 64 lower-case hex digits. Throws std::runtime_error when OpenSSL cannot provide SHA-256 (a
// broken installation: nothing can be keyed or checked then).
std::string sha256_hex(std::string_view data);

enum class hex_case { lower, upper };

// Writes two hex digits per byte at `out` (2 * bytes.size() characters, nothing else: no
// allocation) and returns the end of what it wrote.
char* write_hex(char* out, std::span<const unsigned char> bytes,
                hex_case letters = hex_case::lower) noexcept;

// Appends two hex digits per byte (lower case unless told).
void append_hex(std::string& out, std::span<const unsigned char> bytes,
                hex_case letters = hex_case::lower);
// The same for bytes held in a string.
void append_hex(std::string& out, std::string_view bytes, hex_case letters = hex_case::lower);

}  // namespace paymand::core
