#include "paymand/audit/hash_chain.hpp"

#include "paymand/core/sha256.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace paymand::audit {
namespace {

constexpr std::string_view hash_key = ",\"hash\":\"";

// 1 for lower-case hex digits. A table, not comparisons: hash digits are random, so a branch
// per character would be mispredicted half the time (this runs for every line of a replay).
constexpr auto hex_table = [] {
    std::array<unsigned char, 256> t{};
    for (char c : std::string_view("0123456789abcdef")) t[static_cast<unsigned char>(c)] = 1;
    return t;
}();

}  // namespace

std::optional<line_parts> split_line(std::string_view line) noexcept
{
    if (line.size() < hash_suffix_length + 1) return std::nullopt;
    const std::size_t at = line.size() - hash_suffix_length;
    if (line.substr(at, hash_key.size()) != hash_key || line.substr(line.size() - 2) != "\"}") {
        return std::nullopt;
    }
    const std::string_view hash = line.substr(at + hash_key.size(), hash_hex_length);
    unsigned char all = 1;
    for (char c : hash) all &= hex_table[static_cast<unsigned char>(c)];
    if (all == 0) return std::nullopt;
    return line_parts{line.substr(0, at), hash};
}

void chain_hasher::md_deleter::operator()(EVP_MD* p) const noexcept
{
    EVP_MD_free(p);
}
void chain_hasher::ctx_deleter::operator()(EVP_MD_CTX* p) const noexcept
{
    EVP_MD_CTX_free(p);
}

chain_hasher::chain_hasher() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new())
{
    // Without SHA-256 nothing in the log can be written or checked: a broken installation.
    if (!md_ || !ctx_) throw std::runtime_error("OpenSSL cannot provide SHA-256");
}

hash_hex chain_hasher::next(std::string_view prev, std::string_view prefix)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestInit_ex2(ctx_.get(), md_.get(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx_.get(), prev.data(), prev.size()) != 1 ||
        EVP_DigestUpdate(ctx_.get(), prefix.data(), prefix.size()) != 1 ||
        EVP_DigestFinal_ex(ctx_.get(), digest, &length) != 1 || length != 32) {
        throw std::runtime_error("OpenSSL SHA-256 failed");
    }
    hash_hex out;
    core::write_hex(out.data(), std::span(digest, 32));
    return out;
}

}  // namespace paymand::audit
