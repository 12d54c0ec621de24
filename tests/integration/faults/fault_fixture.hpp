#pragma once

// What the fault tests share: a sandbox, a paymand configuration written for it with short
// timeouts and retries, `paymand trigger` as a process, the audit log read back as JSON
// records, and the sandbox's ledger and counters as the witness of what was really sent.

#include "support/poll.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

#include <boost/json.hpp>

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace paymand::test::faults {

// The unprivileged user that commands run as when a test needs another owner than root.
inline constexpr uid_t nobody = 65534;

inline const std::string secret_env = "PAYMAND_TEST_CLIENT_SECRET";

// A payment with no condition, one guarded by a balance read (the balance ask comes first),
// and a second plain payment: a manual occurrence's identity is per rule and minute, so a
// test that pays twice in a minute triggers two rules.
inline constexpr std::string_view fault_rules = R"(rules:
  - id: rent
    schedule: monthly on day 1 at 09:00
    pay: {payee: John Doe, amount: 10.00, wallet: Operations}
  - id: again
    schedule: monthly on day 3 at 09:00
    pay: {payee: John Doe, amount: 10.00, wallet: Operations}
  - id: guarded
    schedule: monthly on day 2 at 09:00
    when: {balance: {wallet: Operations, above: 100.00}}
    pay: {payee: John Doe, amount: 10.00, wallet: Operations}
)";

// The accelerated clock of the crash-test build (engine/clock.hpp, PAYMAND_TEST_CLOCK):
// wall = anchor + (real - anchor) * speed, with the anchor `offset` seconds from now.
inline std::string test_clock(std::int64_t offset, int speed)
{
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return "PAYMAND_TEST_CLOCK=" + std::to_string(now + offset) + ":" + std::to_string(speed);
}

// What `paymand trigger` exits with for an occurrence whose last record is `record` (for a
// result, with `outcome`): 0 paid, 10 not run, 11 denied, 12 not paid, 13 in doubt
// (`paymand trigger --help`).
inline int trigger_exit_for(std::string_view record, std::string_view outcome = {})
{
    if (record == "in_doubt" || record == "mismatch") return 13;
    if (record == "failed") return 12;
    if (record == "denied") return 11;
    if (record == "skipped") return 10;
    if (record == "result") return outcome == "completed" ? 0 : outcome == "failed" ? 12 : 13;
    return 0;
}

struct fault_config {
    // payman.timeouts.read: how long an answer may take once the request is written.
    std::string read_timeout = "1s";
    // engine.retry.max_attempts for asks that cannot have had an effect.
    int max_attempts = 3;
    std::string occurrence_timeout = "20s";
    std::string reconcile_interval = "0s";
    // engine.confirm_payments: off, because these tests count the asks and records of the
    // payment path under faults; confirmation from the ledger has its own tests
    // (confirmation_test.cpp, engine_sandbox_test.cpp), which turn it on.
    bool confirm_payments = false;
    // Extra YAML appended at the top level (metrics, ...).
    std::string extra;
    // payman.ca_file when the sandbox speaks TLS.
    std::string ca_file;
    // log.level: debug shows each ask's answer ("ask tsk-... answered: completed").
    std::string log_level = "info";
    // payman.client_secret source; the environment variable by default.
    std::string secret_source = "{env: " + secret_env + "}";
};

class fault_test : public testing::Test {
protected:
    temp_dir dir;
    std::unique_ptr<sandbox_process> sandbox;

    void SetUp() override { sandbox = std::make_unique<sandbox_process>(make_sandbox_params()); }

    virtual sandbox_params make_sandbox_params() { return {}; }

    std::filesystem::path config_path() const { return dir / "paymand.yaml"; }
    std::filesystem::path state_dir() const { return dir / "state"; }
    std::filesystem::path audit_path() const { return dir / "state/audit.jsonl"; }

