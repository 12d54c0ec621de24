// `paymand check` and `paymand next` as processes: exit codes, errors with positions, and the
// summary's facts (next occurrences, limits a rule hits alone, scopes).

#include "paymand/audit/file_audit_store.hpp"
#include "paymand/money/parse.hpp"
#include "support/manual_clock.hpp"
#include "support/process.hpp"

#include <boost/json.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace paymand::test {
namespace {

using testing::HasSubstr;
using testing::Not;

class check_next_test : public testing::Test {
protected:
    temp_dir dir;

    // A configuration in UTC with a monthly TSD limit of 1000.00 and the given rules.
    std::string write_setup(std::string_view rules, std::string_view extra_config = {},
                            std::string_view zone = "UTC")
    {
        dir.write("rules/main.yaml", rules);
        return dir
            .write("paymand.yaml",
                   "payman:\n  base_url: http://127.0.0.1:9\n  client_id: pm-test-client\n"
                   "rules_directory: rules\nstate_directory: state\ntimezone: " +
                       std::string(zone) +
                       "\npayees: [John Doe]\nlimits:\n  currencies:\n    TSD: {per_transaction: "
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
    EXPECT_THAT(r.out, HasSubstr("read_list_transactions    confirming payments and reconciling"));
    EXPECT_THAT(r.out, Not(HasSubstr("read_list_payees")));  // only the disabled rule needs it
}

// Issue 18, item 8: `check --json` gives the same facts as one object for scripts.
TEST_F(check_next_test, check_json_gives_rules_limits_and_scopes_or_the_errors_with_positions)
{
    auto config = write_setup(daily_rules);
    auto r = paymand({"check", "--config", config, "--after", "2027-01-01", "--json"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    auto out = boost::json::parse(r.out).as_object();
    EXPECT_EQ(out.at("ok").as_bool(), true);
    const auto& rules = out.at("rules").as_array();
    ASSERT_EQ(rules.size(), 3u);
    EXPECT_EQ(rules.at(0).at("id").as_string(), "daily-john");
    EXPECT_EQ(rules.at(0).at("next_utc").as_string(), "2027-01-01T09:00:00Z");
    EXPECT_EQ(rules.at(0).at("normalised").as_string(), "0 9 * * *");
    EXPECT_EQ(rules.at(0).at("limit_alone").at("limit").as_string(), "monthly_total.TSD");
    EXPECT_EQ(rules.at(0).at("limit_alone").at("paid_before").as_int64(), 3);
    EXPECT_TRUE(rules.at(2).at("next_utc").is_null());  // disabled
    EXPECT_EQ(out.at("scopes").at(0).at("scope").as_string(), "write_send_payment");

    write_setup("rules:\n  - id: daily-john\n    schedule: daily at 25:00\n    pay: {payee: "
                "John Doe, amount: 300.00}\n");
    auto bad = paymand({"check", "--config", config, "--json"});
    EXPECT_EQ(bad.status.code, 1);
    auto errors = boost::json::parse(bad.out).as_object();
    EXPECT_EQ(errors.at("ok").as_bool(), false);
    const auto& e = errors.at("errors").at(0);
    EXPECT_THAT(std::string(e.at("file").as_string()), testing::EndsWith("main.yaml"));
    EXPECT_EQ(e.at("line").as_int64(), 3);
    EXPECT_EQ(e.at("column").as_int64(), 24);
    EXPECT_THAT(std::string(e.at("message").as_string()), HasSubstr("hour 25"));
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

TEST_F(check_next_test, check_accepts_and_validates_an_ha_section)
{
    auto good = write_setup(daily_rules, "ha:\n  conninfo: {file: /etc/paymand/db}\n  node: n1\n");
    auto r = paymand({"check", "--config", good});
    EXPECT_EQ(r.status.code, 0) << r.err;
    auto bad = write_setup(daily_rules, "ha:\n  conninfo: dbname=p\n  node: n1\n  renew: 6s\n");
    auto refused = paymand({"check", "--config", bad});
    EXPECT_EQ(refused.status.code, 1);
    EXPECT_THAT(refused.err, HasSubstr("paymand.yaml:14:10: error: ha.lease (10s) must be at least "
                                       "twice ha.renew (6s)"));
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

std::vector<std::string> lines_of(const std::string& text)
{
    std::istringstream in(text);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// The occurrence lines of `next`: those after the header row that starts with "local".
std::vector<std::string> occurrence_lines(const std::string& text)
{
    auto all = lines_of(text);
    auto header = std::find_if(all.begin(), all.end(),
                               [](const std::string& l) { return l.rfind("local ", 0) == 0; });
    if (header == all.end()) return {};
    return {header + 1, all.end()};
}

TEST_F(check_next_test, next_lists_occurrences_in_order_with_local_and_utc_time)
{
    auto config = write_setup(daily_rules);
    auto r = paymand({"next", "--config", config, "--after", "2027-01-31T12:00:00Z", "-n", "3"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    // The schedules first, as written and normalised, then a header row.
    auto all = lines_of(r.out);
    ASSERT_GE(all.size(), 8u) << r.out;
    EXPECT_EQ(all[0], "rule            zone  schedule (as written)      normalised");
    EXPECT_EQ(all[1], "daily-john      UTC   daily at 09:00             0 9 * * *");
    EXPECT_EQ(all[2], "balance-report  UTC   monthly on day 1 at 06:00  0 6 1 * *");
    EXPECT_EQ(all[3], "");
    EXPECT_THAT(all[4], testing::MatchesRegex("local +UTC +in +occurrence +does"));
    auto got = occurrence_lines(r.out);
    ASSERT_EQ(got.size(), 3u) << r.out;
    EXPECT_THAT(got[0], testing::StartsWith("2027-02-01 06:00 UTC        2027-02-01T06:00:00Z  "
                                            "in 18 h         balance-report@2027-02-01T06:00"));
    EXPECT_THAT(got[1], HasSubstr("in 21 h         daily-john@2027-02-01T09:00"));
    EXPECT_THAT(got[2], HasSubstr("in 1 d 21 h     daily-john@2027-02-02T09:00"));
}

TEST_F(check_next_test, next_after_an_instant_excludes_an_occurrence_at_exactly_that_instant)
{
    auto config = write_setup(daily_rules);
    auto r = paymand({"next", "--config", config, "--after", "2027-02-01T06:00:00Z", "-n", "1"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    auto got = occurrence_lines(r.out);
    ASSERT_EQ(got.size(), 1u) << r.out;
    EXPECT_THAT(got[0], HasSubstr("in 3 h          daily-john@2027-02-01T09:00"));
}

TEST_F(check_next_test, next_after_a_date_whose_midnight_does_not_exist_starts_after_the_gap)
{
    // America/Santiago moves from -04 to -03 at 24:00 on Saturday 2026-09-05: local midnight
    // of 2026-09-06 does not exist, and that day begins at 04:00 UTC (01:00 -03). Its 00:30,
    // in the gap, fires at 04:30 UTC (read with -04), half an hour after the day begins.
    auto config = write_setup(R"(rules:
  - id: santiago
    schedule: daily at 00:30
    report: balance
)",
                              "", "America/Santiago");
    auto r = paymand({"next", "--config", config, "--after", "2026-09-06", "-n", "1"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    auto got = occurrence_lines(r.out);
    ASSERT_EQ(got.size(), 1u) << r.out;
    EXPECT_THAT(got[0], testing::StartsWith("2026-09-06 01:30 -03        2026-09-06T04:30:00Z  "
                                            "in 30 min       santiago@2026-09-06T00:30"));
}

TEST_F(check_next_test, next_lists_past_2037_in_every_zone_and_for_every_rule)
{
    // America/Nuuk's listed transitions end before 2037; before the TZif footer was read,
    // next stopped at 2037-01-01 for every rule of the set and still exited 0.
    auto config = write_setup(R"(rules:
  - id: payroll-nuuk
    schedule: biweekly on fri at 09:00 from 2026-12-04
    timezone: America/Nuuk
    pay: {payee: John Doe, amount: 300.00}
  - id: daily-utc
    schedule: daily at 09:00
    report: balance
)");
    auto r = paymand({"next", "--config", config, "--after", "2036-12-20", "-n", "40"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    auto got = occurrence_lines(r.out);
    ASSERT_EQ(got.size(), 40u) << r.out;
    EXPECT_THAT(r.out, HasSubstr("payroll-nuuk@2037-01-02T09:00"));
    EXPECT_THAT(r.out, HasSubstr("payroll-nuuk@2037-01-16T09:00"));
    EXPECT_THAT(r.out, HasSubstr("daily-utc@2037-01-26T09:00"));
    // Summer 2040 in Nuuk is -01 (footer rule <-02>2<-01>,M3.5.0/-1,M10.5.0/0).
    auto summer = paymand({"next", "--config", config, "--rule", "payroll-nuuk", "--after",
                           "2040-07-01", "-n", "1", "--json"});
    ASSERT_EQ(summer.status.code, 0) << summer.err;
    auto v = boost::json::parse(summer.out).as_object();
    EXPECT_EQ(v.at("occurrence").as_string(), "payroll-nuuk@2040-07-13T09:00");
    EXPECT_EQ(v.at("utc").as_string(), "2040-07-13T10:00:00Z");
    EXPECT_EQ(v.at("schedule").as_string(), "biweekly on fri at 09:00 from 2026-12-04");
    EXPECT_EQ(v.at("normalised").as_string(), "0 9 * * FRI every=2w from=2026-12-04");
    EXPECT_EQ(v.at("in_seconds").as_int64(), 12 * 86400 + 10 * 3600);
}

TEST_F(check_next_test, check_prints_each_schedule_as_written_and_normalised)
{
    auto config = write_setup(R"(rules:
  - id: payroll
    schedule: every 2 weeks on fri at 09:00 from 2026-12-04
    pay: {payee: John Doe, amount: 300.00}
  - id: tenner
    schedule: every 10 days at 08:30 from 2026-12-04
    report: balance
)");
    auto r = paymand({"check", "--config", config, "--after", "2026-12-05"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("payroll  UTC   every 2 weeks on fri at 09:00 from 2026-12-04  "
                                 "0 9 * * FRI every=2w from=2026-12-04"));
    EXPECT_THAT(r.out, HasSubstr("tenner   UTC   every 10 days at 08:30 from 2026-12-04         "
                                 "30 8 * * * every=10d from=2026-12-04"));
    EXPECT_THAT(r.out, HasSubstr("payroll  2026-12-18 09:00 UTC"));
    EXPECT_THAT(r.out, HasSubstr("tenner   2026-12-14 08:30 UTC"));
}

TEST_F(check_next_test, check_points_a_refused_fortnight_to_the_anchored_form)
{
    auto config = write_setup(R"(rules:
  - id: payroll
    schedule: biweekly on fri at 09:00
    pay: {payee: John Doe, amount: 300.00}
)");
    auto r = paymand({"check", "--config", config, "--quiet"});
    EXPECT_EQ(r.status.code, 1);
    EXPECT_THAT(r.err, HasSubstr("main.yaml:3:15: error: \"schedule\": an interval of weeks needs "
                                 "the date it counts from"));
    EXPECT_THAT(r.err, HasSubstr("`biweekly on fri at 09:00 from 2026-12-04`"));
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

// Issue 15 item 5: `check` says before a reload that an edit makes a rule due again inside the
// period of a payment it already made, in the daemon's words.
TEST_F(check_next_test, check_says_an_edit_would_be_refused_as_already_paid_this_period)
{
    auto config = write_setup(R"(rules:
  - id: rent
    schedule: daily at 10:00
    pay: {payee: John Doe, amount: 100.00}
)");
    // The daemon ran the 09:00 definition and paid it today at 09:00.
    std::filesystem::create_directories(dir.path() / "state");
    audit::file_audit_store store(
        {.log_path = dir.path() / "state" / "audit.jsonl",
         .lock_path = {},
         .dry_run = false,
         .clock = test::clock_at(std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} +
                                 std::chrono::hours{8})});
    ASSERT_TRUE(store.lock());
    audit::audit_projection projection;
    ASSERT_TRUE(store.replay(projection));
    const audit::occurrence_ref paid{"rent", "rent@2026-12-01T09:00",
                                     std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} +
                                         std::chrono::hours{9}};
    const std::vector<audit::record_body> batch = {
        audit::rules_loaded_record{.rules = {{"rent", std::string(64, 'a')}}},
        audit::intent_record{.ref = paid,
                             .payee = "John Doe",
                             .amount = money::parse_amount("100.00", "TSD").value(),
                             .idempotency_key = "pm-1",
                             .prompt = "send"},
        audit::result_record{
            .ref = paid, .outcome = audit::outcome::completed, .excerpt = "Sent."}};
    ASSERT_TRUE(store.append(batch));

    auto r = paymand({"check", "--config", config, "--after", "2026-12-01T08:30:00Z"});
    ASSERT_EQ(r.status.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("rule rent changed; it paid 100.00 TSD to John Doe for "
                                 "rent@2026-12-01T09:00; its new schedule is due again at "
                                 "rent@2026-12-01T10:00, which will be refused "
                                 "(already_paid_this_period)"));
    // The next day is another period: nothing to say.
    auto tomorrow = paymand({"check", "--config", config, "--after", "2026-12-01T12:00:00Z"});
    ASSERT_EQ(tomorrow.status.code, 0) << tomorrow.err;
    EXPECT_THAT(tomorrow.out, Not(HasSubstr("which will be refused")));
}

}  // namespace
}  // namespace paymand::test
