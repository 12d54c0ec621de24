#include "paymand/money/parse.hpp"
#include "paymand/reply/balance.hpp"
#include "paymand/reply/reply_text.hpp"
#include "unit/reply/fixture.hpp"

#include <gtest/gtest.h>

#include <ostream>

namespace paymand::reply {
namespace {

struct balance_case {
    const char* file;
    std::optional<std::string> wallet;
    const char* currency;
    const char* expected;  // decimal text when clear
    unclear_balance unclear;

    friend std::ostream& operator<<(std::ostream& os, const balance_case& c)
    {
        return os << c.file;
    }
};

class balance_fixture : public testing::TestWithParam<balance_case> {};

TEST_P(balance_fixture, reads_as_expected)
{
    const auto& c = GetParam();
    const std::string reply = test::fixture(c.file);
    ASSERT_FALSE(reply.empty()) << c.file;
    const auto unit = *money::currency::find(c.currency);
    const auto reading = read_balance(reply, {c.wallet, unit});
    EXPECT_EQ(reading.unclear, c.unclear) << reading.explanation;
    if (c.unclear == unclear_balance::none) {
        ASSERT_TRUE(reading.value) << reading.explanation;
        EXPECT_EQ(*reading.value, *money::parse_amount(c.expected, unit));
    } else {
        EXPECT_FALSE(reading.value);
        EXPECT_FALSE(reading.explanation.empty());
    }
}

// The enumerators' names, unqualified, for this table only.
namespace balance_table {
using enum unclear_balance;
const balance_case balance_cases[] = {
    {"balance_payman_doc_list.md", "Operations", "TSD", "1000.00", none},
    {"balance_payman_doc_list.md", "Savings", "TSD", "250.50", none},
    {"balance_payman_doc_list.md", "operations wallet", "TSD", "1000.00", none},
    {"balance_payman_doc_list.md", std::nullopt, "TSD", "", ambiguous_wallet},
    {"balance_single_wallet_list.md", std::nullopt, "TSD", "1000.00", none},
    {"balance_sentence.md", std::nullopt, "TSD", "1234.56", none},
    {"balance_named_sentence.md", "Operations", "TSD", "500.00", none},
    {"balance_table.md", "Operations", "TSD", "1500.00", none},
    {"balance_table.md", "Payroll", "USD", "300.00", none},
    {"balance_table.md", "Payroll", "TSD", "", other_currency},
    {"balance_table.md", std::nullopt, "TSD", "1500.00", none},
    {"balance_bold.md", std::nullopt, "TSD", "750.25", none},
    {"balance_json.json", "Operations", "TSD", "1000.50", none},
    {"balance_json.json", "Payroll", "USD", "2000.00", none},
    {"balance_json_fenced.md", "Operations", "TSD", "812.40", none},
    {"balance_hostile_two_balances.md", std::nullopt, "TSD", "", conflicting_figures},
    {"balance_hostile_injection.md", "Operations", "TSD", "", conflicting_figures},
    {"balance_hostile_injection.md", std::nullopt, "TSD", "", conflicting_figures},
    {"balance_other_currency.md", std::nullopt, "TSD", "", other_currency},
    {"balance_huge.md", std::nullopt, "TSD", "", malformed_figure},
    {"balance_negative.md", std::nullopt, "TSD", "", negative},
    {"balance_missing.md", std::nullopt, "TSD", "", no_figure},
    {"balance_no_currency.md", std::nullopt, "TSD", "", currency_not_stated},
    {"balance_wallet_not_found.md", "Operations", "TSD", "", wallet_not_found},
    {"balance_ambiguous_wallets.md", std::nullopt, "TSD", "", ambiguous_wallet},
    {"balance_ambiguous_wallets.md", "Reserve", "TSD", "4000.00", none},
    {"balance_too_many_decimals.md", std::nullopt, "TSD", "", malformed_figure},
    {"balance_pending_only.md", std::nullopt, "TSD", "", no_figure},
    {"balance_unnamed_for_asked_wallet.md", "Operations", "TSD", "", unnamed_wallet},
    {"balance_unnamed_for_asked_wallet.md", std::nullopt, "TSD", "400.00", none},
    {"balance_mixed_currency_list.md", std::nullopt, "TSD", "640.00", none},
    {"balance_mixed_currency_list.md", std::nullopt, "USD", "90.00", none},
    {"balance_available_sentence.md", "Operations", "TSD", "2500.00", none},
    {"balance_sandbox_list.md", "Operations", "TSD", "1000.00", none},
    {"balance_sandbox_list.md", std::nullopt, "TSD", "1000.00", none},
    {"balance_sandbox_table.md", "Operations", "TSD", "1000.00", none},
    {"balance_sandbox_table.md", "Payroll", "USD", "250.00", none},
    {"balance_sandbox_table.md", std::nullopt, "TSD", "1000.00", none},
    {"balance_sandbox_bullets.md", "Operations", "TSD", "1000.00", none},
    {"balance_sandbox_bullets.md", "Payroll", "USD", "250.00", none},
    {"balance_sandbox_bullets.md", "Payroll", "TSD", "", other_currency},
};
}  // namespace balance_table

INSTANTIATE_TEST_SUITE_P(replies, balance_fixture, testing::ValuesIn(balance_table::balance_cases),
                         [](const testing::TestParamInfo<balance_case>& info) {
                             std::string name = info.param.file;
                             name = name.substr(0, name.find('.'));
                             return name + "_" + std::to_string(info.index);
                         });

TEST(balance_extract, payman_list_attributes_figures_to_wallets_and_kinds)
{
    const auto entries = extract_balances(test::fixture("balance_payman_doc_list.md"));
    ASSERT_EQ(entries.size(), 4u);
    EXPECT_EQ(entries[0].wallet, "Operations Wallet");
    EXPECT_EQ(entries[0].currency, "TSD");
    EXPECT_EQ(entries[0].figure, "1,000.00");
    EXPECT_EQ(entries[0].kind, balance_kind::spendable);
    EXPECT_EQ(entries[1].kind, balance_kind::pending);
    EXPECT_EQ(entries[3].wallet, "Savings");
    EXPECT_EQ(entries[2].line, 9u);
    EXPECT_EQ(entries[3].kind, balance_kind::pending);
}

TEST(balance_extract, json_numbers_keep_their_source_text)
{
    const auto entries = extract_balances(R"({"currency":"TSD","balance":0.1})");
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].figure, "0.1");
}

