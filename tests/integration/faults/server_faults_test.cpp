// Server faults (issue 9, item 2): every fault the sandbox can inject, on a payment and on a
// balance read, each driven through `paymand trigger` as a real process. The audit log says
// what paymand concluded; the sandbox's ledger and request counters say what really happened.
// A fault that may have let the payment through is in doubt and never re-sent; a fault that
// cannot have had an effect is retried and then recorded as failed.

#include "fault_fixture.hpp"
#include "support/tls.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace paymand::test::faults {
namespace {

using testing::HasSubstr;

// ---- a payment (rule `rent`) under one fault ---------------------------------------------

struct payment_case {
    std::string name;
    std::string fault;    // JSON for POST /admin/faults
    std::string record;   // the occurrence's last record type
    std::string outcome;  // for `result`: its outcome
    std::size_t ledger;   // payments in the sandbox's ledger afterwards
    std::int64_t tasks;   // tasks.send requests the sandbox received
    // The least the trigger may take: a retry never comes before the server's Retry-After.
    std::chrono::milliseconds at_least{0};
};

void PrintTo(const payment_case& c, std::ostream* os)
{
    *os << c.name;
}

class payment_fault : public fault_test, public testing::WithParamInterface<payment_case> {};

TEST_P(payment_fault, has_the_expected_outcome_in_the_audit_log_and_the_ledger)
{
    const auto& c = GetParam();
    write_config();
    inject(c.fault);
    const auto started = std::chrono::steady_clock::now();
    auto result = trigger("rent");
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(result.status.exited) << result.err;
    EXPECT_EQ(result.status.code, trigger_exit_for(c.record, c.outcome))
        << result.out << result.err;
    EXPECT_GE(took, c.at_least) << "retried before the server's Retry-After";

    auto types = occurrence_types("rent");
    ASSERT_FALSE(types.empty()) << result.err;
    EXPECT_EQ(types.front(), "intent") << "the intent must be durable before anything is sent";
    EXPECT_EQ(types.back(), c.record) << result.err;
    EXPECT_EQ(types.size(), 2u) << "one intent and one outcome, nothing else";
    if (!c.outcome.empty()) {
        auto results = records_of("result");
        ASSERT_EQ(results.size(), 1u);
        EXPECT_EQ(results[0].at("outcome").as_string(), c.outcome);
    }
    EXPECT_EQ(ledger_payments(), c.ledger) << "the sandbox's ledger disagrees";
    EXPECT_EQ(tasks_sent(), c.tasks) << "the payment was sent a wrong number of times";
    if (c.record == "in_doubt") {
        EXPECT_THAT(result.err, HasSubstr("IN DOUBT"));
        EXPECT_THAT(result.err, HasSubstr("paymand audit resolve"));
    }
    EXPECT_TRUE(verify().status.ok());
    EXPECT_THAT(result.err, testing::Not(HasSubstr("UNWRITABLE"))) << "an answer is no audit fault";
}

// Not executed by the sandbox and refused with a status: the request reached the server, so
// a 5xx is in doubt (docs/engine.md: 5xx on a payment); 429 is refused before anything
// happened and retried after its Retry-After.
INSTANTIATE_TEST_SUITE_P(
    server_faults, payment_fault,
    testing::Values(
        payment_case{"http_500", R"({"endpoint":"tasks","action":"status","status":500})",
                     "in_doubt", "", 0, 1},
        payment_case{"http_502", R"({"endpoint":"tasks","action":"status","status":502})",
                     "in_doubt", "", 0, 1},
        payment_case{"http_503_with_retry_after",
                     R"({"endpoint":"tasks","action":"status","status":503,"retry_after":1})",
                     "in_doubt", "", 0, 1},
        payment_case{"http_429_once_is_retried_and_paid_once",
                     R"({"endpoint":"tasks","action":"status","status":429,"retry_after":1})",
                     "result", "completed", 1, 2, 1000ms},
        payment_case{"http_429_every_time_fails_after_the_attempts",
                     R"({"endpoint":"tasks","action":"status","status":429,"retry_after":1,
                         "count":10})",
                     "failed", "", 0, 3, 2000ms},
        payment_case{"answer_later_than_the_read_timeout",
                     R"({"endpoint":"tasks","action":"delay","delay_ms":2500})", "in_doubt", "", 1,
                     1},
        payment_case{"reset_before_the_request_was_read",
                     R"({"endpoint":"tasks","action":"reset_before_read"})", "in_doubt", "", 0, 1},
        payment_case{"reset_after_the_request_was_read",
                     R"({"endpoint":"tasks","action":"reset_after_read"})", "in_doubt", "", 1, 1},
        payment_case{"truncated_body", R"({"endpoint":"tasks","action":"truncate"})", "in_doubt",
                     "", 1, 1},
        payment_case{"malformed_json", R"({"endpoint":"tasks","action":"malformed_json"})",
                     "in_doubt", "", 1, 1},
        payment_case{"jsonrpc_error_object",
                     R"({"endpoint":"tasks","action":"jsonrpc_error","code":-32603})", "failed", "",
                     0, 1},
        payment_case{"stalled_server", R"({"endpoint":"tasks","action":"stall"})", "in_doubt", "",
                     0, 1},
        payment_case{"token_expired_mid_run_gets_one_refresh_and_one_resend",
                     R"({"endpoint":"tasks","action":"expire_tokens"})", "result", "completed", 1,
                     2},
        // A 401 again after the renewal: refused, not tried a third time, not paid.
        payment_case{"token_expired_twice_is_refused_after_one_refresh",
                     R"({"endpoint":"tasks","action":"expire_tokens","count":2})", "failed", "", 0,
                     2},
        payment_case{"token_revoked_mid_run_gets_one_refresh_and_one_resend",
                     R"({"endpoint":"tasks","action":"revoke_tokens"})", "result", "completed", 1,
                     2},
        // Hostile answers (issue 16; docs/reliability.md, "Threat model"). The payment was
        // made, the answer is not one to believe: in doubt, and the audit log takes it.
        payment_case{"task_id_of_70_kib_is_in_doubt_not_an_audit_fault",
                     R"({"endpoint":"tasks","action":"forge_task_id","size":71680})", "in_doubt",
                     "", 1, 1},
        payment_case{"both_error_and_result_is_in_doubt",
                     R"({"endpoint":"tasks","action":"error_and_result"})", "in_doubt", "", 1, 1},
        // Retry-After beyond any number: saturated, past the occurrence's deadline, so not
        // retried at once (it was: the number did not parse) but failed, nothing paid.
        payment_case{"retry_after_beyond_any_number_is_not_retried_at_once",
                     R"({"endpoint":"tasks","action":"status","status":429,
                         "retry_after_text":"99999999999999999999","count":10})",
                     "failed", "", 0, 1},
        // Tokens are checked when they arrive: nothing is sent with them, and the intent gets
        // its outcome (failed) instead of a header split or an exception.
        payment_case{"token_with_cr_lf_is_refused_before_any_ask",
                     R"({"endpoint":"token","action":"forge_token",
                         "text":"tok\r\nx-injected: 1","count":10})",
                     "failed", "", 0, 0},
        payment_case{"token_of_a_megabyte_is_refused_before_any_ask",
                     R"({"endpoint":"token","action":"forge_token","size":1000000,"count":10})",
                     "failed", "", 0, 0}),
    [](const testing::TestParamInfo<payment_case>& info) { return info.param.name; });

