// `paymand check` and `paymand next` as processes: exit codes, errors with positions, and the
// summary's facts (next occurrences, limits a rule hits alone, scopes).

#include "support/process.hpp"

#include <boost/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace paymand::test {
namespace {

using testing::HasSubstr;
using testing::Not;

class check_next_test : public testing::Test {
protected:
    temp_dir dir;

    // A configuration in UTC with a monthly TSD limit of 1000.00 and the given rules.
    std::string write_setup(std::string_view rules, std::string_view extra_config = {})
    {
        dir.write("rules/main.yaml", rules);
        return dir
            .write("paymand.yaml",
                   "payman:\n  base_url: http://127.0.0.1:9\n  client_id: pm-test-client\n"
                   "rules_directory: rules\nstate_directory: state\ntimezone: UTC\n"
                   "payees: [John Doe]\nlimits:\n  currencies:\n    TSD: {per_transaction: "
                   "1000.00, monthly: 1000.00}\n" +
                       std::string(extra_config))
            .string();
    }

    run_result paymand(std::vector<std::string> args)
    {
        return run(our_binary("paymand"), {.args = std::move(args)});
    }
};

const char* daily_rules = R"(rules:
  - id: daily-john
    schedule: daily at 09:00
    pay: {payee: John Doe, amount: 300.00}
  - id: balance-report
    schedule: monthly on day 1 at 06:00
    report: balance
  - id: off
    enabled: false
    schedule: daily at 10:00
    report: payees
)";

TEST_F(check_next_test, check_summarises_a_valid_configuration)
{
    auto config = write_setup(daily_rules);
    auto r = paymand({"check", "--config", config, "--after", "2027-01-01"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_THAT(r.out, HasSubstr("rules: 3 from 1 file (2 enabled, 1 disabled)"));
    EXPECT_THAT(r.out, HasSubstr("daily-john      2027-01-01 09:00 UTC        "
                                 "2027-01-01T09:00:00Z  pay 300.00 TSD to John Doe"));
    EXPECT_THAT(r.out, HasSubstr("off             disabled"));
    // Alone, 300.00 a day meets the monthly 1000.00 on the fourth payment.
    EXPECT_THAT(r.out, HasSubstr("daily-john      monthly_total.TSD at daily-john@2027-01-04T09:00 "
                                 "(after 3 payments)"));
    EXPECT_THAT(r.out, HasSubstr("write_send_payment        pay rules: daily-john"));
    EXPECT_THAT(r.out, HasSubstr("read_balance              balance conditions and reports: "
                                 "balance-report"));
    EXPECT_THAT(r.out, HasSubstr("read_list_transactions    reconciling in-doubt payments"));
    EXPECT_THAT(r.out, Not(HasSubstr("read_list_payees")));  // only the disabled rule needs it
}

TEST_F(check_next_test, check_quiet_prints_nothing_on_success)
{
    auto config = write_setup(daily_rules);
    auto r = paymand({"check", "--config", config, "--quiet"});
    EXPECT_EQ(r.status.code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "");
}

TEST_F(check_next_test, check_reports_every_rule_error_with_its_position)
{
    auto config = write_setup(R"(rules:
  - id: daily-john
    schedule: daily at 25:00
    pay: {payee: John Doe, amount: 300.00}
  - id: stranger
    schedule: daily at 09:00
    pay: {payee: Eve, amount: 1.00}
)");
    auto r = paymand({"check", "--config", config, "--quiet"});
    EXPECT_EQ(r.status.code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.err, HasSubstr("main.yaml:3:24: error: \"schedule\": hour 25"));
    EXPECT_THAT(r.err, HasSubstr("main.yaml:7:18: error: payee \"Eve\""));
    EXPECT_THAT(r.err, HasSubstr("paymand check: 2 errors"));
}

TEST_F(check_next_test, check_reports_a_configuration_error_with_its_position)
{
    auto config = write_setup(daily_rules, "engine: {concurrency: many}\n");
    auto r = paymand({"check", "--config", config});
    EXPECT_EQ(r.status.code, 1);
    EXPECT_THAT(r.err, HasSubstr("paymand.yaml:11:23: error:"));
}

TEST_F(check_next_test, check_reads_given_rule_paths_instead_of_the_configured_directory)
{
    auto config = write_setup(daily_rules);
    auto other = dir.write("next/other.yaml", R"(rules:
  - id: other
    schedule: daily at 09:00
    pay: {payee: Eve, amount: 1.00}
)");
    auto r = paymand({"check", "--config", config, other.string()});
    EXPECT_EQ(r.status.code, 1);
    EXPECT_THAT(r.err, HasSubstr("other.yaml:4:"));  // Eve is not an allowed payee
    auto alone = paymand({"check", "--no-config", other.string()});
    EXPECT_EQ(alone.status.code, 0) << alone.err;
    EXPECT_THAT(alone.out, HasSubstr("permissive policy"));
    EXPECT_THAT(alone.out, HasSubstr("rules: 1 from 1 file"));
    EXPECT_EQ(paymand({"check", "--no-config"}).status.code, 2);
}

TEST_F(check_next_test, check_of_the_shipped_examples_passes)
{
    auto r = paymand({"check", "--config", source_path("config/paymand.yaml").string(),
                      source_path("rules").string()});
    EXPECT_EQ(r.status.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("rent-john"));
}

TEST_F(check_next_test, next_lists_occurrences_in_order_with_local_and_utc_time)
{
    auto config = write_setup(daily_rules);
    auto r = paymand({"next", "--config", config, "--after", "2027-01-31T12:00:00Z", "-n", "3"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    std::istringstream lines(r.out);
    std::vector<std::string> got;
    for (std::string line; std::getline(lines, line);) got.push_back(line);
    ASSERT_EQ(got.size(), 3u) << r.out;
    EXPECT_THAT(got[0], testing::StartsWith("2027-02-01 06:00 UTC        2027-02-01T06:00:00Z  "
                                            "balance-report@2027-02-01T06:00"));
    EXPECT_THAT(got[1], HasSubstr("daily-john@2027-02-01T09:00"));
    EXPECT_THAT(got[2], HasSubstr("daily-john@2027-02-02T09:00"));
}

TEST_F(check_next_test, next_for_one_rule_as_json)
{
    auto config = write_setup(daily_rules);
    auto r = paymand({"next", "--config", config, "--rule", "balance-report", "--after",
                      "2027-01-01", "-n", "2", "--json"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    std::istringstream lines(r.out);
    std::string first;
    std::getline(lines, first);
    auto v = boost::json::parse(first).as_object();
    EXPECT_EQ(v.at("occurrence").as_string(), "balance-report@2027-01-01T06:00");
    EXPECT_EQ(v.at("utc").as_string(), "2027-01-01T06:00:00Z");
    EXPECT_EQ(v.at("zone").as_string(), "UTC");
}

TEST_F(check_next_test, next_refuses_an_unknown_or_disabled_rule)
{
    auto config = write_setup(daily_rules);
    EXPECT_EQ(paymand({"next", "--config", config, "--rule", "nope"}).status.code, 1);
    EXPECT_EQ(paymand({"next", "--config", config, "--rule", "off"}).status.code, 1);
    EXPECT_EQ(paymand({"next", "--config", config, "--after", "tomorrow"}).status.code, 2);
}

}  // namespace
}  // namespace paymand::test
