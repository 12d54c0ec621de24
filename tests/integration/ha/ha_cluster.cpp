#include "ha_cluster.hpp"

#include "paymand/prompt/memo_tag.hpp"
#include "support/poll.hpp"

#include <boost/json.hpp>

#include <date/date.h>
#include <fmt/format.h>
#include <signal.h>

#include <regex>

namespace paymand::test {

using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

const std::string secret_env = "PAYMAND_TEST_CLIENT_SECRET";

// "http://127.0.0.1:41234/api" -> 41234.
std::uint16_t port_of(const std::string& url)
{
    static const std::regex pattern(R"(^https?://127\.0\.0\.1:(\d+)/)");
    std::smatch m;
    if (!std::regex_search(url, m, pattern)) throw std::runtime_error("no loopback port: " + url);
    return static_cast<std::uint16_t>(std::stoi(m[1].str()));
}

bool final_state(std::string_view state)
{
    return state == "paid" || state == "failed" || state == "skipped" || state == "in_doubt";
}

}  // namespace

void ha_cluster::make_cluster(std::size_t count, const std::string& rules, ha_timing timing,
                              const std::string& extra)
{
    auto init =
        run(our_binary("paymand"), {.args = {"db", "init", "--conninfo", pg.socket_conninfo(db)}});
    ASSERT_TRUE(init.status.ok()) << init.out << init.err;
    for (std::size_t i = 0; i < count; ++i) {
        ha_node n;
        n.name = fmt::format("pay-{}", i + 1);
        n.root = dir / n.name;
        n.db_link = std::make_unique<tcp_proxy>(static_cast<std::uint16_t>(pg.port()));
        n.payman_link = std::make_unique<tcp_proxy>(port_of(sandbox.base_url()));
        write_node(n, rules, timing, extra);
        nodes.push_back(std::move(n));
    }
}

void ha_cluster::write_node(ha_node& n, const std::string& rules, const ha_timing& timing,
                            const std::string& extra) const
{
    const auto rel = std::filesystem::relative(n.root, dir.path()).string();
    dir.write(rel + "/rules/main.yaml", rules);
    dir.write(rel + "/paymand.yaml",
              fmt::format("payman:\n  base_url: http://127.0.0.1:{}/api\n  client_id: {}\n"
                          "  client_secret: {{env: {}}}\n"
                          "rules_directory: rules\nstate_directory: state\n{}"
                          "min_pay_interval: 1m\npayees: any\n"
                          "log: {{format: text}}\n"
                          "ha:\n  conninfo: \"host=127.0.0.1 port={} dbname={} user=postgres\"\n"
                          "  node: {}\n  lease: {}\n  renew: {}\n  safety_margin: {}\n{}",
                          n.payman_link->port(), sandbox_client_id, secret_env, policy,
                          n.db_link->port(), db, n.name, timing.lease, timing.renew,
                          timing.safety_margin, extra));
}

process_params ha_cluster::node_params(const ha_node& n) const
{
    process_params p{.args = {"run", "--config", n.config().string()},
                     .env = {secret_env + "=" + std::string(sandbox_client_secret),
                             "PGPASSWORD=" + std::string(pg_server::password),
                             fmt::format("PAYMAND_TEST_CLOCK={}:{}",
                                         anchor.time_since_epoch().count(), clock_speed)},
                     .unset_env = {"NOTIFY_SOCKET", "PAYMAN_CLIENT_SECRET", "CREDENTIALS_DIRECTORY",
                                   "JOURNAL_STREAM", "PAYMAND_CRASH_AT", "PAYMAND_PAUSE_AT",
                                   "PAYMAND_TEST_CLOCK_SKEW_MS", "PGPASSFILE", "PGSERVICE"}};
    p.env.insert(p.env.end(), n.env.begin(), n.env.end());
    return p;
}

