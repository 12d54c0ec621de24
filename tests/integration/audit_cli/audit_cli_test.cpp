// `paymand audit verify|tail|report` end to end as processes, on audit logs written here through
// the real file_audit_store: output, JSON shape, exit codes, following a growing log.

#include "paymand/audit/file_audit_store.hpp"
#include "paymand/audit/projection.hpp"
#include "paymand/money/currency.hpp"
#include "support/manual_clock.hpp"
#include "support/process.hpp"

#include <boost/json/parse.hpp>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <sstream>

namespace paymand::test {
namespace {

namespace json = boost::json;
using namespace audit;
using ::testing::HasSubstr;
using ::testing::Not;

money::amount amount(std::string_view code, std::int64_t minor)
{
    return money::amount(*money::currency::find(code), minor);
}

occurrence_ref occ(std::string rule, int month, int day)
{
    const auto utc = std::chrono::sys_days{std::chrono::year{2026} /
                                           std::chrono::month{static_cast<unsigned>(month)} /
                                           static_cast<unsigned>(day)} +
                     std::chrono::hours{9};
    std::string id = rule + "@2026-" + (month < 10 ? "0" : "") + std::to_string(month) + "-" +
                     (day < 10 ? "0" : "") + std::to_string(day) + "T10:00";
    return {std::move(rule), std::move(id), utc};
}

intent_record intent(const occurrence_ref& ref, money::amount a, std::string payee)
{
    return intent_record{.ref = ref,
                         .payee = std::move(payee),
                         .amount = a,
                         .wallet = "Main",
                         .memo = "pm:" + ref.rule,
                         .idempotency_key = "paymand:" + ref.occurrence,
                         .prompt = "send it"};
}

result_record completed(const occurrence_ref& ref)
{
    return result_record{.ref = ref,
                         .outcome = outcome::completed,
                         .task_id = "tsk-" + ref.rule,
                         .state = "completed",
                         .reason = std::nullopt,
                         .excerpt = "Sent."};
}

// Appends `batch` to the log at `path` through the store the daemon uses (lock, replay,
// append), with time stamps from a fixed clock.
void append(const std::filesystem::path& path, const std::vector<record_body>& batch,
            bool dry_run = false)
{
    file_audit_store store(
        {.log_path = path,
         .lock_path = {},
         .dry_run = dry_run,
         .clock = test::clock_at(std::chrono::sys_days{std::chrono::year{2026} / 12 / 1} +
                                 std::chrono::hours{9})});
    ASSERT_TRUE(store.lock());
    audit_projection projection;
    auto replayed = store.replay(projection);
    ASSERT_TRUE(replayed) << replayed.error().message;
    auto appended = store.append(batch);
    ASSERT_TRUE(appended) << appended.error().message;
}

// December 2026 with one record of November: 11 records.
std::vector<record_body> december_log()
{
    const auto rent = occ("rent-john", 12, 1), gym = occ("gym", 12, 2),
               hosting = occ("hosting", 12, 3), plants = occ("plants", 12, 4),
               maria = occ("rent-maria", 11, 30), cleaning = occ("cleaning", 12, 5);
    return {started_record{"0.1.0", 4242},
            intent(rent, amount("TSD", 120000), "John Doe"),
            completed(rent),
            denied_record{gym, "daily_total.TSD", "60.00 TSD exceeds the daily limit"},
            intent(hosting, amount("USD", 2500), "Acme Hosting"),
            in_doubt_record{hosting, "timeout after the request was written"},
            skipped_record{plants, "condition not met: balance below 100.00 TSD"},
            intent(maria, amount("TSD", 80000), "Maria Garcia"),
            completed(maria),
            intent(cleaning, amount("TSD", 4000), "John Doe"),
            completed(cleaning)};
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

class audit_cli : public testing::Test {
protected:
    temp_dir dir;
    std::filesystem::path log = dir / "audit.jsonl";

    void SetUp() override { append(log, december_log()); }

    run_result paymand(std::vector<std::string> args)
    {
        args.insert(args.begin(), "audit");
        return run(our_binary("paymand"), {.args = std::move(args)});
    }
};

TEST_F(audit_cli, verify_reports_ok_with_records_last_seq_and_bytes)
{
    auto r = paymand({"verify", "--log", log.string()});
    EXPECT_EQ(r.status.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr(": ok\n"));
    EXPECT_THAT(r.out, HasSubstr(fmt::format("records: 11, last seq: 11, bytes: {}",
                                             std::filesystem::file_size(log))));

    auto j = run(our_binary("paymand"),
                 {.args = {"audit", "verify", "--log", log.string(), "--json", "--full"}});
    ASSERT_EQ(j.status.code, 0) << j.err;
    const auto v = json::parse(j.out);
    EXPECT_EQ(v.at("ok"), true);
    EXPECT_EQ(v.at("full"), true);
    EXPECT_EQ(v.at("records").to_number<int>(), 11);
    EXPECT_TRUE(v.at("problem").is_null());
}

TEST_F(audit_cli, verify_points_at_an_edited_record_in_the_middle_and_exits_65)
{
    auto text = read_file(log);
    const auto at = text.find("\"1200.00\"");
    ASSERT_NE(at, std::string::npos);
    text[at + 1] = '9';  // 9200.00: the intent on line 2
    dir.write("audit.jsonl", text);

    auto r = paymand({"verify", "--log", log.string()});
    EXPECT_EQ(r.status.code, 65) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("CORRUPT"));
    EXPECT_THAT(r.out, HasSubstr("first bad record: line 2, seq 2, byte offset"));
    EXPECT_THAT(r.out, HasSubstr("does not match the chain"));

    auto j = paymand({"verify", "--log", log.string(), "--json"});
    EXPECT_EQ(j.status.code, 65);
    const auto v = json::parse(j.out);
    EXPECT_EQ(v.at("ok"), false);
    EXPECT_EQ(v.at("problem").at("line").to_number<int>(), 2);
    EXPECT_EQ(v.at("problem").at("seq").to_number<int>(), 2);
    EXPECT_EQ(v.at("problem").at("code"), "bad_hash");
    EXPECT_EQ(v.at("records").to_number<int>(), 1);
}

TEST_F(audit_cli, verify_reports_a_torn_final_line_as_a_note_not_corruption)
{
    const auto size = std::filesystem::file_size(log);
    std::ofstream(log, std::ios::binary | std::ios::app) << R"({"seq":12,"ts":"2026-12)";
    auto r = paymand({"verify", "--log", log.string()});
    EXPECT_EQ(r.status.code, 0) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("torn final line"));
    EXPECT_THAT(r.out, HasSubstr("23 bytes after the last complete record"));

