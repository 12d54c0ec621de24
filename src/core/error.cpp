#include "paymand/core/error.hpp"

#include <boost/throw_exception.hpp>

#include <utility>

namespace paymand::core {

error_exception::error_exception(core::error e)
    : std::runtime_error(e.message), error_(std::move(e))
{
}

void throw_exception_from_error(const error& e, const boost::source_location& loc)
{
    boost::throw_exception(error_exception(e), loc);
}

}  // namespace paymand::core