void ha_cluster::start(std::size_t i)
{
    auto& n = nodes.at(i);
    n.process = std::make_unique<child_process>(our_binary("paymand-crashpoints"), node_params(n));
    n.process->wait_for_line(std::regex("running"), 30s, true);
}

void ha_cluster::stop(std::size_t i)
{
    auto& n = nodes.at(i);
    if (!n.process) return;
    n.process->send_signal(SIGTERM);
    const auto status = n.process->wait(60s);
    EXPECT_TRUE(status.ok()) << n.name << ": " << n.process->err();
    n.process.reset();
}

void ha_cluster::kill(std::size_t i)
{
    auto& n = nodes.at(i);
    if (!n.process) return;
    n.process->send_signal(SIGKILL);
    const auto status = n.process->wait(30s);
    EXPECT_FALSE(status.exited) << n.name << " was to die by SIGKILL";
    n.process.reset();
}

bool ha_cluster::running(std::size_t i) const
{
    return nodes.at(i).process != nullptr;
}

void ha_cluster::stop_all()
{
    // Standbys first, so that the leader's graceful stop hands over to nobody.
    const auto leader = lease().holder;
    for (std::size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i].name != leader) stop(i);
    for (std::size_t i = 0; i < nodes.size(); ++i) stop(i);
}

lease_row ha_cluster::lease()
{
    const auto holder =
        pg.query_value(db, "SELECT coalesce((SELECT holder FROM paymand_lease WHERE expires_at > "
                           "clock_timestamp()), '')");
    const auto epoch = pg.query_value(db, "SELECT coalesce(max(epoch), 0) FROM paymand_lease");
    return {holder, std::stoll(epoch)};
}

std::optional<std::size_t> ha_cluster::wait_for_leader(std::chrono::milliseconds timeout)
{
    std::optional<std::size_t> found;
    eventually(
        [&] {
            const auto holder = lease().holder;
            for (std::size_t i = 0; i < nodes.size(); ++i)
                if (nodes[i].name == holder && running(i)) found = i;
            return found.has_value();
        },
        timeout, 20ms);
    return found;
}

std::chrono::sys_seconds ha_cluster::accelerated_now() const
{
    const auto real = std::chrono::system_clock::now();
    return std::chrono::floor<std::chrono::seconds>(anchor + (real - anchor) * clock_speed);
}

std::set<std::string> ha_cluster::due_identities(const std::vector<std::string>& rules,
                                                 std::chrono::sys_seconds from,
                                                 std::chrono::sys_seconds to)
{
    std::set<std::string> out;
    for (auto minute = std::chrono::ceil<std::chrono::minutes>(from); minute <= to;
         minute += std::chrono::minutes(1)) {
        const auto text = date::format("%Y-%m-%dT%H:%M", minute);
        for (const auto& rule : rules) out.insert(rule + "@" + text);
    }
    return out;
}

std::map<std::string, std::string> ha_cluster::ledger_rows()
{
    // One value: identity=state pairs joined by newlines.
    const auto all =
        pg.query_value(db, "SELECT coalesce(string_agg(identity || '=' || state, E'\\n'), '') "
                           "FROM paymand_occurrence");
    std::map<std::string, std::string> out;
    std::size_t at = 0;
    while (at < all.size()) {
        auto end = all.find('\n', at);
        if (end == std::string::npos) end = all.size();
        const auto line = all.substr(at, end - at);
        const auto eq = line.rfind('=');
        if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
        at = end + 1;
    }
    return out;
}

std::set<std::string> ha_cluster::wait_until_settled(const std::set<std::string>& due,
                                                     std::chrono::milliseconds timeout)
{
    std::set<std::string> open;
    eventually(
        [&] {
            open.clear();
            const auto rows = ledger_rows();
            std::set<std::string> ended;
            for (const auto& n : nodes)
                for (const auto& r : read_records(n.audit_log())) {
                    const auto type = r.at("type").as_string();
                    if (r.contains("occurrence") && (type == "missed" || type == "skipped"))
                        ended.insert(std::string(r.at("occurrence").as_string()));
                }
            for (const auto& id : due) {
                auto row = rows.find(id);
                if ((row == rows.end() || !final_state(row->second)) && !ended.contains(id))
                    open.insert(id);
            }
            return open.empty();
        },
        timeout, 100ms);
    return open;
}

