// Reading the agent's replies: every payment's reply and every balance condition's reply is
// read on the engine's one thread, so what one reading costs bounds a burst of due rules. The
// replies are the sandbox's (the shapes the burst of bench/run reads) and a longer reply that
// names a failure, where every sentence is checked against every phrase list.

#include "paymand/reply/balance.hpp"
#include "paymand/reply/payment.hpp"

#include <benchmark/benchmark.h>

#include <string_view>

namespace {

using namespace paymand;

constexpr std::string_view paid =
    "Done! I've sent **$1.00 TSD** to **John Doe** from your **Operations** wallet.\n\n"
    "- Remaining spendable balance: $99,967,199.00\n\nAnything else I can help with?";

constexpr std::string_view refused =
    "I wasn't able to send that payment. The transfer of **$250.00 TSD** to **Maria Garcia** "
    "exceeds your available balance in the **Operations** wallet.\n\n"
    "- Spendable balance: $120.00\n- Pending: $0.00\n\n"
    "Would you like me to send a smaller amount instead, or should I try another wallet? "
    "Let me know how you'd like to proceed.";

constexpr std::string_view balance =
    "You have 1 wallet:\n\n| Wallet | Paytag | Currency | Spendable Balance | Pending Balance "
    "|\n|---|---|---|---|---|\n| Operations | operations-tsd | TSD | 99,967,199.00 TSD | 0.00 "
    "TSD |\n\nLet me know if you'd like to send a payment from one of them.";

void read_payment_completed(benchmark::State& state)
{
    for (auto _ : state) benchmark::DoNotOptimize(reply::read_payment(paid, "completed"));
}
BENCHMARK(read_payment_completed);

void read_payment_refused(benchmark::State& state)
{
    for (auto _ : state) benchmark::DoNotOptimize(reply::read_payment(refused, "completed"));
}
BENCHMARK(read_payment_refused);

void read_balance_table(benchmark::State& state)
{
    const reply::balance_query query{.wallet = "Operations",
                                     .currency = *money::currency::find("TSD")};
    for (auto _ : state) benchmark::DoNotOptimize(reply::read_balance(balance, query));
}
BENCHMARK(read_balance_table);

}  // namespace

BENCHMARK_MAIN();
