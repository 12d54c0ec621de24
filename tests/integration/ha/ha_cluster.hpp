#pragma once

// Several paymand nodes on one PostgreSQL ledger, as real processes (issue 21's scenarios,
// docs/ha.md "Tests"): this binary's private PostgreSQL 15, one payman-sandbox, and N nodes of
// `paymand-crashpoints` (crash and pause points, an accelerated clock: 60x, so minute schedules
// fire every second), each with its own state directory and rules, reaching the database and
// the sandbox through loopback proxies of its own that a test can black-hole, reset or delay.
//
// The witness is never paymand's word: the sandbox's ledger (payments booked) and request log
// (payment requests received), the shared ledger's rows, and each node's audit chain.

#include "support/audit_witness.hpp"
#include "support/pg_server.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"
#include "support/tcp_proxy.hpp"

#include <boost/json/object.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace paymand::test {

// How fast the nodes' wall clocks run (PAYMAND_TEST_CLOCK): one accelerated minute per second.
inline constexpr int clock_speed = 60;

struct ha_timing {
    std::string lease = "1s";
    std::string renew = "200ms";
    std::string safety_margin = "300ms";
};

struct ha_node {
    std::string name;
    std::filesystem::path root;  // its paymand.yaml, rules/ and state/
    std::unique_ptr<tcp_proxy> db_link;
    std::unique_ptr<tcp_proxy> payman_link;
    std::unique_ptr<child_process> process;
    std::vector<std::string> env;  // extra environment of its next start

    std::filesystem::path config() const { return root / "paymand.yaml"; }
    std::filesystem::path audit_log() const { return root / "state/audit.jsonl"; }
};

// The lease row as the database holds it.
struct lease_row {
    std::string holder;  // "" when free or expired by the database clock
    std::int64_t epoch = 0;
};

// What the witnesses say about a run (the figures a scenario prints).
struct cluster_figures {
    std::size_t due = 0;         // occurrences due in the window checked
    std::size_t paid = 0;        // payments the sandbox booked
    std::size_t sends = 0;       // payment requests the sandbox received
    std::size_t in_doubt = 0;    // ledger rows in doubt
    std::size_t duplicates = 0;  // occurrences paid or sent more than once (must be 0)
    std::int64_t last_epoch = 0;
};

class ha_cluster : public testing::Test {
protected:
    pg_server& pg = pg_environment::server();
    std::string db = pg.create_database();
    temp_dir dir;
    sandbox_process sandbox{sandbox_params{.defaults = {.per_transaction_limit = "5000.00"}}};
    std::vector<ha_node> nodes;
    // The policy's zone and limits as every node's paymand.yaml has them (set before
    // make_cluster).
    std::string policy = "timezone: UTC\nlimits: none\n";
    // PAYMAND_TEST_CLOCK's anchor: every node's clock runs from the same instant.
    std::chrono::sys_seconds anchor =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());

    // `paymand db init`, then `count` nodes pay-1..pay-N with `rules` and `timing`.
    void make_cluster(std::size_t count, const std::string& rules, ha_timing timing = {},
                      const std::string& extra = {});
    // Writes node `n`'s configuration (rules, timing and `extra` YAML at the top level).
    void write_node(ha_node& n, const std::string& rules, const ha_timing& timing,
                    const std::string& extra) const;

    // Starts node `i` and waits until it runs (as leader or standby).
    void start(std::size_t i);
    // SIGTERM, and waits for a clean exit.
    void stop(std::size_t i);
    // SIGKILL, and waits for the death.
    void kill(std::size_t i);
    bool running(std::size_t i) const;
    void stop_all();

    lease_row lease();
    // The index of the node holding an unexpired lease, waiting up to `timeout` for one.
    std::optional<std::size_t> wait_for_leader(std::chrono::milliseconds timeout);

    // The nodes' (accelerated) wall clock now.
    std::chrono::sys_seconds accelerated_now() const;

    // Identities of `rules` due at each minute in [from, to] (accelerated minutes, UTC).
    static std::set<std::string> due_identities(const std::vector<std::string>& rules,
                                                std::chrono::sys_seconds from,
                                                std::chrono::sys_seconds to);
    // identity -> state of every row of the shared ledger.
    std::map<std::string, std::string> ledger_rows();
    // Waits until every identity of `due` has a row in a final state (paid, failed, skipped,
    // in_doubt) or a record in some node's audit log that ends it (missed, skipped); returns
    // those still open at the deadline.
    std::set<std::string> wait_until_settled(const std::set<std::string>& due,
                                             std::chrono::milliseconds timeout);

    // The witnesses, after every node stopped: at most one payment and one payment request per
    // occurrence, none paid without a row saying paid or in doubt, every occurrence of `due`
    // settled, every node's chain verifies.
    cluster_figures expect_cluster_agrees(const std::set<std::string>& due);

    process_params node_params(const ha_node& n) const;

    // --- fault controls (ha_faults_test.cpp): a node's process held, continued or crashed,
    // its Payman timeouts, and what the ledger and the sandbox hold of each occurrence ---

    // One occurrence's row in the shared ledger.
    struct occurrence_row {
        std::string state;
        std::string node;
        std::int64_t epoch = 0;
    };

    pid_t pid(std::size_t i) const;
    // SIGSTOP, and waits until node `i` shows stopped (/proc/PID/stat state T).
    void pause(std::size_t i);
    void resume(std::size_t i);  // SIGCONT
    // Waits until node `i` stopped itself at its PAYMAND_PAUSE_AT point.
    bool wait_paused(std::size_t i, std::chrono::milliseconds timeout);
    // Waits until node `i` died by SIGKILL at its PAYMAND_CRASH_AT point, then forgets it.
    bool wait_crashed(std::size_t i, std::chrono::milliseconds timeout);
    // Node `i`'s configuration gets `payman.timeouts` (YAML flow map), from its next start.
    void set_payman_timeouts(std::size_t i, const std::string& timeouts) const;
    // identity -> its row, every row of the shared ledger.
    std::map<std::string, occurrence_row> occurrence_rows();
    // memo tag -> payment requests the sandbox received with a seq above `after`.
    std::map<std::string, int> payment_requests(std::int64_t after = 0);
    // The seq of the last request the sandbox logged (0: none).
    std::int64_t last_request_seq();

    // --- environment controls (haenv: the database restarted and restored, nodes of any name,
    // cloned state directories) ---

    // Adds a node called `name` (not started) whose root is `dir / root`, with proxies of its
    // own: `root` differs from `name` for a clone of another node's machine. Its index.
    std::size_t add_node(const std::string& name, const std::string& root, const std::string& rules,
                         const ha_timing& timing = {}, const std::string& extra = {});
    // Copies node `from`'s state directory (audit log, node memory, live view) over `to`'s.
    void copy_state(std::size_t from, std::size_t to);
    // Payment requests (with a memo tag) the sandbox has received so far.
    std::size_t payment_request_count();
    // Waits until each node of `which` has checked its eligibility (published itself in the
    // node table) at least `checks` times after this call, by the database's clock: a node that
    // did not take a free lease by then decided not to, more than once.
    bool wait_for_eligibility_checks(const std::vector<std::size_t>& which, int checks,
                                     std::chrono::milliseconds timeout);
};

}  // namespace paymand::test
