// bench/ha's cluster measurements (issue 21 item 7): three `paymand run` nodes on one private
// PostgreSQL 15 (tests/support/pg_server.hpp, PostgreSQL's durable defaults) and one
// payman-sandbox, started with the tests' support code, one measurement per invocation:
//
//   bench_ha_cluster failover --runs 20 --lease 10s --renew 2s --margin 1s [--stop kill|term]
//   bench_ha_cluster lateness --rules 20 --minutes 2
//   bench_ha_cluster idle --seconds 60
//
// failover: `paymand-crashpoints` nodes whose wall clock runs 60x (PAYMAND_TEST_CLOCK) so that a
//   one-minute rule is due every real second: there is always something for a new leader to
//   fire. The lease itself runs on real time only (the keeper's timers are steady_clock, its
//   lease is timed by the database's clock_timestamp(), its skew check reads the unaccelerated
//   clock), so the acceleration does not touch what is measured. Each run waits for a leader,
//   waits a random part of the renewal period (so the stop falls anywhere in the renewal
//   cycle), stops the leader (SIGKILL, or SIGTERM with --stop term), and reads from the
//   database the new term's `acquired_at` and its first claim's `claimed_at` (both
//   clock_timestamp() on this host, the clock the stop was stamped with). The stopped node is
//   started again as a standby before the next run. --real-clock runs the shipped `paymand`
//   without PAYMAND_TEST_CLOCK instead and times the takeover only (first_claim_ms null), to
//   check that the acceleration moves nothing. One JSON line per run:
//     {"kind":"failover","stop","lease_ms","renew_ms","run","takeover_ms","first_claim_ms",
//      "epoch","holder"}
//   then {"kind":"witness","occurrences","requests","payments","duplicates"} from the
//   sandbox's request log and ledger (duplicates must be 0).
// lateness: the shipped `paymand` on the real clock, a single node without `ha:` and a 3-node
//   cluster (lease 10s, renew 2s), started together, each with its own sandbox and the same
//   rules (N pay rules `* * * * *`, no condition: an occurrence's first audit record is its
//   intent, written after the claim in HA mode). Lateness = that record's `ts` - the
//   occurrence's `utc`. One JSON line per side: {"kind":"lateness","side":"single"|"cluster",
//   "late_ms":[...]}.
// idle: the shipped `paymand`, 3 nodes (lease 10s, renew 2s), rules none of which is due in
//   the window; after the nodes settled, the database's committed and rolled-back transactions
//   (pg_stat_database.xact_commit + xact_rollback of the ledger's database) over the window:
//   {"kind":"idle","seconds","transactions","leader_epoch_before","leader_epoch_after"}.
// Progress goes to stderr. Exit 0 when the measurement ran, 1 when it could not, 2 on bad
// arguments.

#include "paymand/core/time_text.hpp"
#include "paymand/prompt/memo_tag.hpp"
#include "support/audit_witness.hpp"
#include "support/pg_server.hpp"
#include "support/poll.hpp"
#include "support/process.hpp"
#include "support/sandbox.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace test = paymand::test;
namespace json = boost::json;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

const std::string secret_env = "PAYMAND_BENCH_CLIENT_SECRET";
constexpr int accelerated_speed = 60;

void progress(const std::string& line)
{
    std::cerr << "bench_ha_cluster: " << line << std::endl;
}

