#pragma once

// The currencies the money tests compute in: TSD (the sandbox's test currency, 2 decimals)
// and USD.

#include "paymand/money/amount.hpp"

namespace paymand::test {

inline money::currency tsd()
{
    return *money::currency::find("TSD");
}

inline money::currency usd()
{
    return *money::currency::find("USD");
}

}  // namespace paymand::test
