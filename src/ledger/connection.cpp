#include "paymand/ledger/connection.hpp"

#include "paymand/payman/client_error.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <libpq-fe.h>

#include <cstdlib>
#include <stdexcept>
#include <utility>

namespace paymand::ledger {

namespace asio = boost::asio;
using boost::system::error_code;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using wait_type = asio::posix::stream_descriptor::wait_type;

enum class waited { ready, timed_out, cancelled, failed };

}  // namespace

const std::string& query_result::text(std::size_t r, std::size_t c) const
{
    static const std::string null_text;
    const auto& v = rows.at(r).at(c);
    return v ? *v : null_text;
}

struct detail::connection_state {
    explicit connection_state(const asio::any_io_executor& ex) : socket(ex), timer(ex) {}
    ~connection_state() { close(); }
    connection_state(const connection_state&) = delete;
    connection_state& operator=(const connection_state&) = delete;

    asio::posix::stream_descriptor socket;  // PQsocket(conn), owned by libpq: released, not closed
    asio::steady_timer timer;
    PGconn* conn = nullptr;
    connection_settings settings;
    payman::redaction secrets;
    std::uint64_t wait_generation = 0;  // a timer handler of an earlier wait must not fire
    bool timed_out = false;

    void close() noexcept
    {
        if (socket.is_open()) socket.release();
        if (conn != nullptr) PQfinish(conn);
        conn = nullptr;
    }

    // libpq may open a new socket at any step of a connect (another host, another address, SSL
    // refused): the descriptor is re-bound to PQsocket() before every wait.
    bool rebind() noexcept
    {
        if (socket.is_open()) socket.release();
        const int fd = PQsocket(conn);
        if (fd < 0) return false;
        error_code ec;
        socket.assign(fd, ec);
        return !ec;
    }

    std::string clean(std::string_view untrusted) const
    {
        return payman::sanitize_diagnostics(untrusted, secrets);
    }

    // An error with libpq's current message; closes the connection when `closing`.
    db_error fail(ledger_errc code, bool closing)
    {
        db_error e{{.code = code}};
        if (conn != nullptr) e.message = clean(PQerrorMessage(conn));
        if (closing) close();
        return e;
    }

    // An interrupted wait: the connection's state is unknown now, so it is closed.
    db_error interrupted(waited w, bool connecting)
    {
        db_error e;
        switch (w) {
        case waited::timed_out:
            e.code = connecting ? ledger_errc::connect_timeout : ledger_errc::reply_timeout;
            e.message = "no answer within " +
                        std::to_string(connecting ? settings.connect_timeout.count()
                                                  : settings.reply_timeout.count()) +
                        " ms; the connection was closed";
            break;
        case waited::cancelled:
            e.code = ledger_errc::cancelled;
            e.message = "the connection was closed";
            break;
        case waited::ready:
        case waited::failed:
            e.code = connecting ? ledger_errc::connect_failed : ledger_errc::connection_lost;
            e.message = "waiting on the socket failed; the connection was closed";
            break;
        }
        close();
        return e;
    }
};