    auto j = paymand({"verify", "--log", log.string(), "--json"});
    EXPECT_EQ(j.status.code, 0);
    const auto v = json::parse(j.out);
    EXPECT_EQ(v.at("ok"), true);
    EXPECT_EQ(v.at("torn_tail_bytes").to_number<int>(), 23);
    EXPECT_EQ(v.at("bytes").to_number<std::uint64_t>(), size);
}

TEST_F(audit_cli, a_missing_log_exits_66_for_every_reading_command)
{
    const auto missing = (dir / "nope.jsonl").string();
    for (std::vector<std::string> args :
         {std::vector<std::string>{"verify"}, {"tail"}, {"report", "--month", "2026-12"}}) {
        args.insert(args.end(), {"--log", missing});
        auto r = paymand(args);
        EXPECT_EQ(r.status.code, 66) << args[0] << ": " << r.err;
        EXPECT_THAT(r.err, HasSubstr("no audit log at " + missing)) << args[0];
    }
}

TEST_F(audit_cli, tail_json_prints_the_last_records_as_their_exact_stored_lines)
{
    auto r = paymand({"tail", "-n", "3", "--json", "--log", log.string()});
    ASSERT_EQ(r.status.code, 0) << r.err;
    const auto stored = lines_of(read_file(log));
    const auto printed = lines_of(r.out);
    ASSERT_EQ(printed.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(printed[i], stored[stored.size() - 3 + i]);
        const auto v = json::parse(printed[i]);
        EXPECT_EQ(v.at("seq").to_number<std::size_t>(), 9 + i);
    }
}

TEST_F(audit_cli, tail_text_prints_ten_records_one_line_each_with_their_facts)
{
    auto r = paymand({"tail", "--log", log.string()});
    ASSERT_EQ(r.status.code, 0) << r.err;
    const auto printed = lines_of(r.out);
    ASSERT_EQ(printed.size(), 10u) << r.out;
    EXPECT_EQ(printed[0], "2026-12-01T09:00:00.000000Z  seq 2  intent  rent-john@2026-12-01T10:00  "
                          "1200.00 TSD to John Doe from Main");
    EXPECT_THAT(printed[1], HasSubstr("seq 3  result  rent-john@2026-12-01T10:00  completed, "
                                      "task tsk-rent-john"));
    EXPECT_THAT(printed[2], HasSubstr("denied  gym@2026-12-02T10:00  daily_total.TSD: 60.00 TSD"));
    EXPECT_THAT(printed[4], HasSubstr("in_doubt  hosting@2026-12-03T10:00  timeout"));
}

