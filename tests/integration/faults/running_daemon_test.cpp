// One long-running `paymand run` takes a series of server faults in a row and stays up,
// answering, in bounded memory. What it asks while running is the transaction listing that
// reconciles an in-doubt payment (every second here): each fault is injected on that
// listing and consumed by one attempt; the last, a token expired mid-run, is renewed once
// and answered. The in-doubt payment itself is never sent again.

#include "fault_fixture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

namespace paymand::test::faults {
namespace {

using testing::HasSubstr;

// VmHWM (peak resident set) of a running process, KiB; -1 when unreadable.
long peak_rss_kib(pid_t pid)
{
    std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/status"));
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

class running_daemon : public fault_test {};

TEST_F(running_daemon, stays_up_and_answering_through_a_series_of_server_faults)
{
    write_config({.max_attempts = 12,
                  .reconcile_interval = "1s",
                  .extra = "metrics: {listen: \"127.0.0.1:0\"}\n",
                  .log_level = "debug"});
    // An in-doubt payment: executed by the sandbox, its answer lost.
    inject(R"({"endpoint":"tasks","prompt_kind":"payment","action":"reset_after_read"})");
    ASSERT_EQ(trigger("rent").status.code, 13);  // in doubt
    ASSERT_EQ(records_of("in_doubt").size(), 1u);
    ASSERT_EQ(ledger_payments(), 1u);

    const std::vector<std::string> faults = {
        R"("action":"status","status":500)",
        R"("action":"status","status":429,"retry_after":1)",
        R"("action":"reset_before_read")",
        R"("action":"truncate")",
        R"("action":"malformed_json")",
        R"("action":"huge_body","size":52428800)",
        R"("action":"stall")",
        // A refusal ends that round; the next round (a second later) goes on.
        R"("action":"jsonrpc_error","code":-32603)",
        // The last one: the token expires, is renewed once, and the listing is answered.
        R"("action":"expire_tokens")",
    };
    for (const auto& f : faults)
        inject(R"({"endpoint":"tasks","prompt_kind":"transactions",)" + f + "}");
    const auto sent_before = tasks_sent();

    const auto started = std::chrono::steady_clock::now();
    child_process daemon(our_binary("paymand"), daemon_args());
    auto line = daemon.wait_for_line(std::regex("metrics: serving (http://127\\.0\\.0\\.1:[0-9]+)"),
                                     30s, true);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, std::regex("http://127\\.0\\.0\\.1:[0-9]+")));
    const std::string metrics = m[0];
    daemon.wait_for_line(std::regex("running: "), 30s, true);
    EXPECT_EQ(http_request({.url = metrics + "/healthz"}).status, 200);

    // The last fault (an expired token) is renewed once and that listing is answered: the
    // first transaction listing the daemon gets an answer to. The credential check's payee
    // and wallet listings (asked beside it, untouched by the faults) are answered too.
    const auto answered = [&daemon] {
        const auto err = daemon.err();
        std::size_t n = 0;
        for (auto at = err.find("answered: completed"); at != std::string::npos;
             at = err.find("answered: completed", at + 1))
            ++n;
        return n;
    };
    ASSERT_TRUE(eventually([&] { return answered() >= 3; }, 60s)) << daemon.err();
    const auto elapsed = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(daemon.running()) << daemon.err();
    EXPECT_THAT(daemon.err(), HasSubstr("renewing the token and sending it again"));
    EXPECT_THAT(daemon.err(), HasSubstr("response size cap"));
    const long peak = peak_rss_kib(daemon.pid());
    auto health = http_request({.url = metrics + "/healthz"});
    EXPECT_EQ(health.status, 200) << health.body;
    EXPECT_EQ(http_request({.url = metrics + "/metrics"}).status, 200);

    std::cout << "faults taken: " << faults.size() << " in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
              << " ms; daemon peak RSS " << peak << " KiB\n";
    // A 50 MB answer was among them: the response-size cap keeps it out of memory.
    EXPECT_GT(peak, 0);
    EXPECT_LT(peak, rss_bound_kib(40 * 1024));

    // Every fault met one request of the daemon, plus the resend after the renewal; the
    // in-doubt payment was never sent again.
    EXPECT_GE(tasks_sent() - sent_before, static_cast<std::int64_t>(faults.size()) + 1);
    EXPECT_EQ(ledger_payments(), 1u) << "a reconciliation must never pay";
    EXPECT_EQ(sandbox->stats().at("tokens_issued").as_int64(), 3)
        << "trigger, daemon, and one renewal after the expiry";

    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok()) << daemon.err();
    EXPECT_TRUE(verify().status.ok());
}

}  // namespace
}  // namespace paymand::test::faults

namespace paymand::test::faults {
namespace {

// A payment made by `paymand trigger` (identity RULE@...~manual) that ended in doubt is looked
// up in the listing like any other, and settled when the listing shows it.
TEST_F(running_daemon, reconciles_an_in_doubt_manual_payment_listed_by_payman)
{
    write_config({.reconcile_interval = "1s"});
    inject(R"({"endpoint":"tasks","prompt_kind":"payment","action":"reset_after_read"})");
    ASSERT_EQ(trigger("rent").status.code, 13);  // in doubt
    ASSERT_EQ(records_of("in_doubt").size(), 1u);
    ASSERT_EQ(ledger_payments(), 1u);

    child_process daemon(our_binary("paymand"), daemon_args());
    daemon.wait_for_line(std::regex("running: "), 30s, true);
    // Once the listing shows it, it is settled: no further listing is needed.
    EXPECT_TRUE(eventually([&] { return records_of("reconciled").size() == 1u; }));
    daemon.send_signal(SIGTERM);
    EXPECT_TRUE(daemon.wait().ok()) << daemon.err();
    auto reconciled = records_of("reconciled");
    ASSERT_EQ(reconciled.size(), 1u) << "the in-doubt payment was not looked up:\n" << daemon.err();
    EXPECT_EQ(reconciled[0].at("result").as_string(), "paid");
    EXPECT_EQ(ledger_payments(), 1u);
}

}  // namespace
}  // namespace paymand::test::faults
