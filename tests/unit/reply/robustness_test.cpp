#include "paymand/money/currency.hpp"
#include "paymand/reply/balance.hpp"
#include "paymand/reply/payment.hpp"
#include "paymand/reply/transactions.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace paymand::reply {
namespace {

// Fragments of replies, markdown and hostile bytes, mixed at random: the parsers must never
// crash, and their results must keep their invariants.
const std::vector<std::string> fragments = {"1. ",
                                            "**",
                                            "Operations",
                                            " Wallet",
                                            " (paytag: x)",
                                            "\n",
                                            "   - ",
                                            "Spendable Balance: ",
                                            "$",
                                            "1,000.00",
                                            "-",
                                            "9",
                                            ".",
                                            "5",
                                            " TSD",
                                            " USD",
                                            "Currency: TSD",
                                            "| Wallet | Balance |",
                                            "|---|---|",
                                            "| Ops | 5 TSD |",
                                            "{\"balance\": ",
                                            "1e400",
                                            "}",
                                            "```json\n",
                                            "```",
                                            "\xE2\x88\x92",
                                            "\xC3",
                                            "\xE2\x80\xAE",
                                            "sent ",
                                            "to ",
                                            "John Doe",
                                            " successfully",
                                            "failed",
                                            "flagged for approval",
                                            "?",
                                            "pm:r:20261201T0900",
                                            "2026-12-01",
                                            " memo: ",
                                            "\"",
                                            std::string(1, '\0'),
                                            "99999999999999999999999",
                                            ":",
                                            "|"};

TEST(reply_robustness, random_replies_keep_invariants)
{
    std::mt19937 rng(5);
    std::uniform_int_distribution<std::size_t> pick(0, fragments.size() - 1);
    std::uniform_int_distribution<int> count(0, 40);
    const auto tsd = *money::currency::find("TSD");
    int clear = 0;
    for (int round = 0; round < 5000; ++round) {
        std::string reply;
        for (int n = count(rng); n > 0; --n) reply += fragments[pick(rng)];
        for (auto wallet : {std::optional<std::string>{}, std::optional<std::string>{"Ops"}}) {
            const auto b = read_balance(reply, {wallet, tsd});
            ASSERT_EQ(b.clear(), b.unclear == unclear_balance::none) << reply;
            if (b.clear()) {
                ++clear;
                ASSERT_GE(b.value->minor_units(), 0) << reply;
                ASSERT_LE(b.value->minor_units(), tsd.max_minor()) << reply;
            }
        }
        const auto p = read_payment(reply, "completed");
        ASSERT_EQ(p.outcome == payment_outcome::failed, p.reason != failure_reason::none) << reply;
        ASSERT_FALSE(p.explanation.empty());
        for (const auto& t : read_transactions(reply)) ASSERT_FALSE(t.figure.empty()) << reply;
    }
    EXPECT_GT(clear, 0);
}

}  // namespace
}  // namespace paymand::reply