struct ha_timing {
    milliseconds lease{10'000};
    milliseconds renew{2'000};
    milliseconds margin{1'000};
};

struct node_params {
    std::string name;
    std::string sandbox_url;
    std::string rules;
    std::optional<ha_timing> ha;  // none: a single node without `ha:`
    int concurrency = 16;
};

std::string ms_text(milliseconds d)
{
    return fmt::format("{}ms", d.count());
}

// One paymand node: its directory (paymand.yaml, rules/, state/) and its process.
class bench_node {
public:
    bench_node(const test::temp_dir& dir, node_params p, const test::pg_server& pg,
               const std::string& db)
        : name_(p.name), root_(dir / p.name)
    {
        dir.write(p.name + "/rules/main.yaml", p.rules);
        std::string ha;
        if (p.ha)
            ha = fmt::format("ha:\n  conninfo: \"host=127.0.0.1 port={} dbname={} user=postgres\"\n"
                             "  node: {}\n  lease: {}\n  renew: {}\n  safety_margin: {}\n",
                             pg.port(), db, p.name, ms_text(p.ha->lease), ms_text(p.ha->renew),
                             ms_text(p.ha->margin));
        dir.write(
            p.name + "/paymand.yaml",
            fmt::format("payman:\n  base_url: {}\n  client_id: {}\n"
                        "  client_secret: {{env: {}}}\n  connections: {}\n"
                        "rules_directory: rules\nstate_directory: state\ntimezone: UTC\n"
                        "min_pay_interval: 1m\npayees: any\nwallets: [Operations]\nlimits: none\n"
                        "engine: {{concurrency: {}}}\nlog: {{format: text}}\n{}",
                        p.sandbox_url, test::sandbox_client_id, secret_env, p.concurrency,
                        p.concurrency, ha));
    }

    const std::string& name() const { return name_; }
    std::filesystem::path audit_log() const { return root_ / "state/audit.jsonl"; }
    bool running() const { return process_ != nullptr; }

    void start(const std::string& binary, const std::vector<std::string>& env)
    {
        test::process_params p{
            .args = {"run", "--config", (root_ / "paymand.yaml").string()},
            .env = env,
            .unset_env = {"NOTIFY_SOCKET", "PAYMAN_CLIENT_SECRET", "CREDENTIALS_DIRECTORY",
                          "JOURNAL_STREAM", "PAYMAND_CRASH_AT", "PAYMAND_PAUSE_AT",
                          "PAYMAND_TEST_CLOCK_SKEW_MS", "PGPASSFILE", "PGSERVICE"}};
        p.env.push_back(secret_env + "=" + std::string(test::sandbox_client_secret));
        p.env.push_back("PGPASSWORD=" + std::string(test::pg_server::password));
        process_ = std::make_unique<test::child_process>(test::our_binary(binary), std::move(p));
        process_->wait_for_line(std::regex("running"), 30s, true);
    }

    // Sends `signo` and waits for the end; a SIGTERM must end in exit 0.
    void stop(int signo)
    {
        if (!process_) return;
        process_->send_signal(signo);
        const auto status = process_->wait(60s);
        if (signo == SIGTERM && !status.ok())
            throw std::runtime_error(name_ + " did not stop cleanly: " + process_->err());
        process_.reset();
    }

private:
    std::string name_;
    std::filesystem::path root_;
    std::unique_ptr<test::child_process> process_;
};

// The database, the sandbox and the nodes of one measurement.
class bench_cluster {
public:
    test::pg_server pg{test::pg_server_params{.durable = true}};
    std::string db = pg.create_database();
    test::temp_dir dir;
    test::sandbox_process sandbox{
        test::sandbox_params{.defaults = {.per_transaction_limit = "5000.00"}}};
    std::vector<std::unique_ptr<bench_node>> nodes;
    std::string binary = "paymand";
    std::vector<std::string> env;

    bench_cluster()
    {
        auto init = test::run(test::our_binary("paymand"),
                              {.args = {"db", "init", "--conninfo", pg.socket_conninfo(db)}});
        if (!init.status.ok()) throw std::runtime_error("paymand db init failed: " + init.err);
    }

    void add_nodes(std::size_t count, const std::string& rules, ha_timing timing,
                   int concurrency = 16)
    {
        for (std::size_t i = 0; i < count; ++i)
            nodes.push_back(
                std::make_unique<bench_node>(dir,
                                             node_params{.name = fmt::format("pay-{}", i + 1),
                                                         .sandbox_url = sandbox.base_url(),
                                                         .rules = rules,
                                                         .ha = timing,
                                                         .concurrency = concurrency},
                                             pg, db));
    }

    void start(std::size_t i) { nodes.at(i)->start(binary, env); }

    // Standbys first, so that the leader's graceful stop hands over to nobody.
    void stop_all()
    {
        const auto holder = leader_row().holder;
        for (auto& n : nodes)
            if (n->name() != holder) n->stop(SIGTERM);
        for (auto& n : nodes) n->stop(SIGTERM);
    }

    struct lease_row {
        std::string holder;  // "" when free or expired
        std::int64_t epoch = 0;
    };
    lease_row leader_row() const
    {
        const auto v = pg.query_value(
            db, "SELECT coalesce((SELECT holder FROM paymand_lease WHERE expires_at > "
                "clock_timestamp()), '') || ' ' || coalesce(max(epoch), 0) FROM paymand_lease");
        const auto space = v.rfind(' ');
        return {v.substr(0, space), std::stoll(v.substr(space + 1))};
    }

    // The running node holding an unexpired lease, waiting up to `timeout`.
    std::optional<std::size_t> wait_for_leader(milliseconds timeout) const
    {
        std::optional<std::size_t> found;
        test::eventually(
            [&] {
                const auto holder = leader_row().holder;
                for (std::size_t i = 0; i < nodes.size(); ++i)
                    if (nodes[i]->name() == holder && nodes[i]->running()) found = i;
                return found.has_value();
            },
            timeout, 5ms);
        return found;
    }

    // A value of `sql` that is not empty, polled every 5 ms up to `timeout`.
    std::optional<std::string> wait_for_value(const std::string& sql, milliseconds timeout) const
    {
        std::string v;
        if (!test::eventually(
                [&] {
                    v = pg.query_value(db, sql);
                    return !v.empty();
                },
                timeout, 5ms))
            return std::nullopt;
        return v;
    }
};

std::string due_every_minute_rules(std::size_t count)
{
    std::string out = "rules:\n";
    for (std::size_t i = 0; i < count; ++i)
        out += fmt::format("  - id: tick-{:03}\n    schedule: \"* * * * *\"\n    timezone: UTC\n"
                           "    catchup: each\n"
                           "    pay: {{payee: John Doe, amount: 0.01, wallet: Operations}}\n",
                           i);
    return out;
}

double unix_seconds(std::chrono::system_clock::time_point t)
{
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// --- failover ---------------------------------------------------------------------------------

struct failover_options {
    std::size_t runs = 20;
    ha_timing timing;
    std::string stop = "kill";
    // The shipped `paymand` on the real clock: the takeover only (nothing is due every
    // second, so no first claim is waited for); checks that the acceleration moves nothing.
    bool real_clock = false;
};

void one_failover(bench_cluster& c, const failover_options& o, std::size_t run, std::mt19937& rng)
{
    const auto deadline = o.timing.lease + 2 * o.timing.renew + 30s;
    const auto leader = c.wait_for_leader(deadline);
    if (!leader) throw std::runtime_error("no leader");
    const auto before = c.leader_row().epoch;
    // Anywhere in the renewal cycle, once the term has renewed at least once.
    std::uniform_int_distribution<long> phase(0, o.timing.renew.count() - 1);
    std::this_thread::sleep_for(o.timing.renew + milliseconds(phase(rng)));
    const auto stopped_at = unix_seconds(std::chrono::system_clock::now());
    c.nodes[*leader]->stop(o.stop == "kill" ? SIGKILL : SIGTERM);
    const auto acquired = c.wait_for_value(
        fmt::format("SELECT CASE WHEN epoch > {} THEN extract(epoch FROM acquired_at)::text || ' '"
                    " || epoch || ' ' || holder END FROM paymand_lease",
                    before),
        deadline);
    if (!acquired) throw std::runtime_error("nobody took over");
    std::istringstream in(*acquired);
    double acquired_at = 0;
    std::int64_t epoch = 0;
    std::string holder;
    in >> acquired_at >> epoch >> holder;
    std::string first_claim_ms = "null";
    if (!o.real_clock) {
        const auto first_claim =
            c.wait_for_value(fmt::format("SELECT extract(epoch FROM min(claimed_at))::text FROM "
                                         "paymand_occurrence WHERE epoch = {}",
                                         epoch),
                             deadline);
        if (!first_claim) throw std::runtime_error("the new leader claimed nothing");
        first_claim_ms = fmt::format("{:.1f}", (std::stod(*first_claim) - stopped_at) * 1000);
    }
    std::cout << fmt::format("{{\"kind\":\"failover\",\"stop\":\"{}\",\"lease_ms\":{},"
                             "\"renew_ms\":{},\"run\":{},\"takeover_ms\":{:.1f},"
                             "\"first_claim_ms\":{},\"epoch\":{},\"holder\":\"{}\"}}",
                             o.stop, o.timing.lease.count(), o.timing.renew.count(), run,
                             (acquired_at - stopped_at) * 1000, first_claim_ms, epoch, holder)
              << std::endl;
    c.start(*leader);
}

// At most one payment request and one payment per occurrence: the sandbox's word.
void print_witness(bench_cluster& c)
{
    std::map<std::string, int> sent;
    const auto requests = c.sandbox.requests();
    for (const auto& r : requests.as_object().at("requests").as_array())
        if (const auto& tag = r.at("memo_tag"); tag.is_string())
            ++sent[std::string(tag.as_string())];
    std::map<std::string, int> paid;
    const auto ledger = c.sandbox.ledger();
    for (const auto& tx : ledger.as_object().at("transactions").as_array())
        if (auto tag = paymand::prompt::find_memo_tag(std::string(tx.at("memo").as_string()))) {
            ++paid[paymand::prompt::format_memo_tag(*tag)];
        }
    std::size_t requests_total = 0, payments_total = 0, duplicates = 0;
    for (const auto& [tag, n] : sent) {
        requests_total += static_cast<std::size_t>(n);
        if (n > 1) ++duplicates;
    }
    for (const auto& [tag, n] : paid) {
        payments_total += static_cast<std::size_t>(n);
        if (n > 1) ++duplicates;
    }
    std::cout << fmt::format("{{\"kind\":\"witness\",\"occurrences\":{},\"requests\":{},"
                             "\"payments\":{},\"duplicates\":{}}}",
                             sent.size(), requests_total, payments_total, duplicates)
              << std::endl;
}

void failover(const failover_options& o)
{
    bench_cluster c;
    if (!o.real_clock) {
        c.binary = "paymand-crashpoints";
        const auto anchor =
            std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        c.env = {fmt::format("PAYMAND_TEST_CLOCK={}:{}", anchor.time_since_epoch().count(),
                             accelerated_speed)};
    }
    c.add_nodes(3, due_every_minute_rules(1), o.timing);
    for (std::size_t i = 0; i < c.nodes.size(); ++i) c.start(i);
    std::mt19937 rng(20261204);
    for (std::size_t run = 1; run <= o.runs; ++run) {
        progress(fmt::format("failover ({}, lease {} ms): run {} of {}", o.stop,
                             o.timing.lease.count(), run, o.runs));
        one_failover(c, o, run, rng);
    }
    c.stop_all();
    print_witness(c);
}

// --- lateness ---------------------------------------------------------------------------------

// The first record of each occurrence in `logs` (the earliest `ts` when several logs hold one).
std::map<std::string, std::pair<std::int64_t, std::int64_t>>
first_records(const std::vector<std::filesystem::path>& logs)
{
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> out;  // id -> (ts, utc) in µs
    for (const auto& log : logs)
        for (const auto& r : test::read_records(log)) {
            if (!r.contains("occurrence") || !r.contains("utc") || !r.contains("ts")) continue;
            const auto ts = paymand::core::parse_ts(r.at("ts").as_string());
            const auto utc = paymand::core::parse_utc(r.at("utc").as_string());
            if (!ts || !utc) continue;
            const auto ts_us = ts->time_since_epoch().count();
            const auto utc_us =
                std::chrono::duration_cast<std::chrono::microseconds>(utc->time_since_epoch())
                    .count();
            const std::string id(r.at("occurrence").as_string());
            auto [it, fresh] = out.try_emplace(id, ts_us, utc_us);
            if (!fresh && ts_us < it->second.first) it->second = {ts_us, utc_us};
        }
    return out;
}

void print_lateness(const std::string& side,
                    const std::map<std::string, std::pair<std::int64_t, std::int64_t>>& firsts,
                    std::int64_t from_us)
{
    std::vector<std::string> late;
    for (const auto& [id, t] : firsts)
        if (t.second >= from_us) late.push_back(fmt::format("{:.3f}", (t.first - t.second) / 1e3));
    std::cout << fmt::format("{{\"kind\":\"lateness\",\"side\":\"{}\",\"late_ms\":[{}]}}", side,
                             fmt::join(late, ","))
              << std::endl;
}

void lateness(std::size_t rules, std::size_t minutes)
{
    // Both sides run every rule of a minute at once: no occurrence waits for a slot.
    const auto concurrency = static_cast<int>(std::max<std::size_t>(16, rules));
    bench_cluster c;
    c.add_nodes(3, due_every_minute_rules(rules), ha_timing{}, concurrency);
    test::sandbox_process single_sandbox{
        test::sandbox_params{.defaults = {.per_transaction_limit = "5000.00"}}};
    bench_node single(c.dir,
                      node_params{.name = "single",
                                  .sandbox_url = single_sandbox.base_url(),
                                  .rules = due_every_minute_rules(rules),
                                  .concurrency = concurrency},
                      c.pg, c.db);
    single.start("paymand", {});
    for (std::size_t i = 0; i < c.nodes.size(); ++i) c.start(i);
    if (!c.wait_for_leader(30s)) throw std::runtime_error("no leader");
    // Count from the first whole minute after everything runs.
    const auto from = std::chrono::ceil<std::chrono::minutes>(std::chrono::system_clock::now());
    const auto from_us =
        std::chrono::duration_cast<std::chrono::microseconds>(from.time_since_epoch()).count();
    const auto until = from + std::chrono::minutes(minutes - 1);
    progress(fmt::format(
        "lateness: {} rules for {} minute(s), until about {} s from now", rules, minutes,
        std::chrono::duration_cast<std::chrono::seconds>(until - std::chrono::system_clock::now())
                .count() +
            2));
    std::vector<std::filesystem::path> cluster_logs;
    for (const auto& n : c.nodes) cluster_logs.push_back(n->audit_log());
    const auto counted = [&](const auto& firsts) {
        return static_cast<std::size_t>(std::count_if(
            firsts.begin(), firsts.end(), [&](auto& f) { return f.second.second >= from_us; }));
    };
    const auto wanted = rules * minutes;
    const auto window = milliseconds(
        std::chrono::duration_cast<milliseconds>(until - std::chrono::system_clock::now()) + 60s);
    const bool done = test::eventually(
        [&] {
            return counted(first_records({single.audit_log()})) >= wanted &&
                   counted(first_records(cluster_logs)) >= wanted;
        },
        window, 250ms);
    if (!done) throw std::runtime_error("not every occurrence fired in time");
    single.stop(SIGTERM);
    c.stop_all();
    print_lateness("single", first_records({single.audit_log()}), from_us);
    print_lateness("cluster", first_records(cluster_logs), from_us);
}

// --- idle -------------------------------------------------------------------------------------

void idle(int seconds)
{
    bench_cluster c;
    // Daily at an hour 12 hours from now: never due in the window.
    const auto later = std::chrono::system_clock::now() + 12h;
    const auto hour = std::chrono::floor<std::chrono::hours>(
        later - std::chrono::floor<std::chrono::days>(later));
    std::string rules = "rules:\n";
    for (int i = 0; i < 5; ++i)
        rules += fmt::format("  - id: daily-{}\n    schedule: daily at {:02}:{:02}\n"
                             "    timezone: UTC\n"
                             "    pay: {{payee: John Doe, amount: 0.01, wallet: Operations}}\n",
                             i, hour.count(), 10 * i);
    c.add_nodes(3, rules, ha_timing{});
    for (std::size_t i = 0; i < c.nodes.size(); ++i) c.start(i);
    if (!c.wait_for_leader(30s)) throw std::runtime_error("no leader");
    progress(fmt::format("idle: 3 nodes, settling 12 s, then {} s", seconds));
    // Past PostgreSQL's 10 s flush interval of idle sessions' statistics and the start-up work.
    std::this_thread::sleep_for(12s);
    const auto sql = fmt::format(
        "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '{}'", c.db);
    const auto epoch_before = c.leader_row().epoch;
    const auto before = std::stoll(c.pg.query_value("postgres", sql));
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    const auto after = std::stoll(c.pg.query_value("postgres", sql));
    const auto elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto epoch_after = c.leader_row().epoch;
    c.stop_all();
    std::cout << fmt::format("{{\"kind\":\"idle\",\"nodes\":3,\"seconds\":{:.2f},"
                             "\"transactions\":{},\"leader_epoch_before\":{},"
                             "\"leader_epoch_after\":{}}}",
                             elapsed, after - before, epoch_before, epoch_after)
              << std::endl;
}

milliseconds parse_ms(const std::string& text)
{
    static const std::regex pattern(R"(^(\d+)(ms|s)$)");
    std::smatch m;
    if (!std::regex_match(text, m, pattern)) throw CLI::ValidationError("not a duration: " + text);
    const auto n = std::stoll(m[1].str());
    return m[2].str() == "s" ? milliseconds(n * 1000) : milliseconds(n);
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"bench/ha: failover, lateness and idle load of a 3-node paymand cluster"};
    app.require_subcommand(1);
    failover_options fo;
    std::string lease = "10s", renew = "2s", margin = "1s";
    auto* fail = app.add_subcommand("failover", "stop the leader N times, time the takeover");
    fail->add_option("--runs", fo.runs)->check(CLI::Range(1, 1000));
    fail->add_option("--lease", lease);
    fail->add_option("--renew", renew);
    fail->add_option("--margin", margin);
    fail->add_option("--stop", fo.stop)->check(CLI::IsMember({"kill", "term"}));
    fail->add_flag("--real-clock", fo.real_clock,
                   "the shipped paymand on the real clock; the takeover only");
    std::size_t rules = 20, minutes = 2;
    auto* late = app.add_subcommand("lateness", "fire lateness: single node against a cluster");
    late->add_option("--rules", rules)->check(CLI::Range(1, 200));
    late->add_option("--minutes", minutes)->check(CLI::Range(1, 60));
    int seconds = 60;
    auto* quiet = app.add_subcommand("idle", "transactions per second of an idle cluster");
    quiet->add_option("--seconds", seconds)->check(CLI::Range(1, 3600));
    CLI11_PARSE(app, argc, argv);
    try {
        if (fail->parsed()) {
            fo.timing = {parse_ms(lease), parse_ms(renew), parse_ms(margin)};
            failover(fo);
        } else if (late->parsed()) {
            lateness(rules, minutes);
        } else {
            idle(seconds);
        }
    } catch (const CLI::ValidationError& e) {
        std::cerr << "bench_ha_cluster: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "bench_ha_cluster: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