cluster_figures ha_cluster::expect_cluster_agrees(const std::set<std::string>& due)
{
    cluster_figures out;
    out.due = due.size();
    const auto open = wait_until_settled(due, 0ms);
    EXPECT_TRUE(open.empty()) << open.size() << " occurrences vanished, e.g. "
                              << (open.empty() ? "" : *open.begin());

    const auto rows = ledger_rows();
    std::map<std::string, std::string> state_by_tag;
    for (const auto& [id, state] : rows) {
        state_by_tag[tag_of(id)] = state;
        if (state == "in_doubt") ++out.in_doubt;
    }
    std::map<std::string, int> paid;
    const auto whole = sandbox.ledger();
    for (const auto& tx : whole.as_object().at("transactions").as_array()) {
        auto tag = prompt::find_memo_tag(std::string(tx.at("memo").as_string()));
        EXPECT_TRUE(tag) << "a payment without a memo tag: " << tx;
        if (tag) ++paid[prompt::format_memo_tag(*tag)];
    }
    for (const auto& [tag, n] : paid) {
        ++out.paid;
        if (n > 1) ++out.duplicates;
        EXPECT_EQ(n, 1) << tag << " paid " << n << " times";
        auto row = state_by_tag.find(tag);
        EXPECT_TRUE(row != state_by_tag.end() &&
                    (row->second == "paid" || row->second == "in_doubt"))
            << tag << " was paid, the ledger row says "
            << (row == state_by_tag.end() ? "nothing" : row->second);
    }
    std::map<std::string, int> sent;
    const auto requests = sandbox.requests();
    for (const auto& r : requests.as_object().at("requests").as_array())
        if (const auto& tag = r.at("memo_tag"); tag.is_string())
            ++sent[std::string(tag.as_string())];
    for (const auto& [tag, n] : sent) {
        out.sends += static_cast<std::size_t>(n);
        if (n > 1) ++out.duplicates;
        EXPECT_EQ(n, 1) << tag << " was asked for " << n << " times";
    }
    for (const auto& n : nodes) {
        auto verify = run(our_binary("paymand"),
                          {.args = {"audit", "verify", "--log", n.audit_log().string()}});
        EXPECT_EQ(verify.status.code, 0) << n.name << ": " << verify.out << verify.err;
    }
    out.last_epoch = lease().epoch;
    return out;
}

// --- fault controls ---

pid_t ha_cluster::pid(std::size_t i) const
{
    return nodes.at(i).process->pid();
}

void ha_cluster::pause(std::size_t i)
{
    nodes.at(i).process->send_signal(SIGSTOP);
    ASSERT_TRUE(eventually([&] { return process_state(pid(i)) == 'T'; }, 10s, 2ms))
        << nodes[i].name << " did not stop";
}

void ha_cluster::resume(std::size_t i)
{
    nodes.at(i).process->send_signal(SIGCONT);
}

bool ha_cluster::wait_paused(std::size_t i, std::chrono::milliseconds timeout)
{
    char state = '?';
    eventually(
        [&] {
            state = process_state(pid(i));
            return state == 'T' || state == 'Z' || state == '?';
        },
        timeout, 2ms);
    return state == 'T';
}

bool ha_cluster::wait_crashed(std::size_t i, std::chrono::milliseconds timeout)
{
    auto& n = nodes.at(i);
    if (!eventually([&] { return !n.process->running(); }, timeout, 5ms)) return false;
    const auto status = n.process->wait(1s);
    n.process.reset();
    return !status.exited && status.signal == SIGKILL;
}

