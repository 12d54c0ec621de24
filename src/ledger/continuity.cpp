#include "paymand/ledger/continuity.hpp"

#include "ledger/statement.hpp"

#include <utility>
#include <vector>

namespace paymand::ledger {

continuity judge_continuity(const ledger_position& ledger, const node_memory& memory) noexcept
{
    if (ledger.epoch < memory.highest_epoch) return continuity::epoch_went_backwards;
    if (ledger.shipped_seq < memory.shipped_seq) return continuity::chain_shorter;
    return continuity::intact;
}

std::string_view to_string(continuity c) noexcept
{
    switch (c) {
    case continuity::intact:
        return "intact";
    case continuity::epoch_went_backwards:
        return "the lease epoch went backwards (a restored backup?): refusing to lead";
    case continuity::chain_shorter:
        return "the ledger holds less of this node's audit chain than it acknowledged (a "
               "restored backup?): refusing to lead";
    }
    return "unknown";
}

boost::asio::awaitable<core::result<ledger_position, db_error>>
async_read_position(connection& conn, std::string node)
{
    std::vector<param> params{std::move(node)};
    auto read = co_await conn.async_query(
        "SELECT (SELECT epoch FROM paymand_lease), "
        "coalesce((SELECT max(seq) FROM paymand_audit WHERE node = $1), 0)",
        std::move(params));
    if (!read) co_return read.error();
    const auto epoch = detail::integer_at(*read, 0, 0);
    const auto seq = detail::integer_at(*read, 0, 1);
    if (!epoch || !seq) co_return detail::unexpected_answer("the ledger's position");
    co_return ledger_position{.epoch = *epoch, .shipped_seq = *seq};
}

}  // namespace paymand::ledger
