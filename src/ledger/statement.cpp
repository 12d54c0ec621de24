#include "ledger/statement.hpp"

#include <charconv>

namespace paymand::ledger::detail {

boost::asio::awaitable<void> roll_back(connection& conn)
{
    if (!conn.is_open()) co_return;
    auto r = co_await conn.async_query("ROLLBACK");
    if (!r) conn.close();
}

db_error unexpected_answer(std::string what)
{
    return db_error{{.code = ledger_errc::unexpected_answer, .message = std::move(what)}};
}

std::optional<std::int64_t> integer_at(const query_result& result, std::size_t r, std::size_t c)
{
    if (r >= result.rows.size() || c >= result.rows[r].size() || !result.rows[r][c])
        return std::nullopt;
    const std::string& text = *result.rows[r][c];
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace paymand::ledger::detail