TEST_F(audit_cli, tail_on_a_corrupt_log_exits_65_naming_the_record)
{
    auto text = read_file(log);
    text[text.find("\"1200.00\"") + 1] = '9';
    dir.write("audit.jsonl", text);
    auto r = paymand({"tail", "--log", log.string()});
    EXPECT_EQ(r.status.code, 65);
    EXPECT_THAT(r.err, HasSubstr("line 2 (seq 2)"));
    EXPECT_EQ(r.out, "");
}

TEST_F(audit_cli, tail_follow_prints_a_record_appended_after_it_started_and_stops_on_sigint)
{
    child_process tail(our_binary("paymand"), {.args = {"audit", "tail", "-n", "1", "-f", "--json",
                                                        "--log", log.string()}});
    tail.wait_for_line(std::regex(R"(^\{"seq":11,.*)"));
    const auto later = occ("gym", 12, 9);
    append(log, {skipped_record{later, "condition not met"}});
    const auto line = tail.wait_for_line(std::regex(R"(^\{"seq":12,.*)"));
    EXPECT_EQ(json::parse(line).at("occurrence").as_string(), later.occurrence);
    EXPECT_EQ(line, lines_of(read_file(log)).back());
    tail.send_signal(SIGINT);
    const auto status = tail.wait();
    EXPECT_TRUE(status.exited);
    EXPECT_EQ(status.code, 0) << tail.err();
}

TEST_F(audit_cli, tail_follow_exits_65_when_a_bad_record_arrives)
{
    child_process tail(our_binary("paymand"),
                       {.args = {"audit", "tail", "-n", "1", "-f", "--log", log.string()}});
    tail.wait_for_line(std::regex(R"(.*seq 11  result.*)"));
    std::ofstream(log, std::ios::binary | std::ios::app) << "not a record\n";
    const auto status = tail.wait();
    EXPECT_TRUE(status.exited);
    EXPECT_EQ(status.code, 65);
    EXPECT_THAT(tail.err(), HasSubstr("line 12"));
}

TEST_F(audit_cli, report_text_lists_paid_totals_denied_open_with_resolve_and_skipped)
{
    auto r = paymand({"report", "--month", "2026-12", "--log", log.string()});
    ASSERT_EQ(r.status.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("from 2026-12-01T00:00:00Z to 2027-01-01T00:00:00Z (UTC month)"));
    EXPECT_THAT(r.out, HasSubstr("PAID (2)\n"));
    EXPECT_THAT(r.out, HasSubstr("rent-john@2026-12-01T10:00  John Doe  1200.00 TSD  completed  "
                                 "task tsk-rent-john"));
    EXPECT_THAT(r.out, HasSubstr("TOTAL PER PAYEE\n  John Doe  1240.00 TSD  2 payments\n"));
    EXPECT_THAT(r.out, HasSubstr("TOTAL PER CURRENCY\n  1240.00 TSD  2 payments\n"));
    EXPECT_THAT(r.out, HasSubstr("DENIED BY A LIMIT (1)"));
    EXPECT_THAT(r.out, HasSubstr("daily_total.TSD: 60.00 TSD exceeds the daily limit"));
    EXPECT_THAT(r.out, HasSubstr("hosting@2026-12-03T10:00  Acme Hosting  25.00 USD  in_doubt"));
    EXPECT_THAT(r.out, HasSubstr("resolve: paymand audit resolve hosting@2026-12-03T10:00 "
                                 "--paid|--not-paid --note \"...\""));
    EXPECT_THAT(r.out, HasSubstr("SKIPPED (1)"));
    EXPECT_THAT(r.out, Not(HasSubstr("Maria")));  // November
    EXPECT_THAT(r.out,
                HasSubstr("COUNTS: paid 2, open 1, denied 1, failed 0, skipped 1, missed 0"));
}

