#pragma once

#include <cstddef>

namespace paymand::reply {

// Replies longer than this are not read at all (a huge body is itself a sign of trouble).
inline constexpr std::size_t max_reply_bytes = 64 * 1024;

}  // namespace paymand::reply