    std::filesystem::path write_config(const fault_config& c = {},
                                       std::string_view rules = fault_rules)
    {
        dir.write("rules/rules.yaml", rules);
        std::string text =
            "payman:\n  base_url: " + sandbox->base_url() +
            "\n  client_id: " + std::string(sandbox_client_id) +
            "\n  client_secret: " + c.secret_source +
            "\n  timeouts: {connect: 1s, tls_handshake: 1s, write: 1s, read: " + c.read_timeout +
            "}\n";
        if (!c.ca_file.empty()) text += "  ca_file: " + c.ca_file + "\n";
        text += "rules_directory: rules\nstate_directory: state\npayees: any\nwallets: "
                "[Operations]\nlimits: none\n"
                "log: {format: text, level: " +
                c.log_level +
                "}\n"
                "engine:\n  occurrence_timeout: " +
                c.occurrence_timeout + "\n  reconcile_interval: " + c.reconcile_interval +
                "\n  confirm_payments: " + (c.confirm_payments ? "true" : "false") +
                "\n  confirm_delay: 0s" +
                "\n  retry: {initial_delay: 1s, max_delay: 1s, max_attempts: " +
                std::to_string(c.max_attempts) + "}\n" + c.extra;
        return dir.write("paymand.yaml", text);
    }

    process_params paymand_args(std::vector<std::string> args) const
    {
        return process_params{.args = std::move(args),
                              .env = {secret_env + "=" + std::string(sandbox_client_secret)},
                              .unset_env = {"NOTIFY_SOCKET", "PAYMAN_CLIENT_SECRET",
                                            "CREDENTIALS_DIRECTORY", "JOURNAL_STREAM"}};
    }

    process_params trigger_args(const std::string& rule) const
    {
        return paymand_args({"trigger", rule, "--config", config_path().string()});
    }

    process_params daemon_args() const
    {
        return paymand_args({"run", "--config", config_path().string()});
    }

    run_result trigger(const std::string& rule)
    {
        return run(our_binary("paymand"), trigger_args(rule), std::chrono::seconds(30));
    }

    void inject(std::string_view fault_json)
    {
        sandbox->inject_fault(boost::json::parse(fault_json));
    }

    // The audit log, one parsed object per line (a line that does not parse fails the test).
    std::vector<boost::json::object> audit_records() const
    {
        std::vector<boost::json::object> out;
        std::istringstream in(read_file(audit_path()));
        std::string line;
        while (std::getline(in, line)) {
            boost::system::error_code ec;
            auto v = boost::json::parse(line, ec);
            if (ec || !v.is_object()) {
                ADD_FAILURE() << "audit line is not a JSON object: " << line;
                continue;
            }
            out.push_back(v.as_object());
        }
        return out;
    }

    std::vector<boost::json::object> records_of(std::string_view type) const
    {
        std::vector<boost::json::object> out;
        for (auto& r : audit_records())
            if (r.at("type").as_string() == type) out.push_back(std::move(r));
        return out;
    }

    // "type" of every record about occurrences of `rule`, in log order.
    std::vector<std::string> occurrence_types(std::string_view rule) const
    {
        std::vector<std::string> out;
        for (const auto& r : audit_records())
            if (const auto* v = r.if_contains("rule"); v && v->as_string() == rule)
                out.emplace_back(r.at("type").as_string());
        return out;
    }

    std::size_t ledger_payments()
    {
        return sandbox->ledger().as_object().at("transactions").as_array().size();
    }

    std::int64_t tasks_sent()
    {
        return sandbox->stats().at("requests").at("tasks_send").as_int64();
    }

    std::int64_t token_requests() { return sandbox->stats().at("requests").at("token").as_int64(); }

    // `paymand audit verify` on the configured log: true when the chain verifies.
    run_result verify()
    {
        return run(our_binary("paymand"),
                   paymand_args({"audit", "verify", "--config", config_path().string()}));
    }
};

}  // namespace paymand::test::faults
