// Crash consistency on real processes: paymand dies (SIGKILL) at chosen crash points and at
// random moments, is started again, and the sandbox's ledger is compared with the audit log.
// No occurrence may be paid twice, none may vanish without a record, and the hash chain
// must verify. `paymand-crashpoints` is the test-only build with crash points compiled in
// (include/paymand/core/crash_point.hpp) and an accelerated clock (60x: minute schedules
// fire every second). PAYMAND_CRASH_KILLS sets the number of random kills (CI: 20; the soak
// run, scripts/test --soak: 200).

#include "paymand/audit/time_format.hpp"
#include "paymand/prompt/memo_tag.hpp"
#include "support/audit_witness.hpp"
#include "support/poll.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

#include <boost/json.hpp>

#include <date/date.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
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

std::size_t line_count(const std::filesystem::path& file)
{
    std::ifstream in(file);
    return static_cast<std::size_t>(
        std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
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
                                       "PAYMAND_CRASH_AT", "PAYMAND_PAUSE_AT",
                                       "PAYMAND_TEST_CLOCK"}};
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

    // One clean run of paymand-crashpoints on `clock`: the last crash's intents become in
    // doubt, the minutes missed while down are caught up. It stops once every occurrence due
    // by its start has a record.
    void clean_run(const std::string& clock)
    {
        child_process daemon(our_binary("paymand-crashpoints"),
                             args({"run", "--config", config().string()}, {clock}));
        daemon.wait_for_line(std::regex("running"), 30s, true);
        // What is still missing after the deadline is reported below.
        eventually([&] { return missing_occurrences().empty(); }, 30s);
        daemon.send_signal(SIGTERM);
        ASSERT_TRUE(daemon.wait(60s).ok()) << daemon.err();
    }

    struct agreement {
        std::size_t intents = 0, completed = 0, in_doubt = 0, paid = 0, duplicates = 0;
    };

    // No occurrence vanished (each minute of each rule from the first start to the last has a
    // record), the chain verifies, every intent has an outcome, and the ledger holds at most
    // one payment per occurrence, only for occurrences with an intent, and every completed one.
    agreement expect_log_and_ledger_agree()
    {
        agreement out;
        const auto missing = missing_occurrences();
        EXPECT_TRUE(missing.empty()) << missing.size() << " occurrences without any record, e.g. "
                                     << (missing.empty() ? "" : *missing.begin());
        expect_chain_verifies();

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
        for (const auto& occ : intents) EXPECT_TRUE(outcomes.contains(occ)) << occ << " vanished";

        std::map<std::string, int> paid;
        for (const auto& tx : ledger()) {
            auto tag = prompt::find_memo_tag(std::string(tx.at("memo").as_string()));
            EXPECT_TRUE(tag) << tx;
            if (tag) ++paid[prompt::format_memo_tag(*tag)];
        }
        std::map<std::string, std::string> intent_by_tag;
        for (const auto& occ : intents) intent_by_tag[tag_of(occ)] = occ;
        for (const auto& [tag, n] : paid) {
            if (n > 1) ++out.duplicates;
            EXPECT_TRUE(intent_by_tag.contains(tag)) << tag << " paid without an intent";
        }
        EXPECT_EQ(out.duplicates, 0u);
        for (const auto& r : read_records(audit_log())) {
            if (r.at("type").as_string() != "result" || r.at("outcome").as_string() != "completed")
                continue;
            ++out.completed;
            EXPECT_TRUE(paid.contains(tag_of(std::string(r.at("occurrence").as_string()))));
        }
        out.intents = intents.size();
        out.in_doubt = count_type("in_doubt");
        out.paid = paid.size();
        return out;
    }
};

const char* one_payment = R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00}
)";

