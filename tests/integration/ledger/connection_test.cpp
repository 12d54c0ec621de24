// The libpq client against a real PostgreSQL 15: connect, parameters, errors with SQLSTATE,
// the three server-side timeouts, the client's deadline, cancellation, multi-host conninfo,
// NOTIFY, and a password that never shows in an error.

#include "ledger_fixture.hpp"
#include "support/poll.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <thread>

namespace paymand::test {
namespace {

namespace asio = boost::asio;
using ledger::ledger_errc;
using namespace std::chrono_literals;

using connection_test = ledger_test;

constexpr std::string_view secret = "S3cret-pw-never-shown-77";

TEST_F(connection_test, sets_the_three_server_timeouts_from_the_settings)
{
    auto s = socket_settings();
    s.statement_timeout = 1234ms;
    s.lock_timeout = 567ms;
    s.idle_in_transaction_session_timeout = 8901ms;
    auto c = open(s);
    auto r = run(c.async_query("SELECT current_setting('statement_timeout'), "
                               "current_setting('lock_timeout'), "
                               "current_setting('idle_in_transaction_session_timeout')"));
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->text(0, 0), "1234ms");
    EXPECT_EQ(r->text(0, 1), "567ms");
    EXPECT_EQ(r->text(0, 2), "8901ms");
}

TEST_F(connection_test, binds_values_as_parameters_never_as_sql)
{
    auto c = open();
    const std::string hostile = "x'); DROP TABLE pg_class; --";
    auto r = run(c.async_query("SELECT $1::text, $2::text IS NULL", {hostile, std::nullopt}));
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->text(0, 0), hostile);
    EXPECT_EQ(r->text(0, 1), "t");
}

TEST_F(connection_test, reports_a_server_error_with_its_sqlstate_and_stays_usable)
{
    auto c = open();
    auto bad = run(c.async_query("SELECT 1 / $1::int", {"0"}));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ledger_errc::server_error);
    EXPECT_EQ(bad.error().sqlstate, "22012");
    EXPECT_NE(bad.error().message.find("division by zero"), std::string::npos);
    EXPECT_FALSE(bad.error().outcome_unknown());
    EXPECT_TRUE(c.is_open());
    auto good = run(c.async_query("SELECT 2"));
    ASSERT_TRUE(good) << good.error().what();
    EXPECT_EQ(good->text(0, 0), "2");
}

