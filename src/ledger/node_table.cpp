#include "paymand/ledger/node_table.hpp"

#include "ledger/statement.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <utility>

namespace paymand::ledger {

namespace asio = boost::asio;
using std::chrono::milliseconds;

asio::awaitable<core::result<node_report, db_error>>
async_publish_node(connection& conn, node_identity self, milliseconds alive_for)
{
    std::vector<param> params{std::move(self.node), std::move(self.rules_hash),
                              std::move(self.policy_hash), detail::milliseconds_param(alive_for)};
    auto published = co_await conn.async_query(
        "WITH me AS (INSERT INTO paymand_node (node, rules_hash, policy_hash, seen_at, "
        "alive_until) VALUES ($1, $2, $3, clock_timestamp(), "
        "clock_timestamp() + $4::bigint * interval '1 millisecond') "
        "ON CONFLICT (node) DO UPDATE SET rules_hash = EXCLUDED.rules_hash, "
        "policy_hash = EXCLUDED.policy_hash, seen_at = EXCLUDED.seen_at, "
        "alive_until = EXCLUDED.alive_until RETURNING seen_at) "
        "SELECT (extract(epoch FROM (SELECT seen_at FROM me)) * 1000)::bigint, n.node "
        "FROM (SELECT 1) AS one LEFT JOIN paymand_node n ON n.node <> $1 "
        "AND n.alive_until > clock_timestamp() AND (n.rules_hash <> $2 OR n.policy_hash <> $3) "
        "ORDER BY n.node",
        std::move(params));
    if (!published) co_return published.error();
    const auto time = detail::integer_at(*published, 0, 0);
    if (!time) co_return detail::unexpected_answer("paymand_node after publishing");
    node_report report{.database_time = milliseconds(*time)};
    for (std::size_t r = 0; r < published->rows.size(); ++r)
        if (!published->is_null(r, 1)) report.differing.push_back(published->text(r, 1));
    co_return report;
}

asio::awaitable<core::result<void, db_error>> async_retire_node(connection& conn, std::string node)
{
    std::vector<param> params{std::move(node)};
    auto retired = co_await conn.async_query(
        "UPDATE paymand_node SET alive_until = clock_timestamp() WHERE node = $1",
        std::move(params));
    if (!retired) co_return retired.error();
    co_return core::result<void, db_error>{};
}

milliseconds clock_skew(const clock_reading& r) noexcept
{
    const auto sent = std::chrono::duration_cast<milliseconds>(r.sent.time_since_epoch());
    const auto answered = std::chrono::duration_cast<milliseconds>(r.answered.time_since_epoch());
    return r.database - (sent + (answered - sent) / 2);
}

bool skew_within(const clock_reading& r, milliseconds bound) noexcept
{
    const auto sent = std::chrono::duration_cast<milliseconds>(r.sent.time_since_epoch());
    const auto answered = std::chrono::duration_cast<milliseconds>(r.answered.time_since_epoch());
    return r.database >= sent - bound && r.database <= answered + bound;
}

std::optional<std::string> judge_eligibility(const eligibility_facts& facts)
{
    if (facts.schema)
        return fmt::format("the ledger's schema cannot be used: {}", facts.schema.message());
    if (facts.history != continuity::intact) return std::string(to_string(facts.history));
    if (!facts.clock) return "the database's clock was not read";
    if (!skew_within(*facts.clock, facts.max_clock_skew)) {
        const auto ahead = -clock_skew(*facts.clock).count();  // this node's minus the database's
        return fmt::format("this node's clock is {} ms {} the database's, more than the {} ms "
                           "allowed (ha.max_clock_skew): synchronise it (NTP)",
                           ahead < 0 ? -ahead : ahead, ahead < 0 ? "behind" : "ahead of",
                           facts.max_clock_skew.count());
    }
    if (!facts.differing.empty())
        return fmt::format("live node(s) {} run another rule set or policy: every node must run "
                           "the same rules and policy before this one may lead",
                           fmt::join(facts.differing, ", "));
    return std::nullopt;
}

}  // namespace paymand::ledger