void ha_cluster::set_payman_timeouts(std::size_t i, const std::string& timeouts) const
{
    const auto& n = nodes.at(i);
    auto text = read_file(n.config());
    const std::string section = "payman:\n";
    ASSERT_EQ(text.rfind(section, 0), 0u) << "the configuration starts with another section";
    text.insert(section.size(), "  timeouts: " + timeouts + "\n");
    dir.write(std::filesystem::relative(n.config(), dir.path()).string(), text);
}

std::map<std::string, ha_cluster::occurrence_row> ha_cluster::occurrence_rows()
{
    // One value: identity|state|node|epoch lines.
    const auto all = pg.query_value(
        db, "SELECT coalesce(string_agg(identity || '|' || state || '|' || node || '|' || epoch, "
            "E'\\n'), '') FROM paymand_occurrence");
    std::map<std::string, occurrence_row> out;
    static const std::regex line(R"(([^|\n]+)\|([^|\n]+)\|([^|\n]*)\|(\d+))");
    for (auto it = std::sregex_iterator(all.begin(), all.end(), line); it != std::sregex_iterator();
         ++it)
        out[(*it)[1].str()] = {(*it)[2].str(), (*it)[3].str(), std::stoll((*it)[4].str())};
    return out;
}

std::map<std::string, int> ha_cluster::payment_requests(std::int64_t after)
{
    std::map<std::string, int> out;
    const auto log = sandbox.requests(after);
    for (const auto& r : log.as_object().at("requests").as_array())
        if (const auto& tag = r.at("memo_tag"); tag.is_string())
            ++out[std::string(tag.as_string())];
    return out;
}

std::int64_t ha_cluster::last_request_seq()
{
    std::int64_t last = 0;
    const auto log = sandbox.requests();
    for (const auto& r : log.as_object().at("requests").as_array())
        last = std::max(last, r.at("seq").to_number<std::int64_t>());
    return last;
}

// --- environment controls (haenv) ---

std::size_t ha_cluster::add_node(const std::string& name, const std::string& root,
                                 const std::string& rules, const ha_timing& timing,
                                 const std::string& extra)
{
    ha_node n;
    n.name = name;
    n.root = dir / root;
    n.db_link = std::make_unique<tcp_proxy>(static_cast<std::uint16_t>(pg.port()));
    n.payman_link = std::make_unique<tcp_proxy>(port_of(sandbox.base_url()));
    write_node(n, rules, timing, extra);
    nodes.push_back(std::move(n));
    return nodes.size() - 1;
}

void ha_cluster::copy_state(std::size_t from, std::size_t to)
{
    const auto target = nodes.at(to).root / "state";
    std::filesystem::remove_all(target);
    std::filesystem::copy(nodes.at(from).root / "state", target,
                          std::filesystem::copy_options::recursive);
}

std::size_t ha_cluster::payment_request_count()
{
    std::size_t n = 0;
    for (const auto& [tag, count] : payment_requests()) n += static_cast<std::size_t>(count);
    return n;
}

bool ha_cluster::wait_for_eligibility_checks(const std::vector<std::size_t>& which, int checks,
                                             std::chrono::milliseconds timeout)
{
    // The node table keeps only the last check (seen_at): count the changes of it.
    const auto since = pg.query_value(db, "SELECT clock_timestamp()");
    std::map<std::size_t, std::pair<std::string, int>> seen;
    return eventually(
        [&] {
            bool all = true;
            for (const auto i : which) {
                const auto at = pg.query_value(
                    db, fmt::format("SELECT coalesce((SELECT seen_at::text FROM paymand_node "
                                    "WHERE node = '{}' AND seen_at > '{}'), '')",
                                    nodes.at(i).name, since));
                auto& [last, count] = seen[i];
                if (!at.empty() && at != last) {
                    last = at;
                    ++count;
                }
                all = all && count >= checks;
            }
            return all;
        },
        timeout, 20ms);
}

}  // namespace paymand::test