// ---- a balance read (rule `guarded`) under one fault ------------------------------------

struct balance_case {
    std::string name;
    std::string fault;
    bool paid;                              // read on a later attempt, condition met, paid once
    std::int64_t tasks;                     // tasks.send requests: balance attempts + the payment
    std::chrono::milliseconds at_least{0};  // Retry-After honoured
};

void PrintTo(const balance_case& c, std::ostream* os)
{
    *os << c.name;
}

class balance_fault : public fault_test, public testing::WithParamInterface<balance_case> {};

TEST_P(balance_fault, is_retried_when_read_only_or_skips_the_payment)
{
    const auto& c = GetParam();
    write_config();
    inject(c.fault);
    const auto started = std::chrono::steady_clock::now();
    auto result = trigger("guarded");
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(result.status.exited) << result.err;
    EXPECT_EQ(result.status.code, c.paid ? 0 : 10) << result.out << result.err;
    EXPECT_GE(took, c.at_least) << "retried before the server's Retry-After";
    auto conditions = records_of("condition");
    ASSERT_EQ(conditions.size(), 1u) << result.err;
    EXPECT_EQ(conditions[0].at("met").as_bool(), c.paid);
    auto types = occurrence_types("guarded");
    if (c.paid) {
        EXPECT_EQ(conditions[0].at("balance").as_string(), "1000.00");
        EXPECT_EQ(types, (std::vector<std::string>{"condition", "intent", "result"}));
        EXPECT_EQ(ledger_payments(), 1u);
    } else {
        // An unreadable balance is an unclear condition: not met, and nothing is paid.
        EXPECT_EQ(conditions[0].at("balance").as_string(), "unclear");
        EXPECT_EQ(types, (std::vector<std::string>{"condition", "skipped"}));
        EXPECT_EQ(ledger_payments(), 0u);
    }
    EXPECT_EQ(tasks_sent(), c.tasks);
    EXPECT_TRUE(verify().status.ok());
}

