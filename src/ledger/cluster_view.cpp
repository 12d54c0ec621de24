#include "paymand/ledger/cluster_view.hpp"

#include "ledger/statement.hpp"

#include <string_view>
#include <utility>

namespace paymand::ledger {

namespace asio = boost::asio;
using detail::integer_at;
using std::chrono::milliseconds;

namespace {

// Reads the open rows: identity, rule, state, node, epoch, ms since updated_at.
asio::awaitable<core::result<std::vector<open_occurrence>, db_error>> read_open(connection& conn)
{
    auto read = co_await conn.async_query(
        "SELECT identity, rule, state, node, epoch, "
        "(extract(epoch FROM clock_timestamp() - updated_at) * 1000)::bigint "
        "FROM paymand_occurrence WHERE state IN ('in_doubt', 'sending') "
        "ORDER BY updated_at, identity COLLATE \"C\"");
    if (!read) co_return read.error();
    std::vector<open_occurrence> open;
    for (std::size_t r = 0; r < read->rows.size(); ++r) {
        const auto state = parse_occurrence_state(read->text(r, 2));
        const auto epoch = integer_at(*read, r, 4);
        const auto age = integer_at(*read, r, 5);
        if (!state || !epoch || !age || read->is_null(r, 0) || read->is_null(r, 3))
            co_return detail::unexpected_answer("paymand_occurrence (open rows)");
        open.push_back({.identity = read->text(r, 0),
                        .rule = read->text(r, 1),
                        .state = *state,
                        .node = read->text(r, 3),
                        .epoch = *epoch,
                        .since_update = milliseconds(*age)});
    }
    co_return open;
}

}  // namespace

asio::awaitable<core::result<cluster_view, db_error>> async_read_cluster(connection& conn)
{
    auto open = co_await read_open(conn);
    if (!open) co_return open.error();
    // One row per node, or one row with NULL nodes when there is none; the lease on each.
    auto read = co_await conn.async_query(
        "SELECT l.holder, l.epoch, "
        "(extract(epoch FROM l.expires_at - clock_timestamp()) * 1000)::bigint, n.node, "
        "n.alive_until > clock_timestamp(), "
        "(extract(epoch FROM clock_timestamp() - n.seen_at) * 1000)::bigint "
        "FROM paymand_lease l LEFT JOIN paymand_node n ON true ORDER BY n.node COLLATE \"C\"");
    if (!read) co_return read.error();
    const auto epoch = integer_at(*read, 0, 1);
    const auto remaining = integer_at(*read, 0, 2);
    if (!epoch || !remaining) co_return detail::unexpected_answer("paymand_lease");
    cluster_view view;
    view.lease = {.epoch = *epoch, .remaining = milliseconds(*remaining)};
    if (!read->is_null(0, 0)) view.lease.holder = read->text(0, 0);
    for (std::size_t r = 0; r < read->rows.size(); ++r) {
        if (read->is_null(r, 3)) continue;
        const auto seen = integer_at(*read, r, 5);
        const auto& alive = read->text(r, 4);
        if (!seen || (alive != "t" && alive != "f"))
            co_return detail::unexpected_answer("paymand_node");
        view.nodes.push_back(
            {.node = read->text(r, 3), .alive = alive == "t", .since_seen = milliseconds(*seen)});
    }
    view.open = std::move(*open);
    co_return view;
}

bool in_flight(const cluster_view& view, const open_occurrence& row) noexcept
{
    return row.state == occurrence_state::sending && view.lease.holder == row.node &&
           view.lease.epoch == row.epoch && view.lease.remaining.count() > 0;
}

}  // namespace paymand::ledger
