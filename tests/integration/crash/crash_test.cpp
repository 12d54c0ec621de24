// Crash consistency on real processes: paymand dies (SIGKILL) at chosen crash points and at
// random moments, is started again, and the sandbox's ledger is compared with the audit log.
// No occurrence may be paid twice, none may vanish without a record, and the hash chain
// must verify. `paymand-crashpoints` is the test-only build with crash points compiled in
// (include/paymand/core/crash_point.hpp) and an accelerated clock (60x: minute schedules
// fire every second). PAYMAND_CRASH_KILLS sets the number of random kills (CI: 20; the soak
// run, scripts/test --soak: 200).

#include "paymand/audit/time_format.hpp"
#include "paymand/prompt/memo_tag.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

#include <boost/json.hpp>

#include <date/date.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

namespace paymand::test {
namespace {

using testing::HasSubstr;
namespace json = boost::json;

const std::string secret_env = "PAYMAND_TEST_CLIENT_SECRET";

std::vector<json::object> read_records(const std::filesystem::path& log)
{
    std::vector<json::object> out;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        boost::system::error_code ec;
        auto v = json::parse(line, ec);
        if (!ec && v.is_object()) out.push_back(v.as_object());
    }
    return out;
}

std::size_t line_count(const std::filesystem::path& file)
{
    std::ifstream in(file);
    return static_cast<std::size_t>(
        std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
}

// "r1@2026-12-01T09:00" -> "pm:r1:20261201T0900", the tag its payment's memo carries.
std::string tag_of(std::string_view identity)
{
    auto at = identity.find('@');
    std::string local(identity.substr(at + 1));
    std::erase(local, '-');
    std::erase(local, ':');
    return "pm:" + std::string(identity.substr(0, at)) + ":" + local;
}

class crash_test : public testing::Test {
protected:
    temp_dir dir;
    sandbox_process sandbox{sandbox_params{.defaults = {.per_transaction_limit = "5000.00"}}};

    std::filesystem::path config() const { return dir / "paymand.yaml"; }
    std::filesystem::path audit_log() const { return dir / "state/audit.jsonl"; }

    void write_config(std::string_view rules, std::string_view extra = {})
    {
        dir.write("rules/main.yaml", rules);
        dir.write("paymand.yaml", "payman:\n  base_url: " + sandbox.base_url() +
                                      "\n  client_id: " + std::string(sandbox_client_id) +
                                      "\n  client_secret: {env: " + secret_env +
                                      "}\nrules_directory: rules\nstate_directory: state\n"
                                      "timezone: UTC\nmin_pay_interval: 1m\npayees: any\n"
                                      "limits: none\nlog: {format: text}\n" +
                                      std::string(extra));
    }

    process_params args(std::vector<std::string> a, std::vector<std::string> env = {})
    {
        process_params p{.args = std::move(a),
                         .env = {secret_env + "=" + std::string(sandbox_client_secret)},
                         .unset_env = {"NOTIFY_SOCKET", "PAYMAN_CLIENT_SECRET",
                                       "CREDENTIALS_DIRECTORY", "JOURNAL_STREAM",
                                       "PAYMAND_CRASH_AT", "PAYMAND_TEST_CLOCK"}};
        p.env.insert(p.env.end(), env.begin(), env.end());
        return p;
    }

    std::vector<json::value> ledger()
    {
        const auto whole = sandbox.ledger();
        const auto& txs = whole.as_object().at("transactions").as_array();
        return {txs.begin(), txs.end()};
    }

    // Starts the daemon (the normal build), waits until it runs, and stops it: a restart
    // that replays the log and records what the crash left in doubt.
    void restart_and_stop(std::vector<std::string> env = {}, const char* binary = "paymand")
    {
        child_process daemon(our_binary(binary),
                             args({"run", "--config", config().string()}, std::move(env)));
        daemon.wait_for_line(std::regex("running"), 30s, true);
        daemon.send_signal(SIGTERM);
        ASSERT_TRUE(daemon.wait(60s).ok()) << daemon.err();
    }

    void expect_chain_verifies()
    {
        auto verify = run(our_binary("paymand"),
                          {.args = {"audit", "verify", "--log", audit_log().string()}});
        EXPECT_EQ(verify.status.code, 0) << verify.out << verify.err;
    }

    // Occurrences of r0..r9 due after the rules were first loaded and up to the last start
    // (by the daemon's own, accelerated, clock: the records' time stamps) without any record.
    std::set<std::string> missing_occurrences()
    {
        std::optional<audit::utc_micros> first_loaded, last_started;
        std::set<std::string> seen;
        for (const auto& r : read_records(audit_log())) {
            const auto type = r.at("type").as_string();
            auto ts = audit::parse_ts(std::string(r.at("ts").as_string()));
            if (type == "rules_loaded" && !first_loaded) first_loaded = ts;
            if (type == "started") last_started = ts;
            if (r.contains("occurrence")) seen.insert(std::string(r.at("occurrence").as_string()));
        }
        std::set<std::string> missing;
        if (!first_loaded || !last_started) return missing;
        using namespace std::chrono;
        auto minute = ceil<minutes>(*first_loaded);
        if (minute == *first_loaded) minute += minutes(1);
        for (; minute <= floor<minutes>(*last_started); minute += minutes(1)) {
            auto text = date::format("%Y-%m-%dT%H:%M", floor<minutes>(minute));
            for (int i = 0; i < 10; ++i) {
                auto identity = fmt::format("r{}@{}", i, text);
                if (!seen.contains(identity)) missing.insert(identity);
            }
        }
        return missing;
    }

    std::size_t count_type(std::string_view type)
    {
        std::size_t n = 0;
        for (const auto& r : read_records(audit_log()))
            if (r.at("type").as_string() == type) ++n;
        return n;
    }
};

const char* one_payment = R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00}
)";

