#include "paymand/payman/secret.hpp"

#include <openssl/crypto.h>

#include <cstring>
#include <ostream>
#include <utility>

namespace paymand::payman {

void wipe(char* data, std::size_t size) noexcept
{
    if (data && size) OPENSSL_cleanse(data, size);
}

secret::secret(std::string_view value)
{
    if (value.empty()) return;
    data_ = std::make_unique<char[]>(value.size());
    std::memcpy(data_.get(), value.data(), value.size());
    size_ = value.size();
}

secret::secret(const secret& other) : secret(other.expose()) {}

secret::secret(secret&& other) noexcept
    : data_(std::move(other.data_)), size_(std::exchange(other.size_, 0))
{
}

secret& secret::operator=(const secret& other)
{
    if (this != &other) {
        secret copy(other);
        *this = std::move(copy);
    }
    return *this;
}

secret& secret::operator=(secret&& other) noexcept
{
    if (this != &other) {
        clear();
        data_ = std::move(other.data_);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

secret::~secret()
{
    clear();
}

void secret::clear() noexcept
{
    wipe(data_.get(), size_);
    data_.reset();
    size_ = 0;
}

bool operator==(const secret& a, const secret& b) noexcept
{
    return a.size_ == b.size_ &&
           (a.size_ == 0 || CRYPTO_memcmp(a.data_.get(), b.data_.get(), a.size_) == 0);
}

std::ostream& operator<<(std::ostream& out, const secret&)
{
    return out << "[redacted]";
}

}  // namespace paymand::payman
