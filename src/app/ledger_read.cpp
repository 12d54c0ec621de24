#include "app/ledger_read.hpp"

#include "paymand/ledger/schema.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <optional>
#include <utility>

namespace paymand::app {

core::result<void> read_ledger(const config::ha_config& ha, const config::env_lookup& getenv,
                               const ledger_bounds& bounds, const ledger_reader& read)
{
    auto conninfo = config::load_conninfo(ha, getenv);
    if (!conninfo) return conninfo.error();
    ledger::connection_settings settings;
    settings.conninfo = std::string(conninfo->expose());
    settings.application_name = bounds.application_name;
    settings.connect_timeout = bounds.connect;
    settings.reply_timeout = bounds.reply;
    settings.statement_timeout = bounds.statement;
    boost::asio::io_context io;
    ledger::connection conn(io.get_executor());
    std::optional<core::result<void, ledger::db_error>> done;
    std::exception_ptr thrown;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            auto connected = co_await conn.async_connect(std::move(settings));
            if (!connected) {
                done = connected.error();
                co_return;
            }
            auto schema = co_await ledger::async_check_schema(conn);
            if (!schema) {
                done = schema.error();
                co_return;
            }
            done = co_await read(conn);
        },
        [&](std::exception_ptr e) {
            if (e) thrown = e;
        });
    io.run();
    conn.close();
    const auto failed = [](std::string message) {
        return core::error{.code = make_error_code(boost::system::errc::io_error),
                           .message = std::move(message)};
    };
    if (thrown) return failed("the read of the ledger ended in an exception");
    if (!done) return failed("the ledger was not read");
    if (!*done) return core::error{.code = done->error().code, .message = done->error().what()};
    return {};
}

}  // namespace paymand::app