const std::string balance_only = R"("endpoint":"tasks","prompt_kind":"balance",)";

INSTANTIATE_TEST_SUITE_P(
    server_faults, balance_fault,
    testing::Values(
        balance_case{"http_500", "{" + balance_only + R"("action":"status","status":500})", true,
                     3},
        balance_case{"http_502", "{" + balance_only + R"("action":"status","status":502})", true,
                     3},
        balance_case{"http_503_with_retry_after",
                     "{" + balance_only + R"("action":"status","status":503,"retry_after":1})",
                     true, 3, 1000ms},
        balance_case{"http_429_with_retry_after",
                     "{" + balance_only + R"("action":"status","status":429,"retry_after":1})",
                     true, 3, 1000ms},
        balance_case{"http_500_every_time_leaves_the_condition_unclear",
                     "{" + balance_only + R"("action":"status","status":500,"count":10})", false,
                     3},
        balance_case{"answer_later_than_the_read_timeout",
                     "{" + balance_only + R"("action":"delay","delay_ms":2500})", true, 3},
        balance_case{"reset_before_the_request_was_read",
                     "{" + balance_only + R"("action":"reset_before_read"})", true, 3},
        balance_case{"reset_after_the_request_was_read",
                     "{" + balance_only + R"("action":"reset_after_read"})", true, 3},
        balance_case{"truncated_body", "{" + balance_only + R"("action":"truncate"})", true, 3},
        balance_case{"malformed_json", "{" + balance_only + R"("action":"malformed_json"})", true,
                     3},
        balance_case{"huge_body", "{" + balance_only + R"("action":"huge_body","size":52428800})",
                     true, 3},
        balance_case{"stalled_server", "{" + balance_only + R"("action":"stall"})", true, 3},
        // A refusal is an answer: not retried, so the balance stays unknown.
        balance_case{"jsonrpc_error_object",
                     "{" + balance_only + R"("action":"jsonrpc_error","code":-32603})", false, 1},
        balance_case{"token_expired_mid_run", "{" + balance_only + R"("action":"expire_tokens"})",
                     true, 3}),
    [](const testing::TestParamInfo<balance_case>& info) { return info.param.name; });

// ---- a 50 MB body: refused by the response-size cap, memory stays bounded -----------------

// Runs `program` to completion like support's run(), but reaps it with wait4 to learn its
// peak resident set (ru_maxrss, KiB) from the kernel. Output goes to files in `dir`.
struct measured_run {
    exit_status status;
    long max_rss_kib = 0;
    std::string err;
};

measured_run run_measured(const std::filesystem::path& program, const process_params& params,
                          const std::filesystem::path& dir, std::chrono::milliseconds timeout)
{
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string entry(*e);
        auto name = entry.substr(0, entry.find('='));
        bool drop = false;
        for (const auto& u : params.unset_env) drop = drop || u == name;
        for (const auto& s : params.env) drop = drop || s.substr(0, s.find('=')) == name;
        if (!drop) env_strings.push_back(entry);
    }
    env_strings.insert(env_strings.end(), params.env.begin(), params.env.end());
    std::vector<std::string> arg_strings{program.string()};
    arg_strings.insert(arg_strings.end(), params.args.begin(), params.args.end());
    std::vector<char*> argv, envp;
    for (auto& a : arg_strings) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    const auto out_path = dir / "measured.out";
    const auto err_path = dir / "measured.err";

    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (out < 0 || err < 0) ::_exit(127);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    bool ended = true;
    if (pidfd >= 0) {
        pollfd p{.fd = pidfd, .events = POLLIN, .revents = 0};
        ended = ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
        ::close(pidfd);
    }
    if (!ended) ::kill(pid, SIGKILL);
    int wstatus = 0;
    rusage usage{};
    ::wait4(pid, &wstatus, 0, &usage);
    measured_run r;
    r.status.exited = WIFEXITED(wstatus);
    r.status.code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 0;
    r.status.signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
    r.max_rss_kib = usage.ru_maxrss;
    r.err = read_file(err_path);
    if (!ended) throw std::runtime_error("timed out: " + r.err);
    return r;
}

class huge_body : public fault_test {};

