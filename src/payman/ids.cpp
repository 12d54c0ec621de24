#include "paymand/payman/ids.hpp"

#include "paymand/core/sha256.hpp"

#include <openssl/rand.h>
#include <pthread.h>

#include <algorithm>
#include <span>

namespace paymand::payman {

namespace {

constexpr std::size_t uuid_size = 36;

// The UUID of `b` (version 4, RFC 4122 variant), as 8-4-4-4-12 lower-case hex digits at `at`.
void write_uuid4(char* at, std::array<std::uint8_t, 16> b) noexcept
{
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
    const std::span<const std::uint8_t> bytes(b);
    at = core::write_hex(at, bytes.subspan(0, 4));
    *at++ = '-';
    at = core::write_hex(at, bytes.subspan(4, 2));
    *at++ = '-';
    at = core::write_hex(at, bytes.subspan(6, 2));
    *at++ = '-';
    at = core::write_hex(at, bytes.subspan(8, 2));
    *at++ = '-';
    core::write_hex(at, bytes.subspan(10, 6));
}

}  // namespace

std::string format_uuid4(std::array<std::uint8_t, 16> b)
{
    std::string out(uuid_size, '\0');
    write_uuid4(out.data(), b);
    return out;
}

namespace {

client_error no_randomness()
{
    return core::extend({.code = payman_errc::internal,
                         .message = "OpenSSL's random generator failed to make an id"},
                        client_error{.kind = error_class::not_sent});
}

// Random bytes for ids, drawn from OpenSSL's generator a block at a time: one RAND_bytes call
// (its generator lookup and fork check) per 64 asks instead of one per ask. Ids must be
// unique, not secret. A forked child starts with an empty block, never its parent's.
struct random_block {
    std::array<std::uint8_t, 2048> bytes{};
    std::size_t used = bytes.size();
};
thread_local random_block block;

void forget_block_in_child() noexcept
{
    block.used = block.bytes.size();
}

bool random_bytes(std::span<std::uint8_t> out)
{
    static const bool registered = ::pthread_atfork(nullptr, nullptr, forget_block_in_child) == 0;
    if (!registered || out.size() > block.bytes.size())
        return RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
    if (block.bytes.size() - block.used < out.size()) {
        if (RAND_bytes(block.bytes.data(), static_cast<int>(block.bytes.size())) != 1) return false;
        block.used = 0;
    }
    std::copy_n(block.bytes.begin() + static_cast<std::ptrdiff_t>(block.used), out.size(),
                out.begin());
    block.used += out.size();
    return true;
}

}  // namespace

boost::system::result<std::string, client_error> make_uuid4()
{
    std::array<std::uint8_t, 16> bytes{};
    if (!random_bytes(bytes)) return no_randomness();
    return format_uuid4(bytes);
}

boost::system::result<std::vector<std::string>, client_error>
make_ids(std::initializer_list<std::string_view> prefixes)
{
    std::vector<std::string> out;
    out.reserve(prefixes.size());
    for (auto prefix : prefixes) {
        std::array<std::uint8_t, 16> bytes{};
        if (!random_bytes(bytes)) return no_randomness();
        // "prefix-uuid", written in place: the id's one allocation.
        std::string id(prefix.size() + 1 + uuid_size, '-');
        std::copy(prefix.begin(), prefix.end(), id.begin());
        write_uuid4(id.data() + prefix.size() + 1, bytes);
        out.push_back(std::move(id));
    }
    return out;
}

boost::system::result<std::string, client_error> make_id(std::string_view prefix)
{
    auto ids = make_ids({prefix});
    if (!ids) return ids.error();
    return std::move(ids->front());
}

bool is_valid_session_id(std::string_view id) noexcept
{
    if (id.empty() || id.size() > 128) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == ':' || c == '-';
    });
}

}  // namespace paymand::payman
