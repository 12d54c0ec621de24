// Fuzzes the transaction listing reader. Promises: entries come in line order, each has a
// figure, and an amount, when read, is positive (the sign is in the direction).

#include "fuzz_support.hpp"
#include "paymand/reply/transactions.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace paymand;
    auto entries = reply::read_transactions(fuzz::as_text(data, size));
    std::size_t line = 0;
    for (const auto& e : entries) {
        fuzz::require(!e.figure.empty(), "an entry has a figure");
        fuzz::require(e.line >= 1 && e.line >= line, "entries come in line order");
        line = e.line;
        if (e.amount) fuzz::require(e.amount->minor_units() >= 0, "amounts are never negative");
        if (e.date) fuzz::require(e.date->ok(), "a date read is a real date");
    }
    return 0;
}
