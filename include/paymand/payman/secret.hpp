#pragma once

// A credential held in memory: client secrets, access and refresh tokens, authorization codes.

#include <fmt/format.h>

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string_view>

namespace paymand::payman {

// Owns a copy of a secret value. It never prints its content (operator<< and fmt both give
// "[redacted]"), compares in constant time, and wipes its memory with OPENSSL_cleanse when
// it is replaced or destroyed. The only way to read the value is the loudly named expose(),
// used where the value must go on the wire.
class secret {
public:
    secret() = default;
    explicit secret(std::string_view value);
    secret(const secret& other);
    secret(secret&& other) noexcept;
    secret& operator=(const secret& other);
    secret& operator=(secret&& other) noexcept;
    ~secret();

    std::string_view expose() const noexcept { return {data_.get(), size_}; }
    bool empty() const noexcept { return size_ == 0; }
    std::size_t size() const noexcept { return size_; }
    // Wipes and forgets the value.
    void clear() noexcept;

    friend bool operator==(const secret& a, const secret& b) noexcept;

private:
    std::unique_ptr<char[]> data_;
    std::size_t size_ = 0;
};

std::ostream& operator<<(std::ostream& out, const secret&);

// Overwrites a buffer that held secret bytes (a header value, a base64 temporary).
void wipe(char* data, std::size_t size) noexcept;

}  // namespace paymand::payman

template <>
struct fmt::formatter<paymand::payman::secret> : fmt::formatter<std::string_view> {
    template <class FormatContext>
    auto format(const paymand::payman::secret&, FormatContext& ctx) const
    {
        return fmt::formatter<std::string_view>::format("[redacted]", ctx);
    }
};
