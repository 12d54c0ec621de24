#include "paymand/core/sha256.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace paymand::core {
namespace {

struct md_free {
    void operator()(EVP_MD* p) const noexcept { EVP_MD_free(p); }
};
struct ctx_free {
    void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};

[[noreturn]] void no_sha256()
{
    throw std::runtime_error("OpenSSL cannot provide SHA-256");
}

const EVP_MD* sha256_md()
{
    static const std::unique_ptr<EVP_MD, md_free> md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
    if (!md) no_sha256();
    return md.get();
}

EVP_MD_CTX* thread_context()
{
    thread_local const std::unique_ptr<EVP_MD_CTX, ctx_free> ctx(EVP_MD_CTX_new());
    if (!ctx) no_sha256();
    return ctx.get();
}

}  // namespace

std::string sha256_hex(std::string_view data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    auto* ctx = thread_context();
    if (EVP_DigestInit_ex2(ctx, sha256_md(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(ctx, digest, &length) != 1 || length != 32) {
        no_sha256();
    }
    std::string hex;
    hex.reserve(2 * length);
    append_hex(hex, std::span(digest, length));
    return hex;
}

char* write_hex(char* out, std::span<const unsigned char> bytes, hex_case letters) noexcept
{
    const char* digits = letters == hex_case::upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (const unsigned char b : bytes) {
        *out++ = digits[b >> 4];
        *out++ = digits[b & 0x0F];
    }
    return out;
}

void append_hex(std::string& out, std::span<const unsigned char> bytes, hex_case letters)
{
    const auto at = out.size();
    out.resize(at + 2 * bytes.size());
    write_hex(out.data() + at, bytes, letters);
}

void append_hex(std::string& out, std::string_view bytes, hex_case letters)
{
    append_hex(out, std::span(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()),
               letters);
}

}  // namespace paymand::core