struct crash_case {
    const char* point;         // PAYMAND_CRASH_AT
    std::size_t ledger_after;  // payments the sandbox holds
    bool in_doubt_after_restart;
};

class crash_point_test : public crash_test, public testing::WithParamInterface<crash_case> {};

TEST_P(crash_point_test, the_restart_never_repeats_or_loses_the_payment)
{
    const auto c = GetParam();
    write_config(one_payment);
    auto crashed = run(our_binary("paymand-crashpoints"),
                       args({"trigger", "rent", "--config", config().string()},
                            {std::string("PAYMAND_CRASH_AT=") + c.point}));
    ASSERT_FALSE(crashed.status.exited) << "expected death at " << c.point << ": " << crashed.err;
    EXPECT_EQ(crashed.status.signal, SIGKILL);
    EXPECT_EQ(ledger().size(), c.ledger_after);
    EXPECT_EQ(count_type("intent"), 1u);

    restart_and_stop();
    EXPECT_EQ(count_type("in_doubt"), c.in_doubt_after_restart ? 1u : 0u);
    // Started again: nothing re-sent, whatever the point of death.
    restart_and_stop();
    EXPECT_EQ(ledger().size(), c.ledger_after);
    EXPECT_EQ(count_type("intent"), 1u);
    EXPECT_EQ(count_type("in_doubt"), c.in_doubt_after_restart ? 1u : 0u);
    expect_chain_verifies();
}

INSTANTIATE_TEST_SUITE_P(
    points, crash_point_test,
    testing::Values(
        // The intent is durable, nothing was sent: in doubt (paymand cannot know that the
        // ask never left), never sent again.
        crash_case{"after_intent_durable", 0, true},
        // The payment request is written (request 1 is the token): the sandbox pays; the
        // answer is lost with the process. In doubt, never sent again.
        crash_case{"request_written:2", 1, true},
        // The result is durable: nothing in doubt, nothing sent again.
        crash_case{"after_result_durable", 1, false}),
    [](const auto& info) {
        std::string name = info.param.point;
        std::replace(name.begin(), name.end(), ':', '_');
        return name;
    });

