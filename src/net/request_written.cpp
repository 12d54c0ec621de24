#include "request_written.hpp"

#include "paymand/core/crash_point.hpp"

namespace paymand::net::detail {

void request_written() noexcept
{
    PAYMAND_CRASH_POINT("request_written");
}

}  // namespace paymand::net::detail