namespace {

using state_ptr = std::shared_ptr<detail::connection_state>;

// Waits until the socket is ready for `what`, the deadline passes or the caller cancels.
asio::awaitable<waited> wait_socket(state_ptr st, wait_type what, clock_type::time_point deadline)
{
    const auto generation = ++st->wait_generation;
    st->timed_out = false;
    st->timer.expires_at(deadline);
    st->timer.async_wait(
        [weak = std::weak_ptr<detail::connection_state>(st), generation](error_code ec) {
            auto s = weak.lock();
            if (ec || !s || s->wait_generation != generation) return;
            s->timed_out = true;
            error_code ignored;
            s->socket.cancel(ignored);
        });
    auto [ec] = co_await st->socket.async_wait(what, use_tuple);
    ++st->wait_generation;
    st->timer.cancel();
    if (st->timed_out) co_return waited::timed_out;
    if (ec == asio::error::operation_aborted) co_return waited::cancelled;
    if (ec) co_return waited::failed;
    co_return waited::ready;
}

// SQLSTATEs with which the server ends the session: class 08 (connection exception),
// admin_shutdown, crash_shutdown, idle_in_transaction_session_timeout.
bool session_ended(std::string_view sqlstate)
{
    return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" ||
           sqlstate == "25P03";
}

// Reads every result of the statement in flight; the last one's rows, or the first error.
asio::awaitable<core::result<query_result, db_error>> collect(state_ptr st,
                                                              clock_type::time_point deadline)
{
    query_result out;
    std::optional<db_error> failure;
    for (;;) {
        if (PQconsumeInput(st->conn) == 0) co_return st->fail(ledger_errc::connection_lost, true);
        while (PQisBusy(st->conn) == 0) {
            PGresult* r = PQgetResult(st->conn);
            if (r == nullptr) {
                if (!failure) co_return out;
                // The server ending the session (shutdown, crash, a FATAL timeout) may come
                // after a commit it never confirmed: the outcome is unknown, as for a lost
                // connection.
                if (PQstatus(st->conn) == CONNECTION_BAD || session_ended(failure->sqlstate)) {
                    failure->code = ledger_errc::connection_lost;
                    st->close();
                }
                co_return *failure;
            }
            const auto status = PQresultStatus(r);
            if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
                out = query_result{};
                for (int c = 0; c < PQnfields(r); ++c) out.columns.emplace_back(PQfname(r, c));
                for (int row = 0; row < PQntuples(r); ++row) {
                    auto& values = out.rows.emplace_back();
                    for (int c = 0; c < PQnfields(r); ++c) {
                        if (PQgetisnull(r, row, c) != 0)
                            values.emplace_back();
                        else
                            values.emplace_back(
                                std::string(PQgetvalue(r, row, c), PQgetlength(r, row, c)));
                    }
                }
                out.affected = std::strtoull(PQcmdTuples(r), nullptr, 10);
            } else if (PQstatus(st->conn) == CONNECTION_BAD) {
                PQclear(r);
                co_return st->fail(ledger_errc::connection_lost, true);
            } else if (!failure) {
                db_error e{{.code = status == PGRES_FATAL_ERROR ? ledger_errc::server_error
                                                                : ledger_errc::unexpected_answer}};
                if (const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE)) e.sqlstate = s;
                std::string text;
                if (const char* m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)) text = m;
                if (const char* d = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL))
                    text += std::string(" (") + d + ")";
                if (text.empty()) text = PQresStatus(status);
                e.message = st->clean(text);
                failure = std::move(e);
            }
            PQclear(r);
        }
        const auto w = co_await wait_socket(st, wait_type::wait_read, deadline);
        if (w != waited::ready) co_return st->interrupted(w, false);
    }
}

asio::awaitable<core::result<query_result, db_error>> run(state_ptr st, std::string sql,
                                                          std::vector<param> params, bool script)
{
    if (!st || st->conn == nullptr || PQstatus(st->conn) != CONNECTION_OK)
        co_return db_error{{.code = ledger_errc::not_connected}};
    const auto deadline = clock_type::now() + st->settings.reply_timeout;
    int sent = 0;
    if (script) {
        sent = PQsendQuery(st->conn, sql.c_str());
    } else {
        std::vector<const char*> values;
        values.reserve(params.size());
        for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
        sent = PQsendQueryParams(st->conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0);
    }
    if (sent == 0) co_return st->fail(ledger_errc::connection_lost, true);
    for (;;) {
        const int flushed = PQflush(st->conn);
        if (flushed == 0) break;
        if (flushed < 0) co_return st->fail(ledger_errc::connection_lost, true);
        const auto w = co_await wait_socket(st, wait_type::wait_write, deadline);
        if (w != waited::ready) co_return st->interrupted(w, false);
    }
    co_return co_await collect(st, deadline);
}

std::string milliseconds_text(std::chrono::milliseconds ms)
{
    return std::to_string(ms.count());
}

}  // namespace

connection::connection(asio::any_io_executor executor)
    : state_(std::make_shared<detail::connection_state>(executor))
{
}

connection::~connection()
{
    if (state_) state_->close();
}

connection::connection(connection&&) noexcept = default;
connection& connection::operator=(connection&&) noexcept = default;