TEST_F(connection_test, the_server_statement_timeout_cancels_a_slow_statement)
{
    auto s = socket_settings();
    s.statement_timeout = 100ms;
    auto c = open(s);
    auto r = run(c.async_query("SELECT pg_sleep(5)"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "57014");
    EXPECT_TRUE(c.is_open());
}

TEST_F(connection_test, the_server_lock_timeout_refuses_a_blocked_statement)
{
    auto s = socket_settings();
    s.lock_timeout = 100ms;
    auto holder = open(s);
    auto waiter = open(s);
    ASSERT_TRUE(run(holder.async_query("CREATE TABLE t (x int)")));
    ASSERT_TRUE(run(holder.async_script("BEGIN; LOCK TABLE t;")));
    auto r = run(waiter.async_query("SELECT * FROM t"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "55P03");
}

TEST_F(connection_test, the_server_ends_a_session_left_idle_in_a_transaction)
{
    auto s = socket_settings();
    s.idle_in_transaction_session_timeout = 100ms;
    auto c = open(s);
    auto pid = run(c.async_query("SELECT pg_backend_pid()"));
    ASSERT_TRUE(pid);
    ASSERT_TRUE(run(c.async_query("BEGIN")));
    EXPECT_EQ(c.transaction_state(), "in transaction");
    // The server ends the session after 100 ms idle; the next statement finds it gone.
    ASSERT_TRUE(eventually([&] {
        return pg.query_value(db, "SELECT count(*) FROM pg_stat_activity WHERE pid = " +
                                      pid->text(0, 0)) == "0";
    })) << "the session was not ended";
    auto r = run(c.async_query("SELECT 1"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ledger_errc::connection_lost) << r.error().what();
    EXPECT_FALSE(c.is_open());
}

TEST_F(connection_test, no_answer_within_the_reply_timeout_closes_the_connection)
{
    auto s = socket_settings();
    s.reply_timeout = 200ms;
    auto c = open(s);
    const auto started = std::chrono::steady_clock::now();
    auto r = run(c.async_query("SELECT pg_sleep(3)"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ledger_errc::reply_timeout);
    EXPECT_TRUE(r.error().outcome_unknown());
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    EXPECT_FALSE(c.is_open());
    auto after = run(c.async_query("SELECT 1"));
    ASSERT_FALSE(after);
    EXPECT_EQ(after.error().code, ledger_errc::not_connected);
}

TEST_F(connection_test, cancelling_a_statement_closes_the_connection)
{
    auto c = open();
    asio::cancellation_signal cancel;
    std::optional<core::result<ledger::query_result, ledger::db_error>> out;
    asio::co_spawn(io, c.async_query("SELECT pg_sleep(3)"),
                   asio::bind_cancellation_slot(
                       cancel.slot(), [&](std::exception_ptr,
                                          core::result<ledger::query_result, ledger::db_error> r) {
                           out.emplace(std::move(r));
                       }));
    asio::steady_timer soon(io, 100ms);
    soon.async_wait(
        [&](boost::system::error_code) { cancel.emit(asio::cancellation_type::terminal); });
    io.restart();
    io.run_for(10s);
    ASSERT_TRUE(out.has_value());
    ASSERT_FALSE(*out);
    EXPECT_EQ(out->error().code, ledger_errc::cancelled);
    EXPECT_TRUE(out->error().outcome_unknown());
    EXPECT_FALSE(c.is_open());
}

TEST_F(connection_test, a_multi_host_conninfo_finds_the_read_write_server)
{
    // The first host refuses (a port nobody listens on), libpq moves to the second: a new
    // socket in the middle of the connect.
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    const auto dead_port = probe.local_endpoint().port();
    probe.close();
    auto s = settings_for("host=127.0.0.1,127.0.0.1 port=" + std::to_string(dead_port) + "," +
                          std::to_string(pg.port()) +
                          " user=postgres password=" + std::string(pg_server::password) +
                          " dbname=" + db + " target_session_attrs=read-write");
    auto c = open(s);
    auto r = run(c.async_query("SELECT inet_server_port()"));
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->text(0, 0), std::to_string(pg.port()));
}

TEST_F(connection_test, a_server_that_never_answers_times_the_connect_out)
{
    // Listening but never accepting: TCP connects (the kernel's backlog), no startup reply.
    asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
    auto s = settings_for("host=127.0.0.1 port=" + std::to_string(silent.local_endpoint().port()) +
                          " user=postgres dbname=x sslmode=disable");
    s.connect_timeout = 200ms;
    ledger::connection c(io.get_executor());
    auto r = run(c.async_connect(s));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ledger_errc::connect_timeout);
    EXPECT_FALSE(c.is_open());
}

TEST_F(connection_test, no_error_ever_holds_the_password)
{
    const std::string port = std::to_string(pg.port());
    std::vector<std::pair<std::string, ledger_errc>> cases{
        {"host=127.0.0.1 port=" + port + " user=postgres dbname=" + db +
             " password=" + std::string(secret),
         ledger_errc::connect_failed},
        {"postgresql://postgres:" + std::string(secret) + "@127.0.0.1:" + port + "/" + db,
         ledger_errc::connect_failed},
        {"host=127.0.0.1 password=" + std::string(secret) + " bogus", ledger_errc::bad_conninfo},
        {"host=127.0.0.1 password='" + std::string(secret), ledger_errc::bad_conninfo},
        {"host=127.0.0.1 port=" + port + " user=" + std::string(secret) + "x dbname=" + db +
             " password=" + std::string(secret),
         ledger_errc::connect_failed},
    };
    for (const auto& [conninfo, expected] : cases) {
        ledger::connection c(io.get_executor());
        auto r = run(c.async_connect(settings_for(conninfo)));
        ASSERT_FALSE(r) << conninfo;
        EXPECT_EQ(r.error().code, expected) << r.error().what();
        EXPECT_EQ(r.error().what().find(secret), std::string::npos) << r.error().what();
    }
    // The server echoes a bad value in its error: redacted when it is the password.
    auto c = open(settings_for(pg.tcp_conninfo(db)));
    auto r = run(c.async_query("SELECT $1::int", {std::string(pg_server::password)}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "22P02");
    EXPECT_EQ(r.error().what().find(pg_server::password), std::string::npos) << r.error().what();
    EXPECT_NE(r.error().what().find("[redacted]"), std::string::npos) << r.error().what();
}

TEST_F(connection_test, delivers_a_notify_and_waits_out_a_quiet_channel)
{
    auto listener = open();
    auto sender = open();
    ASSERT_TRUE(run(listener.async_query("LISTEN paymand_test")));
    auto quiet = run(listener.async_wait_notification(50ms));
    ASSERT_TRUE(quiet) << quiet.error().what();
    EXPECT_FALSE(quiet->has_value());
    EXPECT_TRUE(listener.is_open());
    ASSERT_TRUE(run(sender.async_query("SELECT pg_notify('paymand_test', $1)", {"hello"})));
    auto heard = run(listener.async_wait_notification(5s));
    ASSERT_TRUE(heard) << heard.error().what();
    ASSERT_TRUE(heard->has_value());
    EXPECT_EQ((*heard)->channel, "paymand_test");
    EXPECT_EQ((*heard)->payload, "hello");
}

}  // namespace
}  // namespace paymand::test
