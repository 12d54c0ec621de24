#include "paymand/ledger/lease.hpp"

#include "ledger/statement.hpp"

#include <utility>
#include <vector>

namespace paymand::ledger {

namespace asio = boost::asio;
using detail::integer_at;
using detail::milliseconds_param;

namespace {

// The lease row's time left by the database clock, in whole milliseconds.
constexpr std::string_view remaining_ms =
    "(extract(epoch FROM expires_at - clock_timestamp()) * 1000)::bigint";

}  // namespace

asio::awaitable<core::result<std::optional<lease_grant>, db_error>>
async_acquire_lease(connection& conn, std::string node, std::chrono::milliseconds duration)
{
    if (auto begun = co_await conn.async_query("BEGIN"); !begun) co_return begun.error();
    // The row lock taken here waits for every claim and gate in flight (they hold the row FOR
    // SHARE) and makes later ones wait for this transaction, then see the new epoch: no fenced
    // write of an older epoch can commit after the next statement's snapshot.
    std::vector<param> take{std::move(node), milliseconds_param(duration)};
    auto taken = co_await conn.async_query(
        "UPDATE paymand_lease SET holder = $1, epoch = epoch + 1, "
        "acquired_at = clock_timestamp(), "
        "expires_at = clock_timestamp() + $2::bigint * interval '1 millisecond' "
        "WHERE expires_at <= clock_timestamp() RETURNING epoch, " +
            std::string(remaining_ms),
        std::move(take));
    if (!taken || taken->rows.empty()) {
        co_await detail::roll_back(conn);
        if (!taken) co_return taken.error();
        co_return std::optional<lease_grant>();
    }
    const auto epoch = integer_at(*taken, 0, 0);
    const auto remaining = integer_at(*taken, 0, 1);
    if (!epoch || !remaining) {
        co_await detail::roll_back(conn);
        co_return detail::unexpected_answer("paymand_lease after acquisition");
    }
    lease_grant grant{.epoch = *epoch, .remaining = std::chrono::milliseconds(*remaining)};

    std::vector<param> older{std::to_string(grant.epoch)};
    auto moved = co_await conn.async_query(
        "WITH moved AS (UPDATE paymand_occurrence SET "
        "state = CASE state WHEN 'claimed' THEN 'released' ELSE 'in_doubt' END, "
        "updated_at = clock_timestamp() "
        "WHERE state IN ('claimed', 'sending') AND epoch < $1::bigint RETURNING state) "
        "SELECT count(*) FILTER (WHERE state = 'released'), "
        "count(*) FILTER (WHERE state = 'in_doubt') FROM moved",
        std::move(older));
    const auto released = moved ? integer_at(*moved, 0, 0) : std::nullopt;
    const auto in_doubt = moved ? integer_at(*moved, 0, 1) : std::nullopt;
    if (!released || !in_doubt) {
        co_await detail::roll_back(conn);
        if (!moved) co_return moved.error();
        co_return detail::unexpected_answer("the takeover's counts");
    }
    grant.released = static_cast<std::uint64_t>(*released);
    grant.in_doubt = static_cast<std::uint64_t>(*in_doubt);
    if (auto committed = co_await conn.async_query("COMMIT"); !committed)
        co_return committed.error();
    co_return std::optional<lease_grant>(grant);
}

asio::awaitable<core::result<std::optional<std::chrono::milliseconds>, db_error>>
async_renew_lease(connection& conn, std::string node, std::int64_t epoch,
                  std::chrono::milliseconds duration)
{
    std::vector<param> params{std::move(node), std::to_string(epoch), milliseconds_param(duration)};
    auto renewed = co_await conn.async_query(
        "UPDATE paymand_lease "
        "SET expires_at = clock_timestamp() + $3::bigint * interval '1 millisecond' "
        "WHERE holder = $1 AND epoch = $2::bigint AND expires_at > clock_timestamp() "
        "RETURNING " +
            std::string(remaining_ms),
        std::move(params));
    if (!renewed) co_return renewed.error();
    if (renewed->rows.empty()) co_return std::optional<std::chrono::milliseconds>();
    const auto remaining = integer_at(*renewed, 0, 0);
    if (!remaining) co_return detail::unexpected_answer("paymand_lease after renewal");
    co_return std::optional<std::chrono::milliseconds>(*remaining);
}

asio::awaitable<core::result<bool, db_error>>
async_release_lease(connection& conn, std::string node, std::int64_t epoch)
{
    // The notification is delivered when this statement commits, never before.
    std::vector<param> params{std::move(node), std::to_string(epoch), std::string(lease_channel)};
    auto released = co_await conn.async_query(
        "WITH ended AS (UPDATE paymand_lease SET expires_at = clock_timestamp() "
        "WHERE holder = $1 AND epoch = $2::bigint AND expires_at > clock_timestamp() "
        "RETURNING epoch) "
        "SELECT pg_notify($3, epoch::text) FROM ended",
        std::move(params));
    if (!released) co_return released.error();
    co_return !released->rows.empty();
}

asio::awaitable<core::result<lease_view, db_error>> async_read_lease(connection& conn)
{
    auto read = co_await conn.async_query("SELECT holder, epoch, " + std::string(remaining_ms) +
                                          " FROM paymand_lease");
    if (!read) co_return read.error();
    const auto epoch = integer_at(*read, 0, 1);
    const auto remaining = integer_at(*read, 0, 2);
    if (!epoch || !remaining) co_return detail::unexpected_answer("paymand_lease");
    lease_view view{.epoch = *epoch, .remaining = std::chrono::milliseconds(*remaining)};
    if (!read->is_null(0, 0)) view.holder = read->text(0, 0);
    co_return view;
}

}  // namespace paymand::ledger
