#pragma once

// One PostgreSQL connection driven by libpq in non-blocking mode on an Asio executor: connect
// with PQconnectStartParams/PQconnectPoll, statements with PQsendQueryParams (values always as
// text parameters, never spliced into SQL), waiting on PQsocket through a stream_descriptor.
//
// One operation at a time per connection, from one thread (the executor's). Every operation has
// a deadline. A deadline passed, a cancellation or a broken connection closes the connection:
// its state is unknown afterwards (a statement in flight may have committed), and the error says
// so (db_error::outcome_unknown()). A server error leaves it open and usable.

#include "paymand/ledger/db_error.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paymand::ledger {

struct connection_settings {
    // A libpq connection string or URI, given as is: several hosts and
    // target_session_attrs=read-write are libpq's to handle. May hold a password; it never
    // appears in an error (better: keep it in ~/.pgpass or PGPASSFILE).
    std::string conninfo;
    std::string application_name = "paymand";  // unless the conninfo names one
    // Client-side deadlines: the whole connect (every host tried), and one statement's answer.
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds reply_timeout{7000};
    // Server-side, set on every new connection (SQLSTATE 57014, 55P03 and 25P03 when they fire).
    std::chrono::milliseconds statement_timeout{5000};
    std::chrono::milliseconds lock_timeout{2000};
    std::chrono::milliseconds idle_in_transaction_session_timeout{10000};
};

// A parameter: text in PostgreSQL's input syntax, or SQL NULL.
using param = std::optional<std::string>;

struct query_result {
    std::vector<std::string> columns;
    std::vector<std::vector<std::optional<std::string>>> rows;  // text format; nullopt is NULL
    std::uint64_t affected = 0;  // rows inserted, updated or deleted (PQcmdTuples)

    // The value of row `r`, column `c` ("" for NULL); throws std::out_of_range when absent.
    const std::string& text(std::size_t r, std::size_t c) const;
    bool is_null(std::size_t r, std::size_t c) const { return !rows.at(r).at(c).has_value(); }
};

struct notification {
    std::string channel;
    std::string payload;
};

namespace detail {
struct connection_state;
}  // namespace detail

class connection {
public:
    explicit connection(boost::asio::any_io_executor executor);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    connection(connection&&) noexcept;
    connection& operator=(connection&&) noexcept;

    // Connects (closing any previous connection), then sets the server-side timeouts.
    boost::asio::awaitable<core::result<void, db_error>>
    async_connect(connection_settings settings);

    // One statement with $1..$n bound to `params` (text format); the rows it returns.
    boost::asio::awaitable<core::result<query_result, db_error>>
    async_query(std::string sql, std::vector<param> params = {});

    // Several statements without parameters (the simple query protocol): for the constant SQL
    // of migrations only. The result of the last statement.
    boost::asio::awaitable<core::result<query_result, db_error>> async_script(std::string sql);

    // Waits up to `timeout` for a NOTIFY on a channel this connection LISTENs to; nullopt when
    // none came. Waiting without one is not an error and leaves the connection open.
    boost::asio::awaitable<core::result<std::optional<notification>, db_error>>
    async_wait_notification(std::chrono::milliseconds timeout);

    bool is_open() const noexcept;
    // "idle", "in transaction", "in failed transaction", "active" or "closed".
    std::string_view transaction_state() const noexcept;
    void close() noexcept;

private:
    std::shared_ptr<detail::connection_state> state_;
};

}  // namespace paymand::ledger
