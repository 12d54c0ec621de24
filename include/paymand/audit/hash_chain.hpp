#pragma once

// The hash chain. Every line of the log ends with `,"hash":"<64 hex>"}` and
//   hash(n) = hex(SHA-256(hash(n-1) || prefix(n)))
// where hash(n-1) is the previous line's 64 hex characters (64 '0' before the first record)
// and prefix(n) is line n's bytes before `,"hash":"`. A verifier therefore works on the raw
// bytes of each line and never re-serialises a record.

#include <openssl/evp.h>

#include <array>
#include <memory>
#include <optional>
#include <string_view>

namespace paymand::audit {

inline constexpr std::size_t hash_hex_length = 64;
// `,"hash":"` + 64 hex + `"}`
inline constexpr std::size_t hash_suffix_length = 9 + hash_hex_length + 2;
inline constexpr std::string_view genesis_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

using hash_hex = std::array<char, hash_hex_length>;

inline std::string_view view(const hash_hex& h) noexcept
{
    return {h.data(), h.size()};
}

// One line (without its newline) split into the hashed prefix and the stored hash.
struct line_parts {
    std::string_view prefix;
    std::string_view hash;
};

// The parts of `line` if it ends with a well-formed hash suffix (lower-case hex), else nothing.
std::optional<line_parts> split_line(std::string_view line) noexcept;

// Computes chain hashes with one reusable OpenSSL EVP context. Not thread-safe: one per thread.
class chain_hasher {
public:
    chain_hasher();
    chain_hasher(chain_hasher&&) noexcept = default;
    chain_hasher& operator=(chain_hasher&&) noexcept = default;

    // hex(SHA-256(prev || prefix)). `prev` must be 64 hex characters.
    hash_hex next(std::string_view prev, std::string_view prefix);

private:
    struct md_deleter {
        void operator()(EVP_MD* p) const noexcept;
    };
    struct ctx_deleter {
        void operator()(EVP_MD_CTX* p) const noexcept;
    };
    std::unique_ptr<EVP_MD, md_deleter> md_;
    std::unique_ptr<EVP_MD_CTX, ctx_deleter> ctx_;
};

}  // namespace paymand::audit