// Issue 16, item 6: a server's reply with a C1 CSI (U+009B), an ESC sequence, a bidi override
// (U+202E) or a newline reached `audit tail` and `audit report` as such. They are escaped
// there; the record keeps the exact text, as --json shows.
TEST_F(audit_cli, server_text_with_controls_and_bidi_is_escaped_for_people_not_in_the_record)
{
    const std::string hostile = "paid\xC2\x9B"
                                "31m \x1B[2J\xE2\x80\xAE"
                                "dlroW\nforged line";
    const auto gift = occ("gift", 12, 6);
    auto answer = completed(gift);
    answer.reason = hostile;
    const auto later = occ("gift", 12, 7);
    append(log, {intent(gift, amount("TSD", 100),
                        "Gift\xE2\x80\xAE"
                        "eoD nhoJ"),
                 answer, intent(later, amount("TSD", 100), "John Doe"),
                 in_doubt_record{later, hostile}});

    for (auto args :
         {std::vector<std::string>{"tail", "-n", "4", "--log", log.string()},
          std::vector<std::string>{"report", "--month", "2026-12", "--log", log.string()}}) {
        auto r = paymand(args);
        ASSERT_EQ(r.status.code, 0) << r.err;
        EXPECT_THAT(r.out, Not(HasSubstr("\xC2\x9B"))) << args[0];
        EXPECT_THAT(r.out, Not(HasSubstr("\x1B"))) << args[0];
        EXPECT_THAT(r.out, Not(HasSubstr("\xE2\x80\xAE"))) << args[0];
        EXPECT_THAT(r.out, Not(HasSubstr("\nforged line"))) << args[0];
        EXPECT_THAT(r.out, HasSubstr("\\u009B31m")) << args[0] << r.out;
        EXPECT_THAT(r.out, HasSubstr("\\x1B[2J\\u202E")) << args[0];
        EXPECT_THAT(r.out, HasSubstr("Gift\\u202EeoD nhoJ")) << args[0];
    }
    auto json_tail = paymand({"tail", "-n", "1", "--json", "--log", log.string()});
    ASSERT_EQ(json_tail.status.code, 0) << json_tail.err;
    EXPECT_EQ(json::parse(json_tail.out).at("reason").as_string(), hostile);
}

TEST_F(audit_cli, report_json_holds_the_month_in_exact_amounts)
{
    auto r = paymand({"report", "--month", "2026-11", "--json", "--log", log.string()});
    ASSERT_EQ(r.status.code, 0) << r.err;
    const auto v = json::parse(r.out);
    EXPECT_EQ(v.at("month"), "2026-11");
    EXPECT_EQ(v.at("log").as_string(), log.string());
    const auto& paid = v.at("paid").as_array();
    ASSERT_EQ(paid.size(), 1u);
    EXPECT_EQ(paid[0].at("payee"), "Maria Garcia");
    EXPECT_EQ(paid[0].at("amount"), "800.00");
    EXPECT_EQ(v.at("per_currency").as_array()[0].at("amount"), "800.00");
    EXPECT_EQ(v.at("counts").at("denied").to_number<int>(), 0);
}

TEST_F(audit_cli, report_csv_has_a_header_and_a_row_per_occurrence_and_total)
{
    auto r = paymand({"report", "--month", "2026-12", "--format", "csv", "--log", log.string()});
    ASSERT_EQ(r.status.code, 0) << r.err;
    const auto rows = lines_of(r.out);
    ASSERT_EQ(rows.size(), 1u + 5u + 1u + 1u) << r.out;  // header, 5 occurrences, 2 totals
    EXPECT_EQ(rows[0], "section,occurrence,rule,utc,state,payee,amount,currency,payments,limit,"
                       "detail\r");
    EXPECT_EQ(rows.back(), "total_per_currency,,,,,,1240.00,TSD,2,,\r");
}

TEST_F(audit_cli, report_counts_the_dry_run_log_as_never_paid)
{
    const auto dry = dir / "audit.dry-run.jsonl";
    const auto ref = occ("rent-john", 12, 1);
    append(dry,
           {intent(ref, amount("TSD", 120000), "John Doe"),
            result_record{.ref = ref,
                          .outcome = outcome::failed,
                          .reason = "dry run: the payment was not sent"}},
           true);
    auto r = paymand({"report", "--month", "2026-12", "--json", "--log", dry.string()});
    ASSERT_EQ(r.status.code, 0) << r.err;
    const auto v = json::parse(r.out);
    EXPECT_TRUE(v.at("paid").as_array().empty());
    ASSERT_EQ(v.at("dry_run").as_array().size(), 1u);
    EXPECT_EQ(v.at("dry_run").as_array()[0].at("amount"), "1200.00");
}