// A test's name for its point: "request_written:2" -> "request_written_2".
const auto point_test_name = [](const auto& info) {
    std::string name = info.param.point;
    std::replace(name.begin(), name.end(), ':', '_');
    return name;
};

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
    // Bytes written before the kill reach the sandbox on its own time (a loaded machine may
    // not have read them yet): wait for them, then count.
    EXPECT_TRUE(eventually([&] { return ledger().size() >= c.ledger_after; }));
    EXPECT_EQ(ledger().size(), c.ledger_after);
    EXPECT_EQ(count_type("intent"), 1u);
    // With no daemon holding the lock, an intent without a result is in doubt already.
    auto status = run(our_binary("paymand"), args({"status", "--config", config().string()}));
    EXPECT_THAT(status.out, testing::HasSubstr("paymand is not running"));
    if (c.in_doubt_after_restart) {
        EXPECT_THAT(status.out, testing::HasSubstr("IN DOUBT: 1 occurrence needs an operator"));
        EXPECT_THAT(status.out, testing::HasSubstr("rent@"));
    } else {
        EXPECT_THAT(status.out, testing::HasSubstr("in doubt: none"));
    }

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
    point_test_name);

// Waits until `pid` has stopped ('T') or ended ('Z', '?'), and returns that state.
char wait_stopped_or_ended(pid_t pid)
{
    char state = '?';
    eventually(
        [&] {
            state = process_state(pid);
            return state == 'T' || state == 'Z' || state == '?';
        },
        30s);
    return state;
}

// The confirmation listing asked at once, not 3 s after the payment: a fast test.
const std::string no_confirm_wait = "engine: {confirm_delay: 0s}\n";

struct pause_case {
    const char* point;                // PAYMAND_PAUSE_AT
    std::size_t ledger_while_paused;  // payments the sandbox holds while the process is stopped
};

class pause_point_test : public crash_test, public testing::WithParamInterface<pause_case> {};

// A node frozen at a point (SIGSTOP), as a multi-node test holds one past its lease, goes on
// where it stopped once sent SIGCONT.
TEST_P(pause_point_test, the_process_stops_there_and_finishes_once_continued)
{
    const auto c = GetParam();
    write_config(one_payment, no_confirm_wait);
    child_process paused(our_binary("paymand-crashpoints"),
                         args({"trigger", "rent", "--config", config().string()},
                              {std::string("PAYMAND_PAUSE_AT=") + c.point}));
    ASSERT_EQ(wait_stopped_or_ended(paused.pid()), 'T') << paused.err();
    EXPECT_TRUE(eventually([&] { return ledger().size() == c.ledger_while_paused; }));
    EXPECT_EQ(count_type("intent"), 1u);
    EXPECT_EQ(count_type("result"), 0u);
    EXPECT_EQ(process_state(paused.pid()), 'T');

    paused.send_signal(SIGCONT);
    EXPECT_TRUE(paused.wait(30s).ok()) << paused.err();
    EXPECT_EQ(ledger().size(), 1u);
    EXPECT_EQ(count_type("intent"), 1u);
    EXPECT_EQ(count_type("result"), 1u);
    EXPECT_EQ(count_type("in_doubt"), 0u);
    expect_chain_verifies();
}

INSTANTIATE_TEST_SUITE_P(points, pause_point_test,
                         testing::Values(
                             // Frozen after the gate: the intent is durable, nothing sent yet.
                             pause_case{"after_intent_durable", 0},
                             // Frozen with the payment request written (request 1 is the token):
                             // the sandbox pays while the process cannot read the answer.
                             pause_case{"request_written:2", 1}),
                         point_test_name);

// The shipped paymand has no pause points: the variable changes nothing.
TEST_F(crash_test, the_shipped_paymand_ignores_pause_at)
{
    write_config(one_payment, no_confirm_wait);
    child_process daemon(our_binary("paymand"),
                         args({"trigger", "rent", "--config", config().string()},
                              {"PAYMAND_PAUSE_AT=after_intent_durable"}));
    EXPECT_NE(wait_stopped_or_ended(daemon.pid()), 'T');
    EXPECT_TRUE(daemon.wait(30s).ok()) << daemon.err();
    EXPECT_EQ(ledger().size(), 1u);
    EXPECT_EQ(count_type("result"), 1u);
}

// Ten rules paying every (accelerated) minute, catching up each missed minute for 2 h.
std::string ten_rules(std::string_view amount = "0.01")
{
    std::string rules = "rules:\n";
    for (int i = 0; i < 10; ++i)
        rules += "  - id: r" + std::to_string(i) +
                 "\n    schedule: \"* * * * *\"\n    catchup: each\n    catchup_window: 2h\n"
                 "    pay: {payee: John Doe, amount: " +
                 std::string(amount) + "}\n";
    return rules;
}

