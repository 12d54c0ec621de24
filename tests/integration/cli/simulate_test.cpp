// `paymand simulate` as a process: verdicts per occurrence, totals, formats and bad input.

#include "support/process.hpp"

#include <boost/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace paymand::test {
namespace {

using testing::HasSubstr;

class simulate_test : public testing::Test {
protected:
    temp_dir dir;
    std::string config;

    void SetUp() override
    {
        dir.write("rules/main.yaml", R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    when: {balance: {wallet: Main, min_remaining: 200}}
    pay: {payee: John Doe, amount: 700.00, wallet: Main}
  - id: weekly
    schedule: weekly on mon at 10:00
    pay: {payee: "Acme, Ltd.", amount: 150.00}
  - id: report
    schedule: monthly on day 2 at 06:00
    report: balance
)");
        config = dir.write("paymand.yaml",
                           "payman:\n  base_url: http://127.0.0.1:9\n  client_id: pm-test-client\n"
                           "rules_directory: rules\nstate_directory: state\ntimezone: UTC\n"
                           "payees: [John Doe, \"Acme, Ltd.\"]\nwallets: [Main]\n"
                           "limits:\n  currencies:\n"
                           "    TSD: {per_transaction: 1000.00, monthly: 1200.00}\n")
                     .string();
    }

    run_result simulate(std::vector<std::string> extra)
    {
        std::vector<std::string> args{"simulate",   "--config", config,      "--from",
                                      "2027-01-01", "--to",     "2027-02-28"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run(our_binary("paymand"), {.args = std::move(args)});
    }
};

TEST_F(simulate_test, tells_each_occurrence_and_totals_as_a_table)
{
    auto r = simulate({"--balance", "1000.00"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("2027-01-01T09:00:00Z  rent@2027-01-01T09:00"));
    EXPECT_THAT(r.out, HasSubstr("would pay 700.00 TSD to John Doe"));
    // January: rent 700 + weekly 150 x3 = 1150; the 4th Monday would make 1300 > 1200.
    EXPECT_THAT(r.out, HasSubstr("weekly@2027-01-25T10:00                   refused by limit "
                                 "monthly_total.TSD"));
    EXPECT_THAT(r.out, HasSubstr("report@2027-01-02T06:00                   report:"));
    EXPECT_THAT(r.out, HasSubstr("totals per month:\n  2027-01"));
}

TEST_F(simulate_test, without_balances_every_condition_is_unclear_and_not_met)
{
    auto r = simulate({"--format", "json"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    auto doc = boost::json::parse(r.out).as_object();
    for (const auto& o : doc.at("occurrences").as_array()) {
        if (o.at("rule").as_string() == "rent") {
            EXPECT_EQ(o.at("verdict").as_string(), "condition");
            EXPECT_THAT(std::string(o.at("detail").as_string()), HasSubstr("unclear"));
        }
    }
}

TEST_F(simulate_test, json_and_csv_carry_the_same_decisions)
{
    auto json = simulate({"--balance", "1000.00", "--format", "json"});
    auto csv = simulate({"--balance", "1000.00", "--format", "csv"});
    ASSERT_EQ(json.status.code, 0) << json.err;
    ASSERT_EQ(csv.status.code, 0) << csv.err;
    auto doc = boost::json::parse(json.out).as_object();
    const auto& occurrences = doc.at("occurrences").as_array();
    // One CSV line per occurrence plus the header.
    EXPECT_EQ(static_cast<std::size_t>(std::count(csv.out.begin(), csv.out.end(), '\n')),
              occurrences.size() + 1);
    EXPECT_THAT(csv.out,
                HasSubstr(",weekly@2027-01-04T10:00,weekly,pay,\"Acme, Ltd.\",150.00,TSD,,"));
    const auto& per_currency = doc.at("per_currency").as_array();
    ASSERT_EQ(per_currency.size(), 1u);
    EXPECT_EQ(per_currency[0].at("currency").as_string(), "TSD");
    // Jan 700 + 450, Feb 700 + 450 (4th Monday refused each month).
    EXPECT_EQ(per_currency[0].at("amount").as_string(), "2300.00");
    EXPECT_EQ(doc.at("counts").at("pay").as_int64(), 8);
}

TEST_F(simulate_test, a_balances_file_names_wallets_and_its_errors_have_positions)
{
    auto good = dir.write("balances.yaml", "Main: 850.00\ndefault: 0\n");
    auto r = simulate({"--balances", good.string(), "--format", "json"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("\"verdict\":\"condition\""));  // 850 - 700 < 200
    auto bad = dir.write("bad.yaml", "Main: 850.00\nSavings: lots\n");
    auto e = simulate({"--balances", bad.string()});
    EXPECT_EQ(e.status.code, 1);
    EXPECT_THAT(e.err, HasSubstr("bad.yaml:2:10: error: balance \"lots\""));
}

TEST_F(simulate_test, refuses_bad_periods_and_amounts)
{
    EXPECT_EQ(run(our_binary("paymand"), {.args = {"simulate", "--config", config, "--from",
                                                   "2027-03-01", "--to", "2027-01-01"}})
                  .status.code,
              2);
    EXPECT_EQ(simulate({"--balance", "-5"}).status.code, 2);
    EXPECT_EQ(simulate({"--balance", "1", "--balances", "x.yaml"}).status.code, 2);
}

}  // namespace
}  // namespace paymand::test