TEST_F(audit_cli, bad_month_or_zone_is_exit_1_and_usage_errors_exit_2)
{
    auto bad_month = paymand({"report", "--month", "2026-13", "--log", log.string()});
    EXPECT_EQ(bad_month.status.code, 1);
    EXPECT_THAT(bad_month.err, HasSubstr("YYYY-MM"));
    auto bad_zone =
        paymand({"report", "--month", "2026-12", "--tz", "Mars/Olympus", "--log", log.string()});
    EXPECT_EQ(bad_zone.status.code, 1);
    EXPECT_EQ(paymand({"report", "--log", log.string()}).status.code, 2);
    EXPECT_EQ(paymand({"report", "--month", "2026-12", "--format", "xml", "--log", log.string()})
                  .status.code,
              2);
    EXPECT_EQ(paymand({"tail", "-n", "x", "--log", log.string()}).status.code, 2);
    EXPECT_EQ(paymand({"verify", "--log", log.string(), "--dry-run"}).status.code, 2);
}

TEST_F(audit_cli, report_tz_reads_the_month_in_that_zones_calendar)
{
    auto r = paymand(
        {"report", "--month", "2026-12", "--tz", "Asia/Tokyo", "--json", "--log", log.string()});
    ASSERT_EQ(r.status.code, 0) << r.err;
    const auto v = json::parse(r.out);
    EXPECT_EQ(v.at("zone"), "Asia/Tokyo");
    EXPECT_EQ(v.at("from"), "2026-11-30T15:00:00Z");
    // Maria's 2026-11-30T09:00Z is still November in Tokyo (18:00); the rest is December.
    EXPECT_EQ(v.at("counts").at("paid").to_number<int>(), 2);
}

TEST_F(audit_cli, report_from_to_covers_whole_months_or_days_at_once)
{
    const auto paid_in = [&](std::vector<std::string> period) {
        period.insert(period.begin(), "report");
        for (const char* a : {"--json", "--log"}) period.push_back(a);
        period.push_back(log.string());
        auto r = paymand(period);
        EXPECT_EQ(r.status.code, 0) << r.err;
        return json::parse(r.out);
    };
    const auto november = paid_in({"--month", "2026-11"});
    const auto december = paid_in({"--month", "2026-12"});
    const auto both = paid_in({"--from", "2026-11", "--to", "2026-12"});
    EXPECT_EQ(both.at("period"), "2026-11-01 to 2026-12-31");
    EXPECT_FALSE(both.as_object().contains("month"));
    EXPECT_EQ(both.at("from"), "2026-11-01T00:00:00Z");
    EXPECT_EQ(both.at("to"), "2027-01-01T00:00:00Z");
    EXPECT_EQ(both.at("counts").at("paid").to_number<int>(),
              november.at("counts").at("paid").to_number<int>() +
                  december.at("counts").at("paid").to_number<int>());
    // Single days, the last included.
    const auto day = paid_in({"--from", "2026-11-30", "--to", "2026-11-30"});
    EXPECT_EQ(day.at("to"), "2026-12-01T00:00:00Z");
    EXPECT_EQ(day.at("counts").at("paid").to_number<int>(), 1);  // Maria, 2026-11-30
    auto text = paymand({"report", "--from", "2026-11", "--to", "2026-12", "--log", log.string()});
    EXPECT_THAT(text.out, HasSubstr("Audit report 2026-11-01 to 2026-12-31: occurrences scheduled "
                                    "from 2026-11-01T00:00:00Z to 2027-01-01T00:00:00Z (UTC "
                                    "calendar)"));
}

TEST_F(audit_cli, report_periods_that_make_no_sense_are_refused)
{
    auto none = paymand({"report", "--log", log.string()});
    EXPECT_EQ(none.status.code, 2);
    EXPECT_THAT(none.err, HasSubstr("--month YYYY-MM, or --from and --to"));
    auto backwards =
        paymand({"report", "--from", "2026-12", "--to", "2026-11", "--log", log.string()});
    EXPECT_EQ(backwards.status.code, 1);
    EXPECT_THAT(backwards.err, HasSubstr("lies before --from"));
    auto bad_day =
        paymand({"report", "--from", "2026-02-30", "--to", "2026-03", "--log", log.string()});
    EXPECT_EQ(bad_day.status.code, 1);
    EXPECT_THAT(bad_day.err, HasSubstr("YYYY-MM-DD"));
    EXPECT_EQ(paymand({"report", "--from", "2026-11", "--log", log.string()}).status.code, 2);
    EXPECT_EQ(paymand({"report", "--month", "2026-11", "--from", "2026-11", "--to", "2026-11",
                       "--log", log.string()})
                  .status.code,
              2);
}