// PAYMAND_TEST_CLOCK for paymand-crashpoints: the wall clock from now on, 60 times as fast.
std::string fast_clock()
{
    const auto anchor = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    return "PAYMAND_TEST_CLOCK=" + std::to_string(anchor) + ":60";
}

// Random SIGKILLs of a daemon paying ten rules every (accelerated) minute, then one clean
// run; then the ledger and the audit log must agree.
TEST_F(crash_test, random_kills_never_pay_twice_or_lose_an_occurrence)
{
    write_config(ten_rules(), "engine: {concurrency: 8, shutdown_grace: 10s}\n");
    const std::string clock = fast_clock();
    const auto anchor = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
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
        eventually([&] { return line_count(audit_log()) >= target; }, 20s, 2ms);
        daemon.send_signal(SIGKILL);
        auto status = daemon.wait();
        ASSERT_FALSE(status.exited) << daemon.err();
    }
    clean_run(clock);
    const auto figures = expect_log_and_ledger_agree();
    std::cout << "crash harness: " << kills << " kills, " << figures.intents << " intents, "
              << figures.completed << " completed, " << figures.in_doubt << " in doubt, "
              << figures.paid << " paid in the ledger, " << figures.duplicates << " duplicates\n";
    EXPECT_GT(figures.completed, 0u);
}

// A reload in the middle of a catch-up: the daemon was down for a few (accelerated) minutes,
// comes back with slow payment answers so that the catch-up of each rule queues, and every
// rule is changed by a SIGHUP. Each queued occurrence ends with a record, and the stop that
// follows is immediate, not the full shutdown grace (60 s here).
TEST_F(crash_test, a_reload_during_catchup_loses_no_occurrence_and_a_stop_is_immediate)
{
    write_config(ten_rules(), "engine: {concurrency: 8, shutdown_grace: 60s}\n");
    const std::string clock = fast_clock();
    {
        child_process daemon(our_binary("paymand-crashpoints"),
                             args({"run", "--config", config().string()}, {clock}));
        daemon.wait_for_line(std::regex("running"), 30s, true);
        daemon.wait_for_line(std::regex("r9@\\S+: paid"), 30s, true);
        daemon.send_signal(SIGTERM);
        ASSERT_TRUE(daemon.wait(30s).ok()) << daemon.err();
    }
    // Down for about four accelerated minutes: a catch-up backlog of four per rule.
    std::this_thread::sleep_for(4s);
    sandbox.inject_fault(boost::json::parse(
        R"({"endpoint":"tasks","prompt_kind":"payment","action":"delay","delay_ms":300,"count":1000})"));
    child_process daemon(our_binary("paymand-crashpoints"),
                         args({"run", "--config", config().string()}, {clock}));
    daemon.wait_for_line(std::regex("running"), 30s, true);
    dir.write("rules/main.yaml", ten_rules("0.02"));
    daemon.send_signal(SIGHUP);
    daemon.wait_for_line(std::regex("reloaded"), 30s, true);
    daemon.send_signal(SIGTERM);
    const auto stopping = std::chrono::steady_clock::now();
    ASSERT_TRUE(daemon.wait(20s).ok()) << daemon.err();
    const auto took = std::chrono::steady_clock::now() - stopping;
    EXPECT_THAT(daemon.err(), testing::HasSubstr("queued occurrence(s) recorded as skipped"));

    clean_run(clock);
    const auto figures = expect_log_and_ledger_agree();
    std::size_t changed = 0;
    for (const auto& r : read_records(audit_log()))
        if (r.at("type").as_string() == "skipped" &&
            r.at("reason").as_string().find("the rule was changed") != std::string::npos)
            ++changed;
    std::cout << "reload during catch-up: " << changed << " queued occurrences recorded skipped, "
              << figures.completed << " completed, stop took "
              << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
    EXPECT_GT(changed, 0u);
}

