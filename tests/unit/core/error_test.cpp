#include "paymand/core/error.hpp"

#include <boost/system/errc.hpp>

#include <gtest/gtest.h>

namespace {

using paymand::core::error;
using paymand::core::error_exception;
using paymand::core::result;

result<int> refuse()
{
    return error{make_error_code(boost::system::errc::invalid_argument), 7,
                 "minute 75 is out of range"};
}

}  // namespace

TEST(core_error, value_of_an_error_throws_the_message_and_keeps_the_error)
{
    auto r = refuse();
    try {
        (void)r.value();
        FAIL() << "value() returned";
    } catch (const error_exception& e) {
        EXPECT_STREQ(e.what(), "minute 75 is out of range");
        EXPECT_EQ(e.error().code, boost::system::errc::invalid_argument);
        EXPECT_EQ(e.error().offset, 7u);
    }
}