class audit_cli_config : public audit_cli {
protected:
    std::filesystem::path config =
        dir.write("paymand.yaml", "payman:\n  environment: test\n  client_id: pm-test-x\n"
                                  "rules_directory: rules\nstate_directory: state\n"
                                  "payees: any\nlimits: none\n");
    std::filesystem::path state_log = dir / "state" / "audit.jsonl";
};

TEST_F(audit_cli_config, the_config_names_the_log_and_dry_run_its_dry_run_log)
{
    std::filesystem::create_directories(dir / "state");
    append(state_log, december_log());
    auto r = paymand({"verify", "--config", config.string()});
    EXPECT_EQ(r.status.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("audit log " + state_log.string() + ": ok"));

    append(dir / "state" / "audit.dry-run.jsonl", {started_record{"0.1.0", 1}}, true);
    auto dry = paymand({"tail", "--json", "--dry-run", "-c", config.string()});
    EXPECT_EQ(dry.status.code, 0) << dry.err;
    EXPECT_THAT(dry.out, HasSubstr(R"("type":"started","dry_run":true)"));

    auto report = paymand({"report", "--month", "2026-12", "--config", config.string()});
    EXPECT_EQ(report.status.code, 0) << report.err;
    EXPECT_THAT(report.out, HasSubstr("resolve: paymand audit resolve hosting@2026-12-03T10:00 "
                                      "--paid|--not-paid --note \"...\" --config " +
                                      config.string()));
}

TEST_F(audit_cli_config, report_reads_the_configured_zones_calendar_unless_tz_says_otherwise)
{
    std::filesystem::create_directories(dir / "state");
    append(state_log, december_log());
    const auto tokyo =
        dir.write("tokyo.yaml", "payman:\n  environment: test\n  client_id: "
                                "pm-test-x\nrules_directory: rules\nstate_directory: "
                                "state\npayees: any\nlimits: none\ntimezone: "
                                "Asia/Tokyo\n");
    auto r = paymand({"report", "--month", "2026-12", "--json", "--config", tokyo.string()});
    ASSERT_EQ(r.status.code, 0) << r.err;
    auto v = json::parse(r.out);
    EXPECT_EQ(v.at("zone"), "Asia/Tokyo");
    EXPECT_EQ(v.at("from"), "2026-11-30T15:00:00Z");
    auto utc = paymand(
        {"report", "--month", "2026-12", "--tz", "UTC", "--json", "--config", tokyo.string()});
    ASSERT_EQ(utc.status.code, 0) << utc.err;
    EXPECT_EQ(json::parse(utc.out).at("zone"), "UTC");
}

TEST_F(audit_cli_config, a_broken_config_is_exit_1_with_file_line_col)
{
    dir.write("paymand.yaml", "payman:\n  environment: test\nrules_directory: rules\n"
                              "state_directory: state\nbogus_key: 1\n");
    auto r = paymand({"verify", "--config", config.string()});
    EXPECT_EQ(r.status.code, 1);
    EXPECT_THAT(r.err, HasSubstr("paymand.yaml:5:1: error:"));
}

TEST(audit_cli_help, every_subcommand_has_an_example_and_its_exit_codes)
{
    for (const char* sub : {"verify", "tail", "report", "resolve"}) {
        auto r = run(our_binary("paymand"), {.args = {"audit", sub, "--help"}});
        EXPECT_EQ(r.status.code, 0) << sub;
        EXPECT_THAT(r.out, HasSubstr("Example: paymand audit ")) << sub;
        EXPECT_THAT(r.out, HasSubstr("Exit codes: 0 ")) << sub;
    }
    auto resolve = run(our_binary("paymand"), {.args = {"audit", "resolve", "--help"}});
    EXPECT_THAT(resolve.out, HasSubstr("handed to it through the state directory"));
}

}  // namespace
}  // namespace paymand::test
