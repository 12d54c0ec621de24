// Fuzzes the balance reply reader: any bytes as an agent's reply, read for the default
// wallet and for a named one. Promise: a reading has a value exactly when it is clear, never
// a negative one, and every figure extracted is bounded text.

#include "fuzz_support.hpp"
#include "paymand/reply/balance.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace paymand;
    auto text = fuzz::as_text(data, size);
    static const auto tsd = *money::currency::find("TSD");
    static const auto usd = *money::currency::find("USD");
    (void)reply::extract_balances(text);
    for (const auto& query :
         {reply::balance_query{std::nullopt, tsd}, reply::balance_query{std::string("Main"), tsd},
          reply::balance_query{std::string("Operations"), usd}}) {
        auto r = reply::read_balance(text, query);
        fuzz::require(r.clear() == (r.unclear == reply::unclear_balance::none),
                      "a reading has a value exactly when it is clear");
        fuzz::require(!r.explanation.empty(), "a reading explains itself");
        if (r.value) {
            fuzz::require(r.value->minor_units() >= 0, "a clear balance is never negative");
            fuzz::require(r.value->unit() == query.currency,
                          "a clear balance is in the asked currency");
        }
    }
    return 0;
}
