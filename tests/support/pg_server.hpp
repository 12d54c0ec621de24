#pragma once

// A private PostgreSQL 15 server for one test binary: Debian's initdb and postgres run in a
// temporary directory (in /dev/shm when it has room, else $TMPDIR) (as the `postgres` user when the
// tests run as root, since initdb refuses root), listening on a Unix socket in that directory and
// on a free 127.0.0.1 port. Missing binaries throw: the tests fail, they are never skipped. The
// server is stopped and its directory removed when the handle goes away, including after a failed
// assertion; the postmaster also gets SIGQUIT (immediate shutdown) if the test binary dies.

#include <gtest/gtest.h>
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace paymand::test {

struct pg_server_params {
    // false: fsync=off, synchronous_commit=off, full_page_writes=off (fast, for tests that are
    // not about durability). true: PostgreSQL's defaults, for tests that crash the server.
    bool durable = false;
};

class pg_server {
public:
    // Starts the server; throws std::runtime_error with the server's log when it cannot.
    explicit pg_server(pg_server_params params = {});
    ~pg_server();
    pg_server(const pg_server&) = delete;
    pg_server& operator=(const pg_server&) = delete;

    // The password of the superuser `postgres` over TCP (scram-sha-256; the socket trusts).
    static constexpr std::string_view password = "pm-test-pw-4d1f9a7c";

    int port() const { return port_; }
    // libpq conninfo for `dbname` through the Unix socket (no password needed).
    std::string socket_conninfo(std::string_view dbname) const;
    // libpq conninfo for `dbname` through 127.0.0.1:port(), with the password.
    std::string tcp_conninfo(std::string_view dbname) const;

    // A new, empty database copied from template0 (CREATE DATABASE ... TEMPLATE); its name.
    std::string create_database();
    // Runs `sql` (one or more statements, no parameters) in `dbname`; throws on an error.
    void execute(std::string_view dbname, std::string_view sql) const;
    // The first column of the first row of `sql` in `dbname` ("" for NULL); throws on an error.
    std::string query_value(std::string_view dbname, std::string_view sql) const;

    // Stops the server (immediate: as after a crash, WAL replay on the next start; otherwise
    // fast: a clean shutdown) and starts it again on the same port and data.
    void restart(bool immediate);

    // `dbname` as pg_dump writes it (plain SQL); throws with pg_dump's words on a failure.
    std::string dump(std::string_view dbname) const;
    // Drops `dbname` (nobody may be connected), creates it again empty and loads `sql` (a
    // dump()) into it in one transaction: a database restored from a backup.
    void restore(std::string_view dbname, const std::string& sql) const;

private:
    void start();
    void stop(int signo);

    pg_server_params params_;
    std::filesystem::path dir_;
    int port_ = 0;
    pid_t postmaster_ = -1;
    int databases_ = 0;
};

// Registers one pg_server for the whole test binary:
//   static auto* const pg = ::testing::AddGlobalTestEnvironment(new pg_environment);
// and tests reach it through pg_environment::server().
class pg_environment : public ::testing::Environment {
public:
    void SetUp() override;
    void TearDown() override;
    static pg_server& server();
};

}  // namespace paymand::test