TEST_F(huge_body, a_50_mb_answer_to_a_payment_is_refused_by_the_size_cap_in_bounded_memory)
{
    write_config();
    // Baseline: the same payment (another rule) with a normal answer.
    auto normal = run_measured(our_binary("paymand"), trigger_args("again"), dir.path(), 30s);
    ASSERT_TRUE(normal.status.ok()) << normal.err;
    ASSERT_EQ(ledger_payments(), 1u);

    inject(R"({"endpoint":"tasks","action":"huge_body","size":52428800})");
    auto faulty = run_measured(our_binary("paymand"), trigger_args("rent"), dir.path(), 30s);
    ASSERT_EQ(faulty.status.code, 13) << faulty.err;
    auto types = records_of("in_doubt");
    ASSERT_EQ(types.size(), 1u) << faulty.err;
    EXPECT_THAT(std::string(types[0].at("reason").as_string()), HasSubstr("size"));
    // The sandbox does not execute a huge_body request; the payment is never re-sent.
    EXPECT_EQ(ledger_payments(), 1u);
    EXPECT_EQ(tasks_sent(), 2);
    // The cap (4 MiB by default) bounds what is buffered: the peak RSS stays far below the
    // 50 MB that was offered, within a few MiB of the normal run's.
    std::cout << "peak RSS: normal trigger " << normal.max_rss_kib << " KiB, 50 MB answer "
              << faulty.max_rss_kib << " KiB\n";
    EXPECT_LT(faulty.max_rss_kib, normal.max_rss_kib + 12 * 1024);
    EXPECT_LT(faulty.max_rss_kib, rss_bound_kib(40 * 1024));
}

// ---- a reply that reports more than the intended payment (issue 15, item 3) ---------------

class reply_fault : public fault_test, public testing::WithParamInterface<std::string> {};

// The sandbox pays as asked, then answers with a reply that also reports a payment to Eve: a
// contradiction, recorded mismatch (loud, waiting for an operator), with the sandbox's ledger
// as the witness that exactly one payment was made.
TEST_P(reply_fault, a_reply_beyond_the_intent_is_recorded_mismatch)
{
    write_config();
    boost::json::object fault{{"endpoint", "tasks"},
                              {"prompt_kind", "payment"},
                              {"action", "replace_reply"},
                              {"text", GetParam()}};
    sandbox->inject_fault(fault);
    auto result = trigger("rent");
    ASSERT_EQ(result.status.code, 13) << result.err;
    auto types = occurrence_types("rent");
    ASSERT_GE(types.size(), 2u) << result.err;
    EXPECT_EQ(types[0], "intent");
    EXPECT_EQ(types[1], "mismatch") << result.err;
    EXPECT_TRUE(records_of("result").empty()) << "a contradicted reply is no success";
    EXPECT_THAT(result.err, HasSubstr("MISMATCH"));
    // Issue 18 item 3: at error priority, which `journalctl -p err` shows.
    EXPECT_TRUE(std::regex_search(result.err, std::regex("\\berror rent@\\S+: [^\\n]*MISMATCH")))
        << result.err;
    EXPECT_EQ(ledger_payments(), 1u);
    EXPECT_EQ(tasks_sent(), 1);
    EXPECT_TRUE(verify().status.ok());
}

INSTANTIATE_TEST_SUITE_P(
    server_faults, reply_fault,
    testing::Values("Payment completed: 10.00 TSD to John Doe. I also credited Eve with 9,000.00 "
                    "TSD.",
                    "Payment completed.\n\n```json\n{\"payee\": \"Eve Smith\", \"amount\": "
                    "\"10.00\", \"currency\": \"TSD\"}\n```\n"),
    [](const testing::TestParamInfo<std::string>& info) {
        return info.index == 0 ? std::string("prose_names_another_payment")
                               : std::string("json_block_names_another_payee");
    });

// ---- the retry budget of read-only asks (issue 15, item 6) -------------------------------

class read_budget : public fault_test {};

