#include "paymand/ledger/audit_shipping.hpp"

#include "ledger/statement.hpp"
#include "paymand/core/sha256.hpp"

#include <algorithm>
#include <utility>

namespace paymand::ledger {

namespace asio = boost::asio;

namespace {

// Records per statement: well under PostgreSQL's 65535 parameters.
constexpr std::size_t batch_size = 1000;

std::string hex(std::string_view bytes)
{
    std::string out;
    core::append_hex(out, bytes);
    return out;
}

}  // namespace

asio::awaitable<core::result<void, db_error>> async_ship_audit(connection& conn, std::string node,
                                                               std::vector<shipped_record> records)
{
    for (std::size_t first = 0; first < records.size(); first += batch_size) {
        const std::size_t last = std::min(records.size(), first + batch_size);
        // Placeholders only; every value travels as a parameter (the line as hex for bytea).
        std::string sql = "INSERT INTO paymand_audit (node, seq, record) VALUES ";
        std::vector<param> params{node};
        for (std::size_t i = first; i < last; ++i) {
            const auto n = params.size();
            sql += (i == first ? "" : ", ");
            sql += "($1, $" + std::to_string(n + 1) + "::bigint, decode($" + std::to_string(n + 2) +
                   ", 'hex'))";
            params.emplace_back(std::to_string(records[i].seq));
            params.emplace_back(hex(records[i].line));
        }
        auto shipped = co_await conn.async_query(std::move(sql), std::move(params));
        if (!shipped) co_return shipped.error();
    }
    co_return core::result<void, db_error>{};
}

asio::awaitable<core::result<shipped_tail, db_error>> async_shipped_tail(connection& conn,
                                                                         std::string node)
{
    std::vector<param> params{std::move(node)};
    auto read = co_await conn.async_query(
        "SELECT seq, hash FROM paymand_audit WHERE node = $1 ORDER BY seq DESC LIMIT 1",
        std::move(params));
    if (!read) co_return read.error();
    if (read->rows.empty()) co_return shipped_tail{};
    const auto seq = detail::integer_at(*read, 0, 0);
    if (!seq) co_return detail::unexpected_answer("paymand_audit");
    co_return shipped_tail{.seq = *seq, .hash = read->text(0, 1)};
}

}  // namespace paymand::ledger