TEST(balance_read, same_figure_twice_is_not_a_conflict)
{
    const auto tsd = *money::currency::find("TSD");
    auto r = read_balance("Your TSD wallet balance is 80.00 TSD. Again: your balance is 80 TSD.",
                          {std::nullopt, tsd});
    ASSERT_TRUE(r.clear()) << r.explanation;
    EXPECT_EQ(r.value->minor_units(), 8000);
}

TEST(balance_read, reply_longer_than_limit_is_unclear)
{
    const auto tsd = *money::currency::find("TSD");
    std::string reply = "Your TSD wallet balance is 1.00 TSD. ";
    reply.append(max_reply_bytes, 'x');
    EXPECT_EQ(read_balance(reply, {std::nullopt, tsd}).unclear, unclear_balance::reply_too_long);
}

TEST(balance_read, empty_reply_has_no_figure)
{
    const auto tsd = *money::currency::find("TSD");
    EXPECT_EQ(read_balance("", {std::nullopt, tsd}).unclear, unclear_balance::no_figure);
}

TEST(balance_read, dates_and_counts_are_not_balances)
{
    const auto tsd = *money::currency::find("TSD");
    auto r = read_balance("As of 2026-12-01 09:00 you have 3 wallets. Your TSD wallet balance is "
                          "42.00 TSD.",
                          {std::nullopt, tsd});
    ASSERT_TRUE(r.clear()) << r.explanation;
    EXPECT_EQ(r.value->minor_units(), 4200);
}

}  // namespace
}  // namespace paymand::reply

namespace paymand::reply {
namespace {

const money::currency tsd_unit = *money::currency::find("TSD");

TEST(balance_read, short_capitalised_wallet_names_are_wallets_not_currencies)
{
    for (std::string name : {"Main", "Ops", "Rent", "Primary"}) {
        auto r = read_balance("The balance of the " + name + " wallet is **1000.00 TSD**.",
                              {name, tsd_unit});
        ASSERT_TRUE(r.clear()) << name << ": " << r.explanation;
        EXPECT_EQ(money::format_decimal(*r.value), "1000.00");
    }
}

TEST(balance_read, a_currency_code_before_wallet_names_no_wallet)
{
    auto r = read_balance("Your TSD wallet balance is 80.00 TSD.", {std::nullopt, tsd_unit});
    ASSERT_TRUE(r.clear()) << r.explanation;
    EXPECT_EQ(money::format_decimal(*r.value), "80.00");
}

}  // namespace
}  // namespace paymand::reply