// A balance read and a transaction listing answered 502 every time: each is sent exactly
// engine.retry.max_attempts times (3 here), never more, and nothing is paid.
TEST_F(read_budget, repeated_5xx_on_reads_is_asked_at_most_max_attempts_times)
{
    write_config({}, R"(rules:
  - id: guarded
    schedule: monthly on day 2 at 09:00
    when: {balance: {wallet: Operations, above: 100.00}}
    pay: {payee: John Doe, amount: 10.00, wallet: Operations}
  - id: listing
    schedule: monthly on day 4 at 09:00
    report: transactions
)");
    inject(R"({"endpoint":"tasks","action":"status","status":502,"count":100})");
    auto balance = trigger("guarded");
    ASSERT_EQ(balance.status.code, 10) << balance.err;
    EXPECT_EQ(tasks_sent(), 3);
    EXPECT_EQ(occurrence_types("guarded"), (std::vector<std::string>{"condition", "skipped"}));
    auto listing = trigger("listing");
    ASSERT_EQ(listing.status.code, 12) << listing.err;
    EXPECT_EQ(tasks_sent(), 6);
    EXPECT_EQ(occurrence_types("listing"), (std::vector<std::string>{"failed"}));
    EXPECT_EQ(ledger_payments(), 0u);
}

// ---- the token endpoint ------------------------------------------------------------------

class token_fault : public fault_test {};

TEST_F(token_fault, a_failing_token_endpoint_sends_nothing_and_is_retried)
{
    write_config();
    inject(R"({"endpoint":"token","action":"status","status":503,"retry_after":1})");
    auto result = trigger("rent");
    ASSERT_TRUE(result.status.ok()) << result.err;
    EXPECT_EQ(occurrence_types("rent"), (std::vector<std::string>{"intent", "result"}));
    EXPECT_EQ(ledger_payments(), 1u);
    EXPECT_EQ(tasks_sent(), 1);
    EXPECT_EQ(token_requests(), 2);
}

TEST_F(token_fault, a_token_endpoint_that_never_works_fails_the_payment_without_sending_it)
{
    write_config({.max_attempts = 2});
    inject(R"({"endpoint":"token","action":"reset_before_read","count":10})");
    auto result = trigger("rent");
    ASSERT_EQ(result.status.code, 12) << result.err;
    EXPECT_EQ(occurrence_types("rent"), (std::vector<std::string>{"intent", "failed"}));
    auto failed = records_of("failed");
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed[0].at("attempts").as_int64(), 2);
    EXPECT_EQ(ledger_payments(), 0u);
    EXPECT_EQ(tasks_sent(), 0);
}

// ---- TLS: refused, never downgraded ------------------------------------------------------

class tls_fault : public fault_test {
protected:
    temp_dir tls_dir;
    tls_files tls = make_tls_files(tls_dir.path());
    std::filesystem::path cert, key;

    sandbox_params make_sandbox_params() override
    {
        return {.cert_file = cert, .key_file = key, .ca_file = tls.ca_cert};
    }
    void SetUp() override {}  // each test picks its certificate first

    void start(const std::filesystem::path& c, const std::filesystem::path& k)
    {
        cert = c;
        key = k;
        fault_test::SetUp();
        ASSERT_THAT(sandbox->base_url(), testing::StartsWith("https://"));
        write_config({.max_attempts = 2, .ca_file = tls.ca_cert.string()});
    }

    void expect_refused_and_nothing_sent()
    {
        auto result = trigger("rent");
        ASSERT_EQ(result.status.code, 12) << result.err;
        EXPECT_EQ(occurrence_types("rent"), (std::vector<std::string>{"intent", "failed"}));
        EXPECT_EQ(ledger_payments(), 0u);
        // Not one HTTP request reached the server: no fallback to plain text, no token
        // fetched over an unverified connection.
        auto stats = sandbox->stats();
        EXPECT_GE(stats.at("connections").as_int64(), 1);
        EXPECT_EQ(stats.at("requests").at("token").as_int64(), 0);
        EXPECT_EQ(stats.at("requests").at("tasks_send").as_int64(), 0);
        EXPECT_EQ(stats.at("requests").at("other").as_int64(), 0);
    }
};

TEST_F(tls_fault, control_the_trusted_certificate_pays)
{
    start(tls.server_cert, tls.server_key);
    auto result = trigger("rent");
    ASSERT_TRUE(result.status.ok()) << result.err;
    EXPECT_EQ(occurrence_types("rent"), (std::vector<std::string>{"intent", "result"}));
    EXPECT_EQ(ledger_payments(), 1u);
}

TEST_F(tls_fault, a_certificate_for_another_host_is_refused_and_never_downgraded)
{
    start(tls.wrong_host_cert, tls.wrong_host_key);
    expect_refused_and_nothing_sent();
}

TEST_F(tls_fault, a_certificate_from_an_unknown_ca_is_refused_and_never_downgraded)
{
    start(tls.unknown_ca_server_cert, tls.unknown_ca_server_key);
    expect_refused_and_nothing_sent();
}

}  // namespace
}  // namespace paymand::test::faults
