#include "paymand/payman/ids.hpp"

#include <openssl/rand.h>

#include <algorithm>

namespace paymand::payman {

std::string format_uuid4(std::array<std::uint8_t, 16> b)
{
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(hex[b[i] >> 4]);
        out.push_back(hex[b[i] & 0x0F]);
    }
    return out;
}

namespace {

client_error no_randomness()
{
    return client_error{.kind = error_class::not_sent,
                        .code = payman_errc::internal,
                        .message = "OpenSSL's random generator failed to make an id"};
}

}  // namespace

boost::system::result<std::string, client_error> make_uuid4()
{
    std::array<std::uint8_t, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return no_randomness();
    return format_uuid4(bytes);
}

boost::system::result<std::vector<std::string>, client_error>
make_ids(std::initializer_list<std::string_view> prefixes)
{
    std::vector<std::uint8_t> random(prefixes.size() * 16);
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) return no_randomness();
    std::vector<std::string> out;
    out.reserve(prefixes.size());
    std::size_t at = 0;
    for (auto prefix : prefixes) {
        std::array<std::uint8_t, 16> bytes{};
        std::copy_n(random.begin() + static_cast<std::ptrdiff_t>(at), bytes.size(), bytes.begin());
        at += bytes.size();
        out.push_back(std::string(prefix) + "-" + format_uuid4(bytes));
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
