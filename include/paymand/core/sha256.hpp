#pragma once

// SHA-256 of short texts (rule hashes, idempotency keys), as lower-case hex. OpenSSL's
// implementation is fetched once and its context kept per thread: an implicit fetch per digest
// costs more than hashing a short line, and the engine makes several keys per occurrence.

#include <span>
#include <string>
#include <string_view>

namespace paymand::core {

// 64 lower-case hex digits. Throws std::runtime_error when OpenSSL cannot provide SHA-256 (a
// broken installation: nothing can be keyed or checked then).
std::string sha256_hex(std::string_view data);

// Appends two lower-case hex digits per byte.
void append_hex(std::string& out, std::span<const unsigned char> bytes);

}  // namespace paymand::core