// A tmpfs of its own for the state directory, so that the audit log's file system can be
// filled without touching the machine's. Needs root (CI runs as root); never skipped.
class full_disk_test : public crash_test {
protected:
    void SetUp() override
    {
        std::filesystem::create_directories(state());
        ASSERT_EQ(::mount("tmpfs", state().c_str(), "tmpfs", 0, "size=4m,mode=0700"), 0)
            << "mounting a tmpfs for the state directory needs root: " << std::strerror(errno);
        mounted_ = true;
    }
    void TearDown() override
    {
        if (mounted_) ::umount2(state().c_str(), MNT_DETACH);
    }

    std::filesystem::path state() const { return dir / "state"; }

    // Fills the file system with a filler file until a write fails with ENOSPC.
    void fill()
    {
        const int fd = ::open((state() / "filler").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        ASSERT_GE(fd, 0) << std::strerror(errno);
        const std::string chunk(4096, 'x');
        while (::write(fd, chunk.data(), chunk.size()) > 0) {
        }
        const int err = errno;
        ::close(fd);
        ASSERT_EQ(err, ENOSPC) << std::strerror(err);
    }
    void free_space() { std::filesystem::remove(state() / "filler"); }

private:
    bool mounted_ = false;
};

// The audit log's file system stays full for longer than engine.occurrence_timeout (60
// accelerated seconds: one real second). The occurrences whose intent could not be written
// are recorded failed once space is back; then a kill while the disk is full, and a restart
// after space is back: nothing vanishes either way, nothing is paid twice.
TEST_F(full_disk_test, occurrences_due_while_the_log_is_full_are_recorded_once_it_is_writable)
{
    // Besides the ten payment rules, a report every minute: when the disk fills while all ten
    // payments are between intent and result, they wait (a result is retried until it is
    // written) and their rules' next occurrences are skipped and kept, so only the report's
    // occurrences can run out of their deadline. Without it that timing left no occurrence
    // "not handled" and the test waited in vain (seen about once in six runs under load).
    const std::string watch = "  - id: watch\n    schedule: \"* * * * *\"\n    catchup: each\n"
                              "    catchup_window: 2h\n    report: balance\n";
    write_config(ten_rules() + watch,
                 "engine: {concurrency: 32, shutdown_grace: 10s, occurrence_timeout: 60s, "
                 "retry: {initial_delay: 1s, max_delay: 1s, max_attempts: 3}}\n");
    const std::string clock = fast_clock();
    {
        child_process daemon(our_binary("paymand-crashpoints"),
                             args({"run", "--config", config().string()}, {clock}));
        daemon.wait_for_line(std::regex("running"), 30s, true);
        daemon.wait_for_line(std::regex("r9@\\S+: paid"), 30s, true);
        fill();
        daemon.wait_for_line(std::regex("AUDIT LOG UNWRITABLE"), 30s, true);
        daemon.wait_for_line(std::regex("not handled: the audit log could not be written"), 30s,
                             true);
        free_space();
        daemon.wait_for_line(std::regex("recorded \\d+ occurrence outcome\\(s\\) held back"), 30s,
                             true);
        daemon.send_signal(SIGTERM);
        ASSERT_TRUE(daemon.wait(30s).ok()) << daemon.err();
    }
    std::size_t failed_while_full = 0;
    for (const auto& r : read_records(audit_log()))
        if (r.at("type").as_string() == "failed" &&
            r.at("reason").as_string().find("audit log could not be written") != std::string::npos)
            ++failed_while_full;
    EXPECT_GT(failed_while_full, 0u);
    {
        child_process daemon(our_binary("paymand-crashpoints"),
                             args({"run", "--config", config().string()}, {clock}));
        daemon.wait_for_line(std::regex("running"), 30s, true);
        fill();
        daemon.wait_for_line(std::regex("not handled: the audit log could not be written"), 30s,
                             true);
        daemon.send_signal(SIGKILL);
        EXPECT_FALSE(daemon.wait().exited);
        free_space();
    }
    clean_run(clock);
    const auto figures = expect_log_and_ledger_agree();
    std::cout << "log full across the timeout: " << failed_while_full
              << " occurrences recorded failed once writable, " << figures.completed
              << " completed, " << count_type("missed") << " missed, " << figures.duplicates
              << " duplicates\n";
}

}  // namespace
}  // namespace paymand::test