// Random SIGKILLs of a daemon paying ten rules every (accelerated) minute, then one clean
// run; then the ledger and the audit log must agree.
TEST_F(crash_test, random_kills_never_pay_twice_or_lose_an_occurrence)
{
    std::string rules = "rules:\n";
    for (int i = 0; i < 10; ++i)
        rules += "  - id: r" + std::to_string(i) +
                 "\n    schedule: \"* * * * *\"\n    catchup: each\n    catchup_window: 2h\n"
                 "    pay: {payee: John Doe, amount: 0.01}\n";
    write_config(rules, "engine: {concurrency: 8, shutdown_grace: 10s}\n");
    const auto anchor = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const std::string clock = "PAYMAND_TEST_CLOCK=" + std::to_string(anchor) + ":60";
    const char* kills_env = std::getenv("PAYMAND_CRASH_KILLS");
    const int kills = kills_env != nullptr ? std::atoi(kills_env) : 20;
    std::mt19937 rng(static_cast<std::uint32_t>(anchor));

    for (int k = 0; k < kills; ++k) {
        child_process daemon(our_binary("paymand-crashpoints"),
                             args({"run", "--config", config().string()}, {clock}));
        daemon.wait_for_line(std::regex("running"), 30s, true);
        // Die after a random number of further records: anywhere in the sequence of
        // intents, asks and results.
        const auto target = line_count(audit_log()) + 1 + rng() % 40;
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (line_count(audit_log()) < target && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(2ms);
        daemon.send_signal(SIGKILL);
        auto status = daemon.wait();
        ASSERT_FALSE(status.exited) << daemon.err();
    }
    // One clean run: the last crash's intents become in doubt, the minutes missed while down
    // are caught up. It stops once every occurrence due by its start has a record.
    {
        child_process daemon(our_binary("paymand-crashpoints"),
                             args({"run", "--config", config().string()}, {clock}));
        daemon.wait_for_line(std::regex("running"), 30s, true);
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (!missing_occurrences().empty() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(10ms);
        daemon.send_signal(SIGTERM);
        ASSERT_TRUE(daemon.wait(60s).ok()) << daemon.err();
    }
    // No occurrence vanished: each minute of each rule from the first start to the last has
    // a record (paid, in doubt, missed, ...).
    const auto missing = missing_occurrences();
    EXPECT_TRUE(missing.empty()) << missing.size() << " occurrences without any record, e.g. "
                                 << (missing.empty() ? "" : *missing.begin());
    expect_chain_verifies();

    // What the log says of each occurrence.
    std::set<std::string> intents, outcomes;
    for (const auto& r : read_records(audit_log())) {
        const std::string type(r.at("type").as_string());
        if (!r.contains("occurrence")) continue;
        const std::string occ(r.at("occurrence").as_string());
        if (type == "intent") {
            EXPECT_TRUE(intents.insert(occ).second) << "second intent for " << occ;
        }
        if (type == "result" || type == "in_doubt" || type == "mismatch" || type == "failed")
            outcomes.insert(occ);
    }
    // Every intent has an outcome: a result, or in doubt after the crash that cut it off.
    for (const auto& occ : intents) EXPECT_TRUE(outcomes.contains(occ)) << occ << " vanished";

    // The ledger: at most one payment per occurrence, and only for occurrences with an intent.
    std::map<std::string, int> paid;
    for (const auto& tx : ledger()) {
        auto tag = prompt::find_memo_tag(std::string(tx.at("memo").as_string()));
        ASSERT_TRUE(tag) << tx;
        ++paid[prompt::format_memo_tag(*tag)];
    }
    std::map<std::string, std::string> intent_by_tag;
    for (const auto& occ : intents) intent_by_tag[tag_of(occ)] = occ;
    std::size_t duplicates = 0;
    for (const auto& [tag, n] : paid) {
        if (n > 1) ++duplicates;
        EXPECT_TRUE(intent_by_tag.contains(tag)) << tag << " paid without an intent";
    }
    EXPECT_EQ(duplicates, 0u);
    // Every completed result is in the ledger.
    std::size_t completed = 0;
    for (const auto& r : read_records(audit_log())) {
        if (r.at("type").as_string() != "result" || r.at("outcome").as_string() != "completed")
            continue;
        ++completed;
        EXPECT_TRUE(paid.contains(tag_of(std::string(r.at("occurrence").as_string()))));
    }
    const auto in_doubt = count_type("in_doubt");
    std::cout << "crash harness: " << kills << " kills, " << intents.size() << " intents, "
              << completed << " completed, " << in_doubt << " in doubt, " << paid.size()
              << " paid in the ledger, " << duplicates << " duplicates\n";
    EXPECT_GT(completed, 0u);
}

}  // namespace
}  // namespace paymand::test
