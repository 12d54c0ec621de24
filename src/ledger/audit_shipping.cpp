#include "paymand/ledger/audit_shipping.hpp"

#include "ledger/statement.hpp"
#include "paymand/core/sha256.hpp"

#include <algorithm>
#include <optional>
#include <string_view>
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

// The bytes `hex` stands for; nullopt when it is not an even run of hex digits.
std::optional<std::string> unhex(std::string_view hex)
{
    const auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (hex.size() % 2 != 0) return std::nullopt;
    std::string out(hex.size() / 2, '\0');
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int high = digit(hex[2 * i]);
        const int low = digit(hex[2 * i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        out[i] = static_cast<char>(high * 16 + low);
    }
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

asio::awaitable<core::result<std::vector<std::string>, db_error>>
async_shipped_nodes(connection& conn)
{
    auto read = co_await conn.async_query(
        "SELECT DISTINCT node COLLATE \"C\" FROM paymand_audit ORDER BY 1");
    if (!read) co_return read.error();
    std::vector<std::string> nodes;
    for (std::size_t r = 0; r < read->rows.size(); ++r) nodes.push_back(read->text(r, 0));
    co_return nodes;
}

asio::awaitable<core::result<std::vector<shipped_record>, db_error>>
async_read_shipped(connection& conn, std::string node, std::int64_t after, std::int64_t limit)
{
    // The bytes travel as hex: a bytea in text form, whatever the client's encoding.
    std::vector<param> params{std::move(node), std::to_string(after), std::to_string(limit)};
    auto read = co_await conn.async_query(
        "SELECT seq, encode(record, 'hex') FROM paymand_audit WHERE node = $1 AND seq > "
        "$2::bigint ORDER BY seq LIMIT $3::bigint",
        std::move(params));
    if (!read) co_return read.error();
    std::vector<shipped_record> records;
    records.reserve(read->rows.size());
    for (std::size_t r = 0; r < read->rows.size(); ++r) {
        const auto seq = detail::integer_at(*read, r, 0);
        auto line = unhex(read->text(r, 1));
        if (!seq || !line) co_return detail::unexpected_answer("paymand_audit");
        records.push_back({*seq, std::move(*line)});
    }
    co_return records;
}

}  // namespace paymand::ledger