asio::awaitable<core::result<void, db_error>>
connection::async_connect(connection_settings settings)
{
    auto st = state_;
    if (!st) co_return db_error{{.code = ledger_errc::not_connected}};
    st->close();
    st->settings = std::move(settings);
    st->secrets = payman::redaction{};

    // Parsed first to learn the password (redacted from every message from now on). libpq's
    // parse error quotes the text around the fault, which may be the password: not shown.
    char* parse_error = nullptr;
    PQconninfoOption* options = PQconninfoParse(st->settings.conninfo.c_str(), &parse_error);
    if (options == nullptr) {
        PQfreemem(parse_error);
        co_return db_error{{.code = ledger_errc::bad_conninfo,
                            .message = "check its syntax (its text is not shown: it may hold a "
                                       "password)"}};
    }
    for (auto* o = options; o->keyword != nullptr; ++o) {
        if (o->val != nullptr && *o->val != '\0' && std::string_view(o->keyword) == "password")
            st->secrets.add(o->val);
    }
    PQconninfoFree(options);
    if (const char* env = std::getenv("PGPASSWORD"); env != nullptr && *env != '\0')
        st->secrets.add(env);

    const char* keys[] = {"fallback_application_name", "dbname", nullptr};
    const char* values[] = {st->settings.application_name.c_str(), st->settings.conninfo.c_str(),
                            nullptr};
    st->conn = PQconnectStartParams(keys, values, 1);
    if (st->conn == nullptr)
        co_return db_error{{.code = ledger_errc::connect_failed, .message = "out of memory"}};
    if (PQstatus(st->conn) == CONNECTION_BAD) co_return st->fail(ledger_errc::connect_failed, true);
    // libpq prints the server's notices and warnings to stderr by default: not in a daemon.
    PQsetNoticeProcessor(
        st->conn, [](void*, const char*) {}, nullptr);

    const auto deadline = clock_type::now() + st->settings.connect_timeout;
    auto polled = PGRES_POLLING_WRITING;
    while (polled != PGRES_POLLING_OK) {
        if (polled == PGRES_POLLING_FAILED || !st->rebind())
            co_return st->fail(ledger_errc::connect_failed, true);
        const auto what =
            polled == PGRES_POLLING_READING ? wait_type::wait_read : wait_type::wait_write;
        const auto w = co_await wait_socket(st, what, deadline);
        if (w != waited::ready) co_return st->interrupted(w, true);
        polled = PQconnectPoll(st->conn);
    }
    if (PQsetnonblocking(st->conn, 1) != 0 || !st->rebind())
        co_return st->fail(ledger_errc::connect_failed, true);

    std::vector<param> timeouts{
        milliseconds_text(st->settings.statement_timeout),
        milliseconds_text(st->settings.lock_timeout),
        milliseconds_text(st->settings.idle_in_transaction_session_timeout)};
    auto set = co_await run(st,
                            "SELECT set_config('statement_timeout', $1, false), "
                            "set_config('lock_timeout', $2, false), "
                            "set_config('idle_in_transaction_session_timeout', $3, false)",
                            std::move(timeouts), false);
    if (!set) {
        st->close();
        co_return set.error();
    }
    co_return core::result<void, db_error>{};
}

asio::awaitable<core::result<query_result, db_error>>
connection::async_query(std::string sql, std::vector<param> params)
{
    co_return co_await run(state_, std::move(sql), std::move(params), false);
}

asio::awaitable<core::result<query_result, db_error>> connection::async_script(std::string sql)
{
    co_return co_await run(state_, std::move(sql), {}, true);
}

asio::awaitable<core::result<std::optional<notification>, db_error>>
connection::async_wait_notification(std::chrono::milliseconds timeout)
{
    auto st = state_;
    if (!st || st->conn == nullptr || PQstatus(st->conn) != CONNECTION_OK)
        co_return db_error{{.code = ledger_errc::not_connected}};
    const auto deadline = clock_type::now() + timeout;
    for (;;) {
        if (PQconsumeInput(st->conn) == 0) co_return st->fail(ledger_errc::connection_lost, true);
        if (PGnotify* n = PQnotifies(st->conn)) {
            notification out{.channel = n->relname, .payload = n->extra};
            PQfreemem(n);
            co_return std::optional<notification>(std::move(out));
        }
        const auto w = co_await wait_socket(st, wait_type::wait_read, deadline);
        if (w == waited::timed_out) co_return std::optional<notification>();
        if (w != waited::ready) co_return st->interrupted(w, false);
    }
}

bool connection::is_open() const noexcept
{
    return state_ && state_->conn != nullptr && PQstatus(state_->conn) == CONNECTION_OK;
}

std::string_view connection::transaction_state() const noexcept
{
    if (!is_open()) return "closed";
    switch (PQtransactionStatus(state_->conn)) {
    case PQTRANS_IDLE:
        return "idle";
    case PQTRANS_INTRANS:
        return "in transaction";
    case PQTRANS_INERROR:
        return "in failed transaction";
    case PQTRANS_ACTIVE:
        return "active";
    case PQTRANS_UNKNOWN:
        break;
    }
    return "closed";
}

void connection::close() noexcept
{
    if (state_) state_->close();
}

}  // namespace paymand::ledger
